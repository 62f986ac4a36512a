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

/** First keys of the paths, and the keys that `*.key` censors under any field. */
const PATH_ROOTS: ReadonlySet<string> = new Set(
  REDACTED_PATHS.filter((path) => !path.startsWith('*.')).map((path) => path.split('.')[0] ?? path),
);
const UNDER_ANY_FIELD: readonly string[] = REDACTED_PATHS.filter((path) => path.startsWith('*.')).map(
  (path) => path.slice(2),
);
if (
  UNDER_ANY_FIELD.some((key) => key.includes('.') || key.includes('*')) ||
  REDACTED_PATHS.some((p) => p.includes('['))
)
  throw new Error('mayHoldRedactedPath reads `key`, `a.b` and `*.key` paths only');

/**
 * Whether pino's path redaction could change this line: its fields name a path's first key, or a field's value
 * has (own or inherited) a key that `*.key` censors. Anything but `(fields)`, `(message)` or
 * `(fields, message)` (an interpolation, an Error) is taken as yes: the censoring logger writes it as before.
 */
function mayHoldRedactedPath(args: readonly unknown[]): boolean {
  const [first, second] = args;
  if (args.length === 1 && typeof first === 'string') return false;
  if (args.length > 2 || (args.length === 2 && typeof second !== 'string')) return true;
  if (first === null || typeof first !== 'object' || Object.getPrototypeOf(first) !== Object.prototype)
    return true;
  for (const key in first) {
    if (PATH_ROOTS.has(key)) return true;
    const value = (first as Record<string, unknown>)[key];
    if (value !== null && typeof value === 'object' && UNDER_ANY_FIELD.some((name) => name in value))
      return true;
  }
  return false;
}

function isServiceId(key: string, value: unknown): boolean {
  return typeof value === 'string' && SERVICE_IDS.get(key)?.test(value) === true;
}

/** The line's fields with the PII redactor over every value that may hold text; the same object when none changed. */
function redactPiiFields(fields: Record<string, unknown>): Record<string, unknown> {
  let redacted: Record<string, unknown> | null = null;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    // Numbers, booleans and null hold no text: nothing for the detectors, so no call for them.
    const textless = value === null || (typeof value !== 'string' && typeof value !== 'object');
    if (textless || OPERATOR_FIELDS.has(key) || isServiceId(key, value)) continue;
    const safe = redactLogValue(value);
    if (safe !== value) (redacted ??= { ...fields })[key] = safe;
  }
  return redacted ?? fields;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  // Both loggers write to the same stream, in the order the lines are logged.
  const stream = destination ?? pino.destination({ dest: 1, sync: false });
  const options = {
    level,
    base: { service: 'ai-subgraph' },
    // Errors logged under either key keep only their safe fields (log-safe-error.ts says which and why).
    serializers: { err: logSafeError, error: logSafeError },
    // Whatever slips past the paths (an id that is an email, a provider message quoting a card number)
    // meets the PII redactor: values become their kind, [EMAIL], in fields and messages alike.
    formatters: { log: redactPiiFields },
    hooks: {
      logMethod(this: Logger, args: Parameters<pino.LogFn>, method: pino.LogFn, levelValue: number): void {
        // A line that holds a redacted path goes to the censoring twin (which comes back here as `this`).
        if (this === plain && mayHoldRedactedPath(args)) {
          const label = plain.levels.labels[levelValue] ?? 'info';
          censoring[label as pino.Level](...args);
          return;
        }
        const last = args.length - 1;
        if (typeof args[last] === 'string') args[last] = redactForLog(args[last]);
        method.apply(this, args);
      },
    },
  };
  // pino's path redaction stringifies every field of every line through its censor, whether the line holds
  // one of the paths or not (the `*.` paths match under any field). The twin with the paths takes the lines
  // that hold one; the rest, a request's own line among them, are written by the logger without.
  const censoring: Logger = pino(
    { ...options, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    stream,
  );
  const plain: Logger = pino(options, stream);
  plain.on('level-change', (label: string) => (censoring.level = label));
  // A child's bindings are written by pino's stringifiers, not the hook: children are the censoring twin's.
  plain.child = (bindings, options) => censoring.child(bindings, options);
  return plain;
}
