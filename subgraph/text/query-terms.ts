// Query terms and how well a sentence supports them, shared by snippets (search and ask passages) and
// anything else that picks sentences for a query.
import { isStopword } from './stopwords';
import { tokenize } from './tokens';

// BM25's term-frequency saturation: a second occurrence adds less than the first, a fifth almost nothing.
const K1 = 1.2;

/** A crude stem: the full-text ranking already matched stems, so "refunds" must find "refunded" here too. */
export function stemOf(term: string): string {
  return term.length > 5 ? term.slice(0, term.length - 2) : term;
}

/** The distinct stems of the query's content words. */
export function queryStems(query: string): string[] {
  return [...new Set(tokenize(query).filter((term) => !isStopword(term)).map(stemOf))];
}

/**
 * How well `text` supports the query: each query stem it contains counts with saturated term frequency, and
 * the sum is scaled by the share of distinct stems present, so a sentence holding both words of
 * "refund invoice" beats one that repeats "invoice" four times. 0 when no stem occurs.
 */
export function querySupport(text: string, stems: readonly string[]): number {
  if (stems.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const token of tokenize(text)) {
    for (const stem of stems) {
      if (token.startsWith(stem)) counts.set(stem, (counts.get(stem) ?? 0) + 1);
    }
  }
  let sum = 0;
  for (const tf of counts.values()) sum += (tf * (K1 + 1)) / (tf + K1);
  return sum * (counts.size / stems.length);
}
