// Calendar dates in text as their parts (day, month, year), so "14 October 1066", "October 14, 1066",
// "1066-10-14" and "14.10.1066" are one fact. Month names count only capitalized: "may" is a verb far more
// often than a month. Numeric dates: year first is year-month-day ("1066-10-14", "1066/10/14"); dotted is
// day.month.year, as the countries writing it write it; slashed ("03/04/2026") is day/month in most of the
// world and month/day in the US, so where both readings are dates it has both, and either may be the one
// the sources state. Chinese, Japanese and Korean write a date year, month, day, each with its unit.
import type { TakenSpans } from './spans';

export interface DateParts {
  year?: number;
  month?: number;
  day?: number;
}

export interface DateMention extends DateParts {
  text: string;
  /** The other reading of a slashed date whose day and month may be either way round ("03/04/2026"). */
  alternative?: DateParts;
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
// A month's name is a whole word: "Marketing" and "Junior" start with "Mar" and "Jun" and name no month.
const MONTH = `(${MONTHS.flat().join('|')})(?![\\p{L}\\p{N}])\\.?`;
const DAY = '(\\d{1,2})(?:st|nd|rd|th)?';

type Part = 'day' | 'month' | 'year' | 'bc';

// A numeric date stands alone: not part of a longer run of figures ("1.2.2026.4" is a sequence, not a date).
// Its year has four digits: "31.12.26" could be any century, and is read as its figures.
const NUMERIC_START = '(?<![\\p{L}\\p{N}]|\\p{N}[.,/-])';
const NUMERIC_END = '(?![\\p{L}\\p{N}]|[.,/-]\\d)';
const numeric = (body: string) => new RegExp(`${NUMERIC_START}${body}${NUMERIC_END}`, 'gu');

interface Form {
  pattern: RegExp;
  parts: Part[];
  /** Day and month may be either way round: the other reading is kept too where it is a date. */
  eitherWay?: boolean;
}

// Chinese, Japanese and Korean dates: 2024年3月1日, 2024년 5월 14일, with the day also as 号 in Chinese.
const CJK_YEAR = '(?<!\\d)(\\d{4})\\s?[年년]';
const CJK_MONTH = '(?<!\\d)(\\d{1,2})\\s?[月월]';
const CJK_DAY = '(\\d{1,2})\\s?[日일号號]';

// Longest forms first: once a full date claims its span, its month and day are not read again as a shorter one.
const FORMS: Form[] = [
  { pattern: new RegExp(`${CJK_YEAR}\\s?${CJK_MONTH}\\s?${CJK_DAY}`, 'gu'), parts: ['year', 'month', 'day'] },
  { pattern: new RegExp(`${CJK_YEAR}\\s?${CJK_MONTH}`, 'gu'), parts: ['year', 'month'] },
  { pattern: new RegExp(`${CJK_MONTH}\\s?${CJK_DAY}`, 'gu'), parts: ['month', 'day'] },
  {
    pattern: new RegExp(`\\b${DAY}\\s+(?:of\\s+)?${MONTH},?\\s+(\\d{1,4})\\b`, 'gu'),
    parts: ['day', 'month', 'year'],
  },
  { pattern: new RegExp(`\\b${MONTH}\\s+${DAY},?\\s+(\\d{3,4})\\b`, 'gu'), parts: ['month', 'day', 'year'] },
  { pattern: numeric('(\\d{4})-(\\d{1,2})-(\\d{1,2})'), parts: ['year', 'month', 'day'] },
  { pattern: numeric('(\\d{4})/(\\d{1,2})/(\\d{1,2})'), parts: ['year', 'month', 'day'] },
  { pattern: numeric('(\\d{4})\\.(\\d{1,2})\\.(\\d{1,2})'), parts: ['year', 'month', 'day'] },
  { pattern: numeric('(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})'), parts: ['day', 'month', 'year'] },
  { pattern: numeric('(\\d{1,2})/(\\d{1,2})/(\\d{4})'), parts: ['day', 'month', 'year'], eitherWay: true },
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

function partsOf(match: RegExpMatchArray, parts: Part[]): DateParts | undefined {
  const date: DateParts = {};
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
  for (const { pattern, parts, eitherWay } of FORMS) {
    for (const match of text.matchAll(pattern)) {
      const start = match.index ?? 0;
      const end = start + match[0].length;
      const readings = [partsOf(match, parts)];
      if (eitherWay) {
        const swapped = parts.map((part) => (part === 'day' ? 'month' : part === 'month' ? 'day' : part));
        readings.push(partsOf(match, swapped));
      }
      const [date, alternative] = readings.filter((reading) => reading !== undefined);
      if (!date || taken.overlaps(start, end)) continue;
      taken.take(start, end);
      const other = alternative && alternative.day !== date.day ? { alternative } : {};
      found.push({ text: match[0], ...date, ...other, start, end });
    }
  }
  return found;
}
