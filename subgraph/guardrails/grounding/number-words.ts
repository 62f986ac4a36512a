// English number words as values, so "one thousand", "1,000" and "1000" are one fact: a model that
// rewrites a figure in words has not invented it, and one that changes its value has.

const UNITS: Readonly<Record<string, number>> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};

export const SCALES: Readonly<Record<string, number>> = {
  hundred: 100,
  thousand: 1e3,
  million: 1e6,
  billion: 1e9,
  trillion: 1e12,
};

// Ordinals only ever count as facts of a source ("the tenth century" supports "the 10th century"); in an answer
// "first" and "second" are too often ordinary words ("at first", "a second look") to demand of the sources.
const ORDINALS: Readonly<Record<string, number>> = {
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
  eleventh: 11,
  twelfth: 12,
  thirteenth: 13,
  fourteenth: 14,
  fifteenth: 15,
  sixteenth: 16,
  seventeenth: 17,
  eighteenth: 18,
  nineteenth: 19,
  twentieth: 20,
  hundredth: 100,
  thousandth: 1000,
};

const WORD = [...Object.keys(UNITS), ...Object.keys(SCALES)].join('|');

/** A run of number words ("twenty-one", "two hundred and five", "one thousand"), whole words only. */
export const NUMBER_WORDS = new RegExp(`\\b(?:${WORD})(?:(?:[\\s-]+(?:and[\\s-]+)?)(?:${WORD}))*\\b`, 'giu');

export const ORDINAL_WORDS = new RegExp(`\\b(?:${Object.keys(ORDINALS).join('|')})\\b`, 'giu');

/** The value of a run matched by NUMBER_WORDS: units and tens add up, a scale multiplies what came before it. */
export function numberWordsValue(run: string): number {
  let total = 0;
  let current = 0;
  for (const word of run.toLowerCase().split(/[\s-]+/)) {
    if (word === 'and' || word === '') continue;
    const unit = UNITS[word];
    if (unit !== undefined) {
      current += unit;
      continue;
    }
    const scale = SCALES[word] ?? 1;
    if (scale === 100) current = (current || 1) * scale;
    else {
      total += (current || 1) * scale;
      current = 0;
    }
  }
  return total + current;
}

export function ordinalWordValue(word: string): number | undefined {
  return ORDINALS[word.toLowerCase()];
}

const VOCABULARY: ReadonlySet<string> = new Set([
  ...Object.keys(UNITS),
  ...Object.keys(SCALES),
  ...Object.keys(ORDINALS),
]);

/** Whether a lowercased word is a number word, cardinal or ordinal. */
export function isNumberWord(word: string): boolean {
  return VOCABULARY.has(word);
}
