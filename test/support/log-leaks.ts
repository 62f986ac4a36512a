// What no log line of the suite may hold (issue 12): a bearer token, a JWT, an API key (the harness's own
// keys by value, any `sk-` key by shape), or any value the PII redactor would still change. The logger
// redacts every line (observability/logger.ts); this is the check that it did, on every line the suite's
// subgraphs wrote at info or lower (log-capture.ts), run by global-teardown.ts once every suite has run.
import { existsSync, readFileSync } from 'node:fs';
import { detectPii, redactForLog } from '../../subgraph/guardrails/pii';
import { OPERATOR_FIELDS } from '../../subgraph/observability/logger';
import { HARNESS_API_KEYS } from './provider-keys';

export interface LogLeak {
  /** 1-based, in the capture file. */
  lineNumber: number;
  line: string;
  /** What the line holds, in words. */
  found: string[];
}

const BEARER = /\bBearer\s+[A-Za-z0-9\-._~+/]{8,}/i;
/** A JWT's header: base64url of `{"` then a dot and a second part. */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/;
const API_KEY_SHAPE = /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{12,}/;

/**
 * Left out of every check: the token a development start with DATA_DIR=:memory: prints on purpose for its
 * operator (README, "Start it, test it"), signed by a secret that lives and dies with that one process.
 */
const PRINTED_ON_PURPOSE = 'developmentToken';

/**
 * Out of the PII check: pino's own `time`, epoch milliseconds, 13 digits that pass the card checksum one time
 * in ten; and the fields the logger leaves unredacted on purpose (OPERATOR_FIELDS: where the server listens,
 * its own IP address, no person's). A token or key in any of them would still be found.
 */
const NOT_PERSONAL = new Set(['time', ...OPERATOR_FIELDS, PRINTED_ON_PURPOSE]);

type LogObject = Record<string, unknown>;

function parsed(line: string): LogObject | null {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as LogObject) : null;
  } catch {
    return null;
  }
}

const without = (object: LogObject, fields: ReadonlySet<string>): LogObject =>
  Object.fromEntries(Object.entries(object).filter(([key]) => !fields.has(key)));

/** What one line holds that it must not; empty when it is clean. */
export function leaksOf(
  line: string,
  knownKeys: readonly string[] = Object.values(HARNESS_API_KEYS),
): string[] {
  const object = parsed(line);
  const checked = object ? JSON.stringify(without(object, new Set([PRINTED_ON_PURPOSE]))) : line;
  const piiChecked = object ? JSON.stringify(without(object, NOT_PERSONAL)) : line;
  const found: string[] = [];
  if (BEARER.test(checked)) found.push('a bearer token');
  if (JWT.test(checked)) found.push('a JWT');
  if (knownKeys.some((key) => checked.includes(key)) || API_KEY_SHAPE.test(checked)) found.push('an API key');
  if (redactForLog(piiChecked) !== piiChecked) {
    const kinds = [...new Set(detectPii(piiChecked).map((span) => span.kind))].join(', ');
    found.push(`a value the PII redactor changes (${kinds})`);
  }
  return found;
}

export function findLeaks(text: string, knownKeys?: readonly string[]): LogLeak[] {
  const leaks: LogLeak[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const found = leaksOf(line, knownKeys);
    if (found.length > 0) leaks.push({ lineNumber: index + 1, line, found });
  });
  return leaks;
}

const SHOWN = 20;

export function describeLeaks(leaks: readonly LogLeak[], file: string): string {
  const shown = leaks
    .slice(0, SHOWN)
    .map(({ lineNumber, line, found }) => `  line ${lineNumber} holds ${found.join(' and ')}: ${line}`);
  const more = leaks.length > SHOWN ? [`  ... and ${leaks.length - SHOWN} more`] : [];
  return [
    `${leaks.length} log line(s) of the suite hold a token, a key or a redactable value (kept in ${file}):`,
    ...shown,
    ...more,
  ].join('\n');
}

/** Checks the capture file; throws naming the offending lines, and returns how many lines it checked. */
export function checkCapturedLogs(file: string): number {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file, 'utf8');
  const leaks = findLeaks(text);
  if (leaks.length > 0) throw new Error(describeLeaks(leaks, file));
  return text.split('\n').filter((line) => line.trim() !== '').length;
}
