// The logger's variant: the same detectors, but values become their kind only ([EMAIL]), with no numbering
// and no map kept, so a log line never holds a value. Most of what a log line holds repeats from line to line
// (a tenant id, a feature, an outcome, a model, the message itself): a short string the detectors found
// nothing in is remembered as clean, so the next line carrying it skips the seven detectors. Only strings
// that were written out to the log as they were are remembered, so the set holds nothing the log does not.
import { detectPii } from './detect';

/** Strings longer than this are scanned every time: log fields that repeat are names and ids, all shorter. */
const MEMO_MAX_CHARS = 128;
/** Cleared when full: the strings that repeat are back after a few lines, one-off ids do not pile up. */
const MEMO_MAX_ENTRIES = 2048;
const knownClean = new Set<string>();

export function redactForLog(text: string): string {
  if (knownClean.has(text)) return text;
  const spans = detectPii(text);
  if (spans.length === 0) {
    if (text.length <= MEMO_MAX_CHARS) {
      if (knownClean.size >= MEMO_MAX_ENTRIES) knownClean.clear();
      knownClean.add(text);
    }
    return text;
  }
  let redacted = '';
  let from = 0;
  for (const span of spans) {
    redacted += `${text.slice(from, span.start)}[${span.kind}]`;
    from = span.end;
  }
  return redacted + text.slice(from);
}

/**
 * A log field with every string redacted; depth-bounded so a cyclic object cannot hang a log call. Copied only
 * where something changed: a field the detectors find nothing in (nearly every one) is returned as it came.
 */
export function redactLogValue(value: unknown, depth = 8): unknown {
  if (typeof value === 'string') return redactForLog(value);
  if (depth <= 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const redacted = redactLogValue(item, depth - 1);
      if (redacted !== item) copy ??= value.slice();
      if (copy) copy[index] = redacted;
    }
    return copy ?? value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  let copy: Record<string, unknown> | null = null;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const redacted = redactLogValue(item, depth - 1);
    if (redacted !== item) copy ??= { ...(value as Record<string, unknown>) };
    if (copy) copy[key] = redacted;
  }
  return copy ?? value;
}
