// What a set of source passages states, indexed once per check: their word stems (for overlap and names),
// and every number, date and amount they hold as values (for the facts a claim must find in them).
import { lightStem } from '../../text/light-stem';
import { tokenize } from '../../text/tokens';
import { findAmounts } from './amounts';
import { findDates } from './dates';
import type { DateMention } from './dates';
import { findNumbers } from './numbers';
import { TakenSpans } from './spans';

export interface SourceIndex {
  stems: ReadonlySet<string>;
  /** Distinct lowercased tokens, sorted, so a stem can be looked up as a prefix ("invoic" → "invoice"). */
  sortedTokens: readonly string[];
  numbers: ReadonlySet<number>;
  dates: readonly Pick<DateMention, 'year' | 'month' | 'day'>[];
  /** `${currency} ${value}` of every amount. */
  amounts: ReadonlySet<string>;
}

export const amountKey = (currency: string, value: number): string => `${currency} ${value}`;

/** A token's form for matching: possessives dropped ("Turing's" → "turing"), then the light stem. */
export function matchForm(token: string): string {
  return lightStem(token.replace(/'s?$/, ''));
}

export function indexSources(sources: readonly string[]): SourceIndex {
  const tokens = new Set<string>();
  const numbers = new Set<number>();
  const dates: SourceIndex['dates'][number][] = [];
  const amounts = new Set<string>();
  for (const source of sources) {
    for (const token of tokenize(source)) tokens.add(token);
    // Each reader gets its own spans: in a source every reading counts ("14 October 1066" also states 1066).
    for (const amount of findAmounts(source, new TakenSpans())) {
      amounts.add(amountKey(amount.currency, amount.value));
    }
    for (const { year, month, day } of findDates(source, new TakenSpans())) {
      dates.push({ year, month, day });
      if (year !== undefined) numbers.add(Math.abs(year));
    }
    for (const number of findNumbers(source, new TakenSpans(), false)) numbers.add(number.value);
  }
  const stems = new Set<string>();
  for (const token of tokens) {
    stems.add(lightStem(token));
    stems.add(matchForm(token));
  }
  return { stems, sortedTokens: [...tokens].sort(), numbers, dates, amounts };
}

/** Whether some source token is a form of `stem`: the same light stem, or a word it begins. */
export function sourcesHaveStem(index: SourceIndex, stem: string): boolean {
  if (index.stems.has(stem)) return true;
  const tokens = index.sortedTokens;
  let low = 0;
  let high = tokens.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((tokens[middle] ?? '') < stem) low = middle + 1;
    else high = middle;
  }
  return tokens[low]?.startsWith(stem) ?? false;
}
