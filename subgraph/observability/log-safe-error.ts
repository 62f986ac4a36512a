// The `err` of every log line: an error reduced to what an operator needs and no tenant text. pino's own
// serializer copies every enumerable property, and drivers hang the request on their errors: PGlite its `query`
// and `params` (a whole document body), pg the `detail` and `where` that quote values, ioredis the command's
// `args` (cached answers). So this keeps a list of known-safe fields rather than removing known-bad ones.
import { GraphQLError } from 'graphql';
import { redactForLog } from '../guardrails/pii/log-safe';

/** What a log line holds of an error. */
export interface LoggedError {
  type: string;
  message: string;
  stack?: string;
  code?: string;
  /** A database error's fields that name schema objects or server code, never values. */
  severity?: string;
  routine?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  cause?: LoggedError;
  errors?: LoggedError[];
}

export const REDACTED_MESSAGE = '[redacted: may quote tenant text]';

// SQLSTATE classes whose messages name only schema objects, connections or server state. The others quote
// what was sent: 22 data exceptions ('invalid input syntax for type integer: "..."'), 42601 syntax errors
// ('syntax error in tsquery: "<the query>"'), P0 messages raised by functions, and any class not listed.
const SCHEMA_ONLY_MESSAGE_CLASSES = new Set([
  '08', '0A', '23', '25', '28', '3D', '3F', '40', '42', '53', '54', '55', '57', '58', 'XX',
]); // prettier-ignore
const VALUE_QUOTING_CODES = new Set(['42601']);

const SQLSTATE = /^[0-9A-Z]{5}$/;
const DATABASE_FIELDS = ['severity', 'routine', 'schema', 'table', 'column', 'constraint'] as const;
const MAX_DEPTH = 3;

type ErrorLike = Error & Record<string, unknown>;

/** A database driver's error (pg or PGlite): it carries a SQLSTATE and a server severity. */
function isDatabaseError(error: ErrorLike): boolean {
  return typeof error.code === 'string' && SQLSTATE.test(error.code) && typeof error.severity === 'string';
}

// graphql-js quotes the value it refused or could not serialize ('Variable "$input" got invalid value { text:
// … }', 'String cannot represent value: …', 'Int cannot represent non-integer value: …'): caller or tenant text.
const VALUE_QUOTING_GRAPHQL = /\b(?:invalid value|cannot represent (?:[\w-]+ )?value)\b/;

function messageIsSafe(error: ErrorLike): boolean {
  // JSON.parse quotes the text it failed on: a corrupt cache entry would log a cached answer.
  if (error instanceof SyntaxError) return false;
  if (error instanceof GraphQLError) return !VALUE_QUOTING_GRAPHQL.test(error.message);
  if (!isDatabaseError(error)) return true;
  const code = String(error.code);
  return SCHEMA_ONLY_MESSAGE_CLASSES.has(code.slice(0, 2)) && !VALUE_QUOTING_CODES.has(code);
}

export function logSafeError(value: unknown, depth = 0): LoggedError {
  if (!(value instanceof Error)) return { type: typeof value, message: REDACTED_MESSAGE };
  const error = value as ErrorLike;
  const safeMessage = messageIsSafe(error);
  const logged: LoggedError = {
    type: error.constructor?.name ?? error.name,
    // A message judged safe may still quote an id or a name that is personal data: the PII redactor reads it.
    message: safeMessage ? redactForLog(error.message) : REDACTED_MESSAGE,
  };
  // A stack begins with the message; a driver's stack points into the driver only, so it is dropped with it.
  if (safeMessage && !isDatabaseError(error) && error.stack) logged.stack = redactForLog(error.stack);
  if (typeof error.code === 'string' || typeof error.code === 'number') logged.code = String(error.code);
  if (isDatabaseError(error)) {
    for (const field of DATABASE_FIELDS) {
      const fieldValue = error[field];
      if (typeof fieldValue === 'string' && fieldValue !== '') logged[field] = fieldValue;
    }
  }
  if (depth < MAX_DEPTH) {
    if (error.cause !== undefined) logged.cause = logSafeError(error.cause, depth + 1);
    if (error instanceof AggregateError) logged.errors = error.errors.map((e) => logSafeError(e, depth + 1));
  }
  return logged;
}
