// Money amounts as currency and value, so "$5 million", "$5m", "USD 5,000,000" and "5 million dollars" are
// one fact, and "€5 million" is another.
import { digitsValue } from './numbers';
import type { TakenSpans } from './spans';

export interface AmountMention {
  text: string;
  currency: string;
  value: number;
  start: number;
  end: number;
}

const CURRENCIES: Readonly<Record<string, string>> = {
  $: 'USD',
  us$: 'USD',
  usd: 'USD',
  dollar: 'USD',
  dollars: 'USD',
  a$: 'AUD',
  aud: 'AUD',
  c$: 'CAD',
  cad: 'CAD',
  '€': 'EUR',
  eur: 'EUR',
  euro: 'EUR',
  euros: 'EUR',
  '£': 'GBP',
  gbp: 'GBP',
  pound: 'GBP',
  pounds: 'GBP',
  '¥': 'JPY',
  jpy: 'JPY',
  yen: 'JPY',
  '₹': 'INR',
  inr: 'INR',
  rupee: 'INR',
  rupees: 'INR',
  chf: 'CHF',
  francs: 'CHF',
};

/** Whether a lowercased word names a currency ("dollars", "eur"): part of an amount, checked as one. */
export function isCurrencyWord(word: string): boolean {
  return CURRENCIES[word] !== undefined;
}

const FIGURE = '(\\d{1,3}(?:,\\d{3})+|\\d+)(\\.\\d+)?';
// "m", "bn" and "k" scale only when glued to a currency figure ("$5m"); after a bare number they are units.
const SCALE = '(?:\\s?(k|K|m|M|bn|mn)\\b|\\s+(thousand|million|billion|trillion)\\b)?';
const SYMBOL = '(US\\$|A\\$|C\\$|\\$|€|£|¥|₹|USD|EUR|GBP|JPY|INR|CHF|CAD|AUD)';
const WORD = '(USD|EUR|GBP|JPY|INR|CHF|CAD|AUD|dollars?|euros?|pounds?|yen|rupees?|francs)';

const PREFIXED = new RegExp(`${SYMBOL}\\s?${FIGURE}${SCALE}`, 'gu');
const SUFFIXED = new RegExp(
  `(?<![\\p{L}\\p{N}])${FIGURE}(?:\\s+(thousand|million|billion|trillion))?\\s?${WORD}\\b`,
  'gu',
);

const SHORT_SCALES: Readonly<Record<string, string>> = {
  k: 'thousand',
  m: 'million',
  mn: 'million',
  bn: 'billion',
};

/** Every amount mention outside `taken`, claimed into it. */
export function findAmounts(text: string, taken: TakenSpans): AmountMention[] {
  const found: AmountMention[] = [];
  const add = (match: RegExpMatchArray, symbol: string, value: number) => {
    const start = match.index ?? 0;
    const end = start + match[0].length;
    const currency = CURRENCIES[symbol.toLowerCase()];
    if (!currency || taken.overlaps(start, end)) return;
    taken.take(start, end);
    found.push({ text: match[0], currency, value, start, end });
  };
  for (const match of text.matchAll(PREFIXED)) {
    const [, symbol = '', integer = '', fraction, short, long] = match;
    add(match, symbol, digitsValue(integer, fraction, short ? SHORT_SCALES[short.toLowerCase()] : long));
  }
  for (const match of text.matchAll(SUFFIXED)) {
    const [, integer = '', fraction, scale, word = ''] = match;
    add(match, word, digitsValue(integer, fraction, scale));
  }
  return found;
}
