// Money amounts as currency and value, so "$5 million", "$5m", "USD 5,000,000" and "5 million dollars" are
// one fact, and "€5 million" is another. The figure is read whole, as numbers.ts reads one: "€4,99" is 4.99 euros.
import { FIGURE_RUN, readFigure, scaled } from './numbers';
import type { TakenSpans } from './spans';

export interface AmountMention {
  text: string;
  currency: string;
  value: number;
  /** Other values its notation may mean ("€1.200": 1.2 or 1200), as NumberMention's. */
  alternatives?: readonly number[];
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

// The whole digit run, never its first group alone ("€4,99" is not €4): no digit may follow it.
const FIGURE = `(${FIGURE_RUN})(?!\\d)`;
// "m", "bn" and "k" scale only when glued to a currency figure ("$5m"); after a bare number they are units.
const SCALE = '(?:\\s?(k|K|m|M|bn|mn)\\b|\\s+(thousand|million|billion|trillion)\\b)?';
const SYMBOL = '(US\\$|A\\$|C\\$|\\$|€|£|¥|₹|USD|EUR|GBP|JPY|INR|CHF|CAD|AUD)';
// After the figure, a currency word or code, or a sign as continental text writes it ("4,99 €", "5 $").
const WORD = '(USD|EUR|GBP|JPY|INR|CHF|CAD|AUD|dollars?|euros?|pounds?|yen|rupees?|francs|€|£|¥|₹|\\$)';

const PREFIXED = new RegExp(`${SYMBOL}\\s?${FIGURE}${SCALE}`, 'gu');
const SUFFIXED = new RegExp(
  `(?<![\\p{L}\\p{N}])(?<![\\p{L}\\p{N}][.,])${FIGURE}(?:\\s+(thousand|million|billion|trillion))?\\s?${WORD}(?![\\p{L}\\p{N}])`,
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
  const add = (match: RegExpMatchArray, symbol: string, figure: string, scale: string | undefined) => {
    const start = match.index ?? 0;
    const end = start + match[0].length;
    const currency = CURRENCIES[symbol.toLowerCase()];
    const reading = readFigure(figure);
    // A run that is no one number ("$1.2.3") is no amount: numbers.ts reads it.
    if (!currency || !('value' in reading) || taken.overlaps(start, end)) return;
    taken.take(start, end);
    const alternatives = reading.alternatives.map((value) => scaled(value, scale));
    found.push({
      text: match[0],
      currency,
      value: scaled(reading.value, scale),
      ...(alternatives.length > 0 ? { alternatives } : {}),
      start,
      end,
    });
  };
  for (const match of text.matchAll(PREFIXED)) {
    const [, symbol = '', figure = '', short, long] = match;
    add(match, symbol, figure, short ? SHORT_SCALES[short.toLowerCase()] : long);
  }
  for (const match of text.matchAll(SUFFIXED)) {
    const [, figure = '', scale, word = ''] = match;
    add(match, word, figure, scale);
  }
  return found;
}
