// Numbers in text as values: digits with thousands separators, decimals, ordinals ("10th"), decades
// ("1960s"), a scale word after digits ("1.5 million") and number words ("one thousand") all read as the
// value they state, so the same figure written two ways is one fact.
//
// A figure is read whole, as real text writes it: thousands grouped by ",", ".", an apostrophe or a
// non-breaking or thin space ("1,200", "1.200.000", "1'200", "1 200"), a decimal point or comma ("4.5",
// "4,5"), both together ("1,234.56", "1.234,56"). A digit right after a "." or "," is part of the figure, never
// skipped. A run that is no one number is a list where only commas join it ("1,2,3": each a figure), and
// otherwise the sequence it is ("2.4.1", "10.0.0.1"), which must appear as that sequence in the sources. Digits of other scripts ("３０") are read as digits (`asciiDigits`).
import { NUMBER_WORDS, ORDINAL_WORDS, SCALES, numberWordsValue, ordinalWordValue } from './number-words';
import type { TakenSpans } from './spans';
import { NON_CJK_LETTER } from '../../text/cjk';

export interface NumberMention {
  text: string;
  /** The value the figure states; NaN for a `sequence`. */
  value: number;
  /**
   * Other values the notation may equally mean: "1,200" is 1200 with a thousands comma, or 1.2 with a
   * decimal one; "1.200" the other way round. The figure is supported when the sources state any of them.
   */
  alternatives?: readonly number[];
  /** A digit run that is no single number ("2.4.1"): its digit groups joined by ".". */
  sequence?: string;
  start: number;
  end: number;
}

/** A figure's reading: a value (and any other its notation may mean), a list of figures, or a sequence. */
export type FigureReading = { value: number; alternatives: number[] } | { list: true } | { sequence: string };

/**
 * A digit run with its separators, as a regular-expression source (no capture group). A "." or "," joins the
 * digits after it; an apostrophe or a non-breaking or thin space only a group of exactly three (a thousands
 * group: "5'10" is two figures).
 */
export const FIGURE_RUN = "\\d+(?:(?:[.,]|['’\\u00A0\\u202F\\u2009](?=\\d{3}(?!\\d)))\\d+)*";

// Chinese, Japanese and Korean count large figures in myriads: 万 (만) is 10⁴, 億 (亿, 억) 10⁸, 兆 10¹²; 千 (천)
// is 10³, and 百 or 千 before a myriad multiplies it ("3千万" is 3 × 10⁷). Korean 조 (10¹²) is left out: after
// a figure it is far more often an article ("제3조", article 3) than a trillion.
const CJK_UNITS: Readonly<Record<string, number>> = {
  百: 100,
  千: 1_000,
  万: 1e4,
  萬: 1e4,
  億: 1e8,
  亿: 1e8,
  兆: 1e12,
  백: 100,
  천: 1_000,
  만: 1e4,
  억: 1e8,
};
const CJK_SCALE = '[百千]?[万萬億亿兆]|千|[백천]?[만억]|천';

// Not inside a word ("A380"), nor after a separator glued to one ("v2.0": the 0); a lone leading decimal point
// (".5") belongs to the figure. The suffixes are ordinal and decade ones. A minus sign glued to the figure
// makes it negative ("-5 °C", "−3.2 %"), unless it joins two words or figures ("2019-2020", "COVID-19") or
// follows another dash. Chinese, Japanese and Korean characters are no word around a figure: their text
// writes figures against them ("30日以内", "3분기"), and after one a CJK scale multiplies it ("3.5万", "2억").
const LETTER = NON_CJK_LETTER;
const DIGITS = new RegExp(
  `(?<!${LETTER}|\\p{N})(?<!(?:${LETTER}|\\p{N})[.,])(?:(?<!${LETTER}|[\\p{N}\\p{Pd}\\u2212])([-\\u2212\\u2013]))?(\\.?${FIGURE_RUN})(?:st|nd|rd|th|s)?(?!${LETTER}|\\p{N})(?:\\s+(hundred|thousand|million|billion|trillion)\\b|(${CJK_SCALE}))?`,
  'gu',
);

const GROUP_ONLY = new Set(["'", '’', '\u00A0', '\u202F', '\u2009']);

/** Whether `groups` are thousands groups: a first group of one to three digits not led by 0, then threes. */
const isGrouping = (groups: readonly string[]) =>
  /^[1-9]\d{0,2}$/.test(groups[0] ?? '') && groups.slice(1).every((group) => group.length === 3);

/** The reading of a digit run matched by FIGURE_RUN, optionally led by a decimal point (".5"). */
export function readFigure(run: string): FigureReading {
  const text = run.startsWith('.') ? `0${run}` : run;
  const groups = text.split(/\D/);
  const separators = text.match(/\D/g) ?? [];
  const last = separators[separators.length - 1];
  if (last === undefined) return { value: Number(text), alternatives: [] };
  const integer = groups.slice(0, -1).join('');
  const decimal = Number(`${integer}.${groups[groups.length - 1]}`);
  const whole = Number(groups.join(''));
  const same = separators.every((separator) => separator === last);
  if (same && GROUP_ONLY.has(last)) return { value: whole, alternatives: [] };
  if (separators.length === 1) {
    // One "." or ",": a decimal point, unless a comma is followed by a thousands group. Three digits after
    // either may be the other reading in the other convention.
    if (!isGrouping(groups)) return { value: decimal, alternatives: [] };
    return last === ','
      ? { value: whole, alternatives: [decimal] }
      : { value: decimal, alternatives: [whole] };
  }
  if (same && isGrouping(groups)) return { value: whole, alternatives: [] };
  // Thousands grouped by one separator, then the other as the decimal separator ("1,234.56", "1.234,56").
  const grouping = separators.slice(0, -1);
  const first = grouping[0];
  if (
    (last === '.' || last === ',') &&
    first !== last &&
    grouping.every((separator) => separator === first) &&
    isGrouping(groups.slice(0, -1))
  ) {
    return { value: decimal, alternatives: [] };
  }
  if (same && last === ',') return { list: true };
  return { sequence: groups.map((group) => String(Number(group))).join('.') };
}

/** The factor a scale word names ("million", "千万"), if any. */
function scaleFactor(scale: string): number | undefined {
  const word = SCALES[scale.toLowerCase()];
  if (word !== undefined) return word;
  const units = [...scale].map((char) => CJK_UNITS[char]);
  return units.every((unit) => unit !== undefined)
    ? units.reduce((product, unit) => product * unit, 1)
    : undefined;
}

/**
 * `value` times the scale word `scale` names ("million", "万"), if any, computed in decimal: the scales are
 * powers of ten, so the decimal point moves ("4.1" million is "4.1e6", 4100000). Multiplying binary floats
 * would not be exact (4.1 × 10⁶ is 4099999.9999999995), and figures are compared as exact values.
 */
export function scaled(value: number, scale: string | undefined): number {
  const factor = scale ? scaleFactor(scale) : undefined;
  if (factor === undefined || factor === 1) return value;
  const written = String(value);
  return written.includes('e') ? value * factor : Number(`${written}e${Math.round(Math.log10(factor))}`);
}

// Decimal digits of other scripts ("３０", "٣٠", "३०"), each one UTF-16 unit, so offsets stay as they were;
// with them the full-width separators.
const OTHER_DIGIT = /(?![0-9])\p{Nd}|[\uFF0C\uFF0E]/gu;
const ASCII_ONLY = /^[^\u0080-\uffff]*$/;

function digitValue(char: string): string {
  if (char === '\uFF0C') return ',';
  if (char === '\uFF0E') return '.';
  const code = char.charCodeAt(0);
  // Unicode encodes each script's digits as a run 0 to 9; runs may abut, so count from the block's start.
  let zero = code;
  while (zero > 0 && /\p{Nd}/u.test(String.fromCharCode(zero - 1))) zero--;
  return String((code - zero) % 10);
}

/** `text` with every decimal digit written in ASCII ("３０ days" → "30 days"), same length, same offsets. */
export function asciiDigits(text: string): string {
  if (ASCII_ONLY.test(text)) return text;
  // A digit beyond the BMP is two units: left as written, not to shift what follows.
  return text.replace(OTHER_DIGIT, (char) => (char.length === 1 ? digitValue(char) : char));
}

// Units of measure: "one" before one of them states a quantity ("one percent", "one kilogram"). A bare "point"
// is no unit: "at one point", "one point of contact" name a moment or an item; "percentage point" and "basis
// point" measure.
const MEASURE_UNIT =
  'percent|per cent|percentage point|basis point|cent|dollar|euro|pound|franc|yen|rupee|gram|kilogram|kilo|tonne|ton|ounce|metre|meter|kilometre|kilometer|centimetre|centimeter|millimetre|millimeter|mile|foot|inch|yard|litre|liter|gallon|degree|kilowatt|watt|volt|byte|kilobyte|megabyte|gigabyte|terabyte';
// Units of time: "one" before one of them states a duration ("lasts one year"), unless the phrase sets a
// scene (see `setsTheScene`).
const TIME_UNIT = 'second|minute|hour|day|night|week|fortnight|month|quarter|year|decade|century|millennium';
const UNIT_AFTER = new RegExp(`^([\\s-]+)(?:(${TIME_UNIT})|${MEASURE_UNIT})(?![\\p{L}\\p{N}])`, 'iu');
// "The one day we met", "no one", "each one": after a determiner "one" picks a thing out, it counts nothing.
const DETERMINER_BEFORE = /(?:^|[^\p{L}])(?:the|this|that|which|no|any|every|each|some|another)\s+$/iu;
// Where a clause opens: the sentence's start (an opening quote or bracket aside), a comma or semicolon, or a
// conjunction that joins a new clause ("Then one day …", "until one night …").
const CLAUSE_OPENS_BEFORE = /(?:^|[.!?;,]|(?:^|[^\p{L}])(?:and|but|then|until|so|when|while))[\s"'“‘(]*$/iu;
// What follows a time phrase that measures from or of something: "one year later", "one day's notice", "one
// year of support", "one week ago", "one month after the launch".
const MEASURES_AFTER =
  /^(?:['’]s?(?![\p{L}\p{N}])|\s+(?:ago|later|earlier|after|afterwards|before|beforehand|prior|of|long|old|from|in advance|more|less|or|to)(?![\p{L}\p{N}]))/iu;
// What follows a time phrase that sets a scene: a comma, or the clause's subject (a pronoun, an article or
// possessive, a capitalized name): "One day, the team met …", "One night she left".
const SUBJECT_AFTER =
  /^\s*(?:,|(?:the|a|an|i|we|you|he|she|it|they|this|that|these|those|there|our|my|his|her|its|their|your)(?![\p{L}\p{N}])|\p{Lu})/u;

/**
 * Whether the time phrase "one <unit>" whose unit ends at `unitEnd` sets a scene rather than measures: it opens
 * its clause and the clause's subject or a comma follows ("One day, the team met Christina", "then one night
 * they left"), and nothing after it measures from or of something ("One year later, …", "One day of training
 * is included"). A duration is otherwise a quantity ("lasts one year", "within one week").
 */
function setsTheScene(text: string, start: number, unitEnd: number): boolean {
  const after = text.slice(unitEnd, unitEnd + 40);
  return (
    CLAUSE_OPENS_BEFORE.test(text.slice(Math.max(0, start - 20), start)) &&
    !MEASURES_AFTER.test(after) &&
    SUBJECT_AFTER.test(after)
  );
}

/**
 * Whether the number word at [start, end) of `text` states a quantity: "one" measures only where a unit of time
 * or measure follows it and no determiner comes before it; a joined unit ("one-year warranty") always measures,
 * a time unit not where the phrase sets a scene.
 */
function isQuantity(text: string, start: number, end: number): boolean {
  const unit = UNIT_AFTER.exec(text.slice(end, end + 40));
  if (unit === null || DETERMINER_BEFORE.test(text.slice(Math.max(0, start - 20), start))) return false;
  const [written, gap = '', timeUnit] = unit;
  if (timeUnit === undefined || gap.includes('-')) return true;
  return !setsTheScene(text, start, end + written.length);
}

/**
 * Every number mention outside `taken`, claimed into it. `asClaim` leaves out the lone word "one", which in a
 * sentence is far more often a pronoun ("one of the …") than a figure a source must state, unless it measures
 * (`isQuantity`: "lasts one year"): then it is a quantity like "two years". In an idiom it counts nothing ("At
 * one point, …", "One day, the team met …").
 */
export function findNumbers(text: string, taken: TakenSpans, asClaim: boolean): NumberMention[] {
  const found: NumberMention[] = [];
  type Reading = Pick<NumberMention, 'value' | 'alternatives' | 'sequence'>;
  const add = (written: string, start: number, reading: Reading) => {
    const end = start + written.length;
    if (taken.overlaps(start, end)) return;
    taken.take(start, end);
    found.push({ text: written, ...reading, start, end });
  };
  for (const match of text.matchAll(DIGITS)) {
    const [written, minus, figure = '', englishScale, cjkScale] = match;
    const scale = englishScale ?? cjkScale;
    const sign = minus === undefined ? 1 : -1;
    // The figure's own span: a sign is read only where the figure is one number.
    const figureStart = (match.index ?? 0) + (minus?.length ?? 0);
    const reading = readFigure(figure);
    if ('list' in reading) {
      for (const item of figure.matchAll(/\d+/g)) {
        add(item[0], figureStart + (item.index ?? 0), { value: Number(item[0]) });
      }
    } else if ('sequence' in reading) {
      add(written.slice(minus?.length ?? 0), figureStart, { value: NaN, sequence: reading.sequence });
    } else {
      const alternatives = reading.alternatives.map((value) => sign * scaled(value, scale));
      add(written, match.index ?? 0, {
        value: sign * scaled(reading.value, scale),
        ...(alternatives.length > 0 ? { alternatives } : {}),
      });
    }
  }
  for (const match of text.matchAll(NUMBER_WORDS)) {
    const start = match.index ?? 0;
    const end = start + match[0].length;
    if (asClaim && match[0].toLowerCase() === 'one' && !isQuantity(text, start, end)) continue;
    add(match[0], start, { value: numberWordsValue(match[0]) });
  }
  if (!asClaim) {
    for (const match of text.matchAll(ORDINAL_WORDS)) {
      add(match[0], match.index ?? 0, { value: ordinalWordValue(match[0]) ?? NaN });
    }
  }
  return found;
}
