// The PII redactor (issue 10, point 5): typed placeholders before a provider call, values restored after,
// and a log-safe variant for the logger, all from the same detectors.
export { PII_KINDS } from './kinds';
export type { PiiKind, PiiSpan } from './kinds';
export { detectPii } from './detect';
export { RedactionContext, placeholderOf } from './redaction-context';
export type { RedactedValue, Redaction } from './redaction-context';
export { redact, restore } from './redact';
export { createStreamRestorer } from './stream-restorer';
export type { StreamRestorer } from './stream-restorer';
export { redactForLog, redactLogValue } from './log-safe';
