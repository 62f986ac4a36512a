// What a set of source passages states, indexed once per check: their word stems (for overlap and names),
// and every number, date and amount they hold as values (for the facts a claim must find in them). A figure or
// date whose notation allows two readings ("1,200", "03/04/2026") states both: a claim may mean either.
import { lightStem } from '../../text/light-stem';
import { tokenize } from '../../text/tokens';
import { hasCjk } from '../../text/cjk';
import { findAmounts } from './amounts';
import { findDates } from './dates';
import type { DateMention } from './dates';
import { asciiDigits, findNumbers } from './numbers';
import { TakenSpans } from './spans';

export interface SourceIndex {
  stems: ReadonlySet<string>;
  /** Distinct lowercased tokens, sorted, so a stem can be looked up as a prefix ("invoic" → "invoice"). */
  sortedTokens: readonly string[];
  numbers: ReadonlySet<number>;
  /** Digit runs that are no one number ("2.4.1"), as NumberMention's `sequence`. */
  sequences: ReadonlySet<string>;
  dates: readonly Pick<DateMention, 'year' | 'month' | 'day'>[];
  /** `${currency} ${value}` of every amount. */
  amounts: ReadonlySet<string>;
}

export const amountKey = (currency: string, value: number): string => `${currency} ${value}`;

// Nothing above U+007F: no character with a diacritic to fold.
const ASCII = /^[^\u0080-\uffff]*$/;

/** A token without its diacritics ("hervé" → "herve"): models and sources differ in accents more than in names. */
export function foldAccents(token: string): string {
  // Most tokens are plain ASCII, which has nothing to fold: NFD and the mark scan cost more than the check.
  // A CJK bigram has no accents: NFD would strip Japanese voicing marks ("プラン" read as "フラン") and cut
  // Korean syllables into letters, so that "하" began "한".
  return ASCII.test(token) || hasCjk(token) ? token : token.normalize('NFD').replace(/\p{M}+/gu, '');
}

/** A token's form for matching: accents and possessives dropped ("Turing's" → "turing"), then the light stem. */
export function matchForm(token: string): string {
  return foldedMatchForm(foldAccents(token));
}

/** `matchForm` of a token whose accents are already folded; `stem`, its light stem, when already known. */
function foldedMatchForm(folded: string, stem?: string): string {
  if (folded.endsWith("'") || folded.endsWith("'s")) return lightStem(folded.replace(/'s?$/, ''));
  return stem ?? lightStem(folded);
}

export function indexSources(sources: readonly string[]): SourceIndex {
  const raw = new Set<string>();
  const numbers = new Set<number>();
  const sequences = new Set<string>();
  const dates: SourceIndex['dates'][number][] = [];
  const amounts = new Set<string>();
  for (const written of sources) {
    const source = asciiDigits(written);
    for (const token of tokenize(source)) raw.add(token);
    // Each reader gets its own spans: in a source every reading counts ("14 October 1066" also states 1066).
    for (const amount of findAmounts(source, new TakenSpans())) {
      for (const value of [amount.value, ...(amount.alternatives ?? [])]) {
        amounts.add(amountKey(amount.currency, value));
      }
    }
    for (const { year, month, day, alternative } of findDates(source, new TakenSpans())) {
      dates.push({ year, month, day });
      if (alternative) dates.push(alternative);
      if (year !== undefined) numbers.add(Math.abs(year));
    }
    for (const number of findNumbers(source, new TakenSpans(), false)) {
      if (number.sequence !== undefined) {
        sequences.add(number.sequence);
        // Its groups are figures the source states too, as they were before the run was read whole.
        for (const group of number.sequence.split('.')) numbers.add(Number(group));
        continue;
      }
      // A negative figure states its magnitude too: prose drops the sign ("fell 5 %" for "-5 %"), while a claim
      // that adds one ("-5 °C" for "5 °C") states what no source does.
      for (const value of [number.value, ...(number.alternatives ?? [])]) {
        numbers.add(value);
        if (value < 0) numbers.add(-value);
      }
    }
  }
  // Each distinct token folded and stemmed once: a source repeats most of its words.
  const tokens = new Set<string>();
  for (const token of raw) tokens.add(foldAccents(token));
  const stems = new Set<string>();
  for (const token of tokens) {
    const stem = lightStem(token);
    stems.add(stem);
    stems.add(foldedMatchForm(token, stem));
  }
  return { stems, sortedTokens: [...tokens].sort(), numbers, sequences, dates, amounts };
}

/** The position of the first token not below `prefix`. */
function lowerBound(tokens: readonly string[], prefix: string): number {
  let low = 0;
  let high = tokens.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((tokens[middle] ?? '') < prefix) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Whether some source token is `form` followed by one of `endings` (a name and its adjective: "europ" + "ean"). */
export function sourcesHaveWordWithEnding(
  index: SourceIndex,
  form: string,
  endings: ReadonlySet<string>,
): boolean {
  const tokens = index.sortedTokens;
  for (let at = lowerBound(tokens, form); at < tokens.length; at++) {
    const token = tokens[at] ?? '';
    if (!token.startsWith(form)) return false;
    const ending = token.slice(form.length).replace(/['’]s?$/u, '');
    if (ending === '' || endings.has(ending)) return true;
  }
  return false;
}

// Derivations the light stem keeps apart ("solvability" and "solvable", "computational" and "computation")
// share a long common start: six letters, and three quarters of the shorter word.
const SHARED_START = 6;
const SHARED_SHARE = 0.75;

function sharedStart(a: string, b: string): number {
  let length = 0;
  while (length < a.length && length < b.length && a[length] === b[length]) length++;
  return length;
}

/**
 * Whether some source token is a form of `form` (a claim word's match form): the same light stem, a word it
 * begins ("invoic" → "invoice"), or, with `derivations`, a word sharing most of its start.
 */
export function sourcesHaveStem(index: SourceIndex, form: string, derivations = true): boolean {
  if (index.stems.has(form)) return true;
  const tokens = index.sortedTokens;
  const first = tokens[lowerBound(tokens, form)];
  if (first?.startsWith(form)) return true;
  if (!derivations || form.length < SHARED_START) return false;
  const start = form.slice(0, SHARED_START);
  for (let at = lowerBound(tokens, start); at < tokens.length; at++) {
    const token = tokens[at] ?? '';
    if (!token.startsWith(start)) break;
    if (sharedStart(token, form) >= SHARED_SHARE * Math.min(token.length, form.length)) return true;
  }
  return false;
}
