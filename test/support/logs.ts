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

/** A log line as pino writes it: its message and level, with whatever fields the line carries. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

/** The JSON log lines in a process's output (stdout), in order; anything else it printed is left out. */
export function jsonLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}
