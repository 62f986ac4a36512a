// Sentence openers that lean on the sentence before them ("However, …"): shown without it, such a sentence
// reads as a fragment, so extractive summaries and passages never open on one.

const CONNECTIVES = [
  'however',
  'but',
  'yet',
  'still',
  'and',
  'or',
  'so',
  'also',
  'thus',
  'hence',
  'therefore',
  'moreover',
  'furthermore',
  'additionally',
  'consequently',
  'accordingly',
  'meanwhile',
  'instead',
  'nevertheless',
  'nonetheless',
  'otherwise',
  'besides',
  'likewise',
  'similarly',
  'conversely',
  'then',
  'in addition',
  'as a result',
  'for example',
  'for instance',
  'in contrast',
  'by contrast',
  'on the other hand',
  'that said',
  'even so',
  'in turn',
];

// Longest first so "on the other hand" is tried before any shorter prefix of it.
const OPENER = new RegExp(
  `^["'“‘(]*(?:${[...CONNECTIVES].sort((a, b) => b.length - a.length).join('|')})\\b(?![-'’])`,
  'iu',
);

// The same in Chinese, Japanese and Korean ("しかし、…", "但是…", "하지만 …"): no word boundary ends them in text
// without spaces, so a Japanese or Korean one must be followed by a comma or space, as they are written; the
// Chinese ones are words no sentence opens with otherwise.
const CJK_CONNECTIVES = (
  'しかし ただし だが でも ところが それでも また さらに そのため したがって そして つまり 一方 一方で 例えば ' +
  'たとえば 그러나 하지만 그런데 따라서 그래서 그러므로 또한 게다가 반면 그리고'
).split(' ');
const CJK_BOUND_CONNECTIVES = '但是 然而 不过 因此 所以 此外 另外 而且 例如 否则 于是'.split(' ');
const CJK_OPENER = new RegExp(
  `^["'“‘(「『]*(?:(?:${CJK_CONNECTIVES.join('|')})(?=[、，,\\s])|${CJK_BOUND_CONNECTIVES.join('|')})`,
  'u',
);

/** Whether `sentence` opens on a connective that needs the sentence before it to make sense. */
export function opensOnConnective(sentence: string): boolean {
  const opening = sentence.trimStart();
  return OPENER.test(opening) || CJK_OPENER.test(opening);
}
