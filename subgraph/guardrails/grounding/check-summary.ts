// The output rail for `summarize`: a summary may shorten and reword its source, never add to it, so every
// number, amount, date and proper name it states must be in the source. Word overlap is not asked for:
// a good summary's wording is its own.
import { splitSentences } from '../../text/sentences';
import { indexSources } from './source-index';
import { missingFacts } from './support';
import type { MissingFact } from './support';

export interface SummaryCheck {
  outcome: 'pass' | 'rejected';
  /** Each fact absent from the source, once. */
  missing: MissingFact[];
}

export function checkSummary(summary: string, source: string): SummaryCheck {
  const index = indexSources([source]);
  const seen = new Set<string>();
  const missing: MissingFact[] = [];
  for (const sentence of splitSentences(summary)) {
    for (const fact of missingFacts(sentence, index)) {
      const key = `${fact.kind}:${fact.text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      missing.push(fact);
    }
  }
  return { outcome: missing.length === 0 ? 'pass' : 'rejected', missing };
}
