// Loggers whose output a test reads back.
import { Writable } from 'node:stream';
import { createLogger } from '../../subgraph/observability/logger';
import type { Logger } from '../../subgraph/observability/logger';

/** A real logger at `level` that keeps each line it writes (one JSON object per line) in `lines`. */
export function capturingLogger(level: string): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger(level, destination), lines };
}
