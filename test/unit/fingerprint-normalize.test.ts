// normalizeForFingerprint collapses whitespace with a regex that leaves single spaces alone (for speed on a
// cache hit); the completion cache's keys depend on it giving exactly what `\s+` -> ' ' gave.
import { normalizeForFingerprint } from '../../subgraph/text/fingerprint';

const reference = (text: string): string => text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

// Every character JavaScript's \s matches, and some that it does not (zero-width space, letters, NFKC forms).
const ALPHABET = [
  ' ',
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
  '\u200b',
  'a',
  'B',
  'é',
  'ﬁ',
  '①',
  '.',
];

/** A deterministic pseudo-random generator, so a failure reproduces. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('normalizeForFingerprint', () => {
  it('gives what collapsing every \\s+ run to one space gives, on 5,000 mixed strings', () => {
    const random = generator(13);
    for (let i = 0; i < 5000; i++) {
      const length = Math.floor(random() * 24);
      let text = '';
      for (let j = 0; j < length; j++) text += ALPHABET[Math.floor(random() * ALPHABET.length)];
      expect(JSON.stringify(normalizeForFingerprint(text))).toBe(JSON.stringify(reference(text)));
    }
  });

  it('collapses runs, turns a lone tab or no-break space into a space, and trims', () => {
    expect(normalizeForFingerprint('  A\tb  \n\n c\u00a0d\u3000 ')).toBe('a b c d');
    expect(normalizeForFingerprint('one two')).toBe('one two');
  });
});
