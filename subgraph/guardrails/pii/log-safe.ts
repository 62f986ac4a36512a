// The logger's variant: the same detectors, but values become their kind only ([EMAIL]), with no numbering
// and no map kept, so a log line never holds a value and nothing about a request lingers in memory.
import { detectPii } from './detect';

export function redactForLog(text: string): string {
  let redacted = '';
  let from = 0;
  for (const span of detectPii(text)) {
    redacted += `${text.slice(from, span.start)}[${span.kind}]`;
    from = span.end;
  }
  return redacted + text.slice(from);
}

/** Deep copy of a log field with every string redacted; depth-bounded so a cyclic object cannot hang a log call. */
export function redactLogValue(value: unknown, depth = 8): unknown {
  if (typeof value === 'string') return redactForLog(value);
  if (depth <= 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactLogValue(item, depth - 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, redactLogValue(item, depth - 1)]),
  );
}
