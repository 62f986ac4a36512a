// Loggers whose output a test reads back.
import { Writable } from 'node:stream';
import type { Logger } from '../../subgraph/observability/logger';
import { teeToCapture } from './log-capture';

/**
 * A real logger at `level` that keeps each line it writes (one JSON object per line) in `lines`; the suite's
 * log capture (log-capture.ts) gets its lines too, at info or lower.
 */
export function capturingLogger(level: string): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: teeToCapture(level, destination), lines };
}
