// The JSON logger. Tokens, secrets and tenant content are redacted here, once, for every log line.
import pino from 'pino';
import type { Logger } from 'pino';
import { logSafeError } from './log-safe-error';

export type { Logger };

export const REDACTED_PATHS = [
  'authorization',
  'token',
  'secret',
  'apiKey',
  '*.authorization',
  '*.Authorization',
  '*.token',
  '*.apiKey',
  '*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'variables',
  '*.variables',
  'input.text',
  'input.body',
  'input.question',
  'input.query',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'ai-subgraph' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Errors logged under either key keep only their safe fields (log-safe-error.ts says which and why).
      serializers: { err: logSafeError, error: logSafeError },
    },
    destination,
  );
}
