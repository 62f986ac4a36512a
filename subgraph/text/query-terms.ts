// Query terms and how well a sentence supports them, shared by snippets (search and ask passages) and
// anything else that picks sentences for a query.
import { lightStem } from './light-stem';
import { isStopword } from './stopwords';
import { tokenize } from './tokens';

// BM25's term-frequency saturation: a second occurrence adds less than the first, a fifth almost nothing.
const K1 = 1.2;

/** The distinct stems of the query's content words. */
export function queryStems(query: string): string[] {
  return [
    ...new Set(
      tokenize(query)
        .filter((term) => !isStopword(term))
        .map(lightStem),
    ),
  ];
}

/**
 * Whether a text's token is a form of the query stem. The full-text ranking matched Postgres's stems, so
 * "refunds" must find "refunded" here too; a prefix match also catches derivations the light stem keeps apart.
 */
export function matchesStem(token: string, stem: string): boolean {
  return token.startsWith(stem) || lightStem(token) === stem;
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
      if (matchesStem(token, stem)) counts.set(stem, (counts.get(stem) ?? 0) + 1);
    }
  }
  let sum = 0;
  for (const tf of counts.values()) sum += (tf * (K1 + 1)) / (tf + K1);
  return sum * (counts.size / stems.length);
}
