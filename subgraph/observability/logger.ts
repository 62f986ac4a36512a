// The JSON logger. Tokens, secrets, tenant content and PII are redacted here, once, for every log line.
import pino from 'pino';
import type { Logger } from 'pino';
import { redactForLog, redactLogValue } from '../guardrails/pii';
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

/**
 * Fields the service writes about itself for its operator, never tenant data: where it listens, and the
 * development token a development start prints on purpose. Everything else meets the PII redactor.
 */
export const OPERATOR_FIELDS: ReadonlySet<string> = new Set(['address', 'url', 'developmentToken']);

/**
 * Identifiers the service makes itself, skipped by the PII redactor while they have their own shape: a request
 * id is a random UUID, a trace id 32 hex digits (the propagator refuses any other). Every request line carries
 * both and neither repeats, so the redactor's memo never helps them; anything else under these names is scanned.
 */
const SERVICE_IDS: ReadonlyMap<string, RegExp> = new Map([
  ['requestId', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/],
  ['traceId', /^[0-9a-f]{32}$/],
]);

function isServiceId(key: string, value: unknown): boolean {
  return typeof value === 'string' && SERVICE_IDS.get(key)?.test(value) === true;
}

function redactPiiFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [
      key,
      OPERATOR_FIELDS.has(key) || isServiceId(key, value) ? value : redactLogValue(value),
    ]),
  );
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'ai-subgraph' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Errors logged under either key keep only their safe fields (log-safe-error.ts says which and why).
      serializers: { err: logSafeError, error: logSafeError },
      // Whatever slips past the paths above (an id that is an email, a provider message quoting a card
      // number) meets the PII redactor: values become their kind, [EMAIL], in fields and messages alike.
      formatters: { log: redactPiiFields },
      hooks: {
        logMethod(args, method) {
          const last = args.length - 1;
          if (typeof args[last] === 'string') args[last] = redactForLog(args[last]);
          return method.apply(this, args);
        },
      },
    },
    destination,
  );
}
