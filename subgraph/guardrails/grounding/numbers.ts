// Numbers in text as values: digits with thousands separators, decimals, ordinals ("10th"), decades
// ("1960s"), a scale word after digits ("1.5 million") and number words ("one thousand") all read as the
// value they state, so the same figure written two ways is one fact.
import { NUMBER_WORDS, ORDINAL_WORDS, SCALES, numberWordsValue, ordinalWordValue } from './number-words';
import type { TakenSpans } from './spans';

export interface NumberMention {
  text: string;
  value: number;
  start: number;
  end: number;
}

// Not inside a word ("A380") and not a digit group of a longer figure; the suffixes are ordinal and decade ones.
const DIGITS =
  /(?<![\p{L}\p{N}.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:st|nd|rd|th|s)?(?![\p{L}\p{N}])(?:\s+(hundred|thousand|million|billion|trillion)\b)?/gu;

/** The value of a digit figure: "1,500" → 1500, "2.5" with scale "million" → 2500000. */
export function digitsValue(
  integer: string,
  fraction: string | undefined,
  scale: string | undefined,
): number {
  const value = Number(`${integer.replaceAll(',', '')}${fraction ?? ''}`);
  return scale ? value * (SCALES[scale.toLowerCase()] ?? 1) : value;
}

/**
 * Every number mention outside `taken`, claimed into it. `asClaim` leaves out the lone word "one", which in a
 * sentence is far more often a pronoun ("one of the …") than a figure a source must state.
 */
export function findNumbers(text: string, taken: TakenSpans, asClaim: boolean): NumberMention[] {
  const found: NumberMention[] = [];
  const add = (match: RegExpMatchArray, value: number) => {
    const start = match.index ?? 0;
    const end = start + match[0].length;
    if (taken.overlaps(start, end)) return;
    taken.take(start, end);
    found.push({ text: match[0], value, start, end });
  };
  for (const match of text.matchAll(DIGITS)) add(match, digitsValue(match[1] ?? '', match[2], match[3]));
  for (const match of text.matchAll(NUMBER_WORDS)) {
    if (asClaim && match[0].toLowerCase() === 'one') continue;
    add(match, numberWordsValue(match[0]));
  }
  if (!asClaim) {
    for (const match of text.matchAll(ORDINAL_WORDS)) add(match, ordinalWordValue(match[0]) ?? NaN);
  }
  return found;
}
