// Calendar dates in text as their parts (day, month, year), so "14 October 1066", "October 14, 1066" and
// "1066-10-14" are one fact. Month names count only capitalized: "may" is a verb far more often than a month.
import type { TakenSpans } from './spans';

export interface DateMention {
  text: string;
  year?: number;
  month?: number;
  day?: number;
  start: number;
  end: number;
}

const MONTHS = [
  ['January', 'Jan'],
  ['February', 'Feb'],
  ['March', 'Mar'],
  ['April', 'Apr'],
  ['May'],
  ['June', 'Jun'],
  ['July', 'Jul'],
  ['August', 'Aug'],
  ['September', 'Sept', 'Sep'],
  ['October', 'Oct'],
  ['November', 'Nov'],
  ['December', 'Dec'],
];
const MONTH_NUMBER = new Map(MONTHS.flatMap((names, index) => names.map((name) => [name, index + 1])));
const MONTH = `(${MONTHS.flat().join('|')})\\.?`;
const DAY = '(\\d{1,2})(?:st|nd|rd|th)?';

type Part = 'day' | 'month' | 'year' | 'bc';

// Longest forms first: once a full date claims its span, its month and day are not read again as a shorter one.
const FORMS: { pattern: RegExp; parts: Part[] }[] = [
  {
    pattern: new RegExp(`\\b${DAY}\\s+(?:of\\s+)?${MONTH},?\\s+(\\d{1,4})\\b`, 'gu'),
    parts: ['day', 'month', 'year'],
  },
  { pattern: new RegExp(`\\b${MONTH}\\s+${DAY},?\\s+(\\d{3,4})\\b`, 'gu'), parts: ['month', 'day', 'year'] },
  { pattern: /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/gu, parts: ['year', 'month', 'day'] },
  { pattern: new RegExp(`\\b${MONTH},?\\s+(\\d{3,4})\\b`, 'gu'), parts: ['month', 'year'] },
  { pattern: new RegExp(`\\b${MONTH}\\s+${DAY}\\b(?!,?\\s+\\d)`, 'gu'), parts: ['month', 'day'] },
  { pattern: new RegExp(`\\b${DAY}\\s+(?:of\\s+)?${MONTH}`, 'gu'), parts: ['day', 'month'] },
  { pattern: /\b(\d{1,4})\s?(BCE?|AD|CE)\b/gu, parts: ['year', 'bc'] },
  { pattern: /\bAD\s?(\d{1,4})\b/gu, parts: ['year'] },
  // A bare year counts as a date only where a preposition of time says it is one ("in 1066"); elsewhere it is a number.
  {
    pattern:
      /(?<=\b(?:[Ii]n|[Ss]ince|[Uu]ntil|[Tt]ill|[Bb]efore|[Aa]fter|[Dd]uring|[Bb]y|[Ff]rom|[Cc]irca|[Aa]round)\s+)(\d{4})\b(?!s)/gu,
    parts: ['year'],
  },
];

function partsOf(
  match: RegExpMatchArray,
  parts: Part[],
): Omit<DateMention, 'text' | 'start' | 'end'> | undefined {
  const date: { year?: number; month?: number; day?: number } = {};
  for (const [index, part] of parts.entries()) {
    const value = match[index + 1] ?? '';
    switch (part) {
      case 'day':
        date.day = Number(value);
        break;
      case 'month':
        date.month = MONTH_NUMBER.get(value) ?? Number(value);
        break;
      case 'year':
        date.year = Number(value);
        break;
      case 'bc':
        if (value.startsWith('B') && date.year !== undefined) date.year = -date.year;
        break;
    }
  }
  const valid =
    (date.day === undefined || (date.day >= 1 && date.day <= 31)) &&
    (date.month === undefined || (date.month >= 1 && date.month <= 12));
  return valid ? date : undefined;
}

/** Every date mention outside `taken`, claimed into it. */
export function findDates(text: string, taken: TakenSpans): DateMention[] {
  const found: DateMention[] = [];
  for (const { pattern, parts } of FORMS) {
    for (const match of text.matchAll(pattern)) {
      const start = match.index ?? 0;
      const end = start + match[0].length;
      const date = partsOf(match, parts);
      if (!date || taken.overlaps(start, end)) continue;
      taken.take(start, end);
      found.push({ text: match[0], ...date, start, end });
    }
  }
  return found;
}
