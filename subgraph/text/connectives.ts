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

/** Whether `sentence` opens on a connective that needs the sentence before it to make sense. */
export function opensOnConnective(sentence: string): boolean {
  return OPENER.test(sentence.trimStart());
}
