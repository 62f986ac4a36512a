// Unit tests for the retrieval chunker: size bound, real overlap, boundary preference, hard splits, validation.

import type { TextChunk } from '../../subgraph/retrieval/chunking';
import { chunkText, normalizeText } from '../../subgraph/retrieval/chunking';

// Deterministic pseudo-random generator so the long fixtures are varied yet identical on every run.
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const VOCABULARY = [
  'tenant',
  'replica',
  'gateway',
  'latency',
  'budget',
  'provider',
  'circuit',
  'breaker',
  'embedding',
  'vector',
  'summary',
  'citation',
  'a',
  'of',
  'the',
  'incremental',
  'observability',
];

function sentence(random: () => number, minWords: number, maxWords: number): string {
  const count = minWords + Math.floor(random() * (maxWords - minWords + 1));
  const words = Array.from(
    { length: count },
    () => VOCABULARY[Math.floor(random() * VOCABULARY.length)] ?? 'x',
  );
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function document(seed: number, paragraphs: number, sentencesPerParagraph: number, maxWords = 8): string {
  const random = rng(seed);
  return Array.from({ length: paragraphs }, () =>
    Array.from({ length: sentencesPerParagraph }, () => sentence(random, 2, maxWords)).join(' '),
  ).join('\n\n');
}

function expectWellFormed(chunks: TextChunk[], input: string, maxChars: number, overlapChars: number): void {
  const normalized = normalizeText(input);
  expect(chunks.length).toBeGreaterThan(0);
  expect(chunks[0]?.start).toBe(0);
  expect(chunks[chunks.length - 1]?.end).toBe(normalized.length);
  chunks.forEach((chunk, i) => {
    expect(chunk.index).toBe(i);
    expect(chunk.text.length).toBeLessThanOrEqual(maxChars);
    expect(chunk.text).toBe(normalized.slice(chunk.start, chunk.end));
    expect(chunk.text).toBe(chunk.text.trim());
    expect(chunk.text.length).toBeGreaterThan(0);
  });
  for (let i = 1; i < chunks.length; i++) {
    const previous = chunks[i - 1] as TextChunk;
    const current = chunks[i] as TextChunk;
    expect(current.start).toBeGreaterThan(previous.start);
    expect(current.end).toBeGreaterThan(previous.end);
    if (current.start > previous.end) {
      // A gap is only allowed to be the whitespace the chunks were trimmed of.
      expect(normalized.slice(previous.end, current.start).trim()).toBe('');
    } else {
      // Overlap never exceeds half a window (it may pass overlapChars only to keep a long word whole).
      expect(previous.end - current.start).toBeLessThan(maxChars / 2);
      if (overlapChars === 0) expect(previous.end).toBe(current.start);
    }
  }
}

describe('normalizeText', () => {
  it('collapses whitespace inside lines and keeps paragraph breaks as a single blank line', () => {
    expect(normalizeText('  Alpha \t  beta\r\n  gamma  \n\n\n \n  Delta   epsilon  ')).toBe(
      'Alpha beta\ngamma\n\nDelta epsilon',
    );
  });
});

describe('chunkText', () => {
  it('returns no chunks for empty or whitespace-only text', () => {
    expect(chunkText('', { maxChars: 100, overlapChars: 10 })).toEqual([]);
    expect(chunkText(' \n\n\t  \r\n ', { maxChars: 100, overlapChars: 10 })).toEqual([]);
  });

  it('returns one normalized chunk when the text fits', () => {
    expect(chunkText('Hello   there.\n\n\n  General  Kenobi.', { maxChars: 100, overlapChars: 10 })).toEqual([
      { index: 0, text: 'Hello there.\n\nGeneral Kenobi.', start: 0, end: 29 },
    ]);
  });

  it.each([
    [200, 40],
    [500, 100],
    [80, 0],
    [1000, 499],
  ])(
    'bounds size and overlaps consecutive chunks on a long text (maxChars %i, overlap %i)',
    (maxChars, overlap) => {
      const input = document(7, 40, 12);
      const chunks = chunkText(input, { maxChars, overlapChars: overlap });
      expect(chunks.length).toBeGreaterThan(input.length / maxChars);
      expectWellFormed(chunks, input, maxChars, overlap);

      const longestWord = Math.max(...VOCABULARY.map((word) => word.length)) + 1;
      for (let i = 1; i < chunks.length; i++) {
        const previous = chunks[i - 1] as TextChunk;
        const current = chunks[i] as TextChunk;
        const shared = previous.end - current.start;
        if (overlap === 0) {
          expect(shared).toBeLessThanOrEqual(0);
          continue;
        }
        // About overlapChars: only the alignment to the next word start may shave some off.
        expect(shared).toBeGreaterThanOrEqual(overlap - longestWord);
        expect(shared).toBeLessThanOrEqual(overlap);
        const repeated = current.text.slice(0, shared);
        expect(previous.text.endsWith(repeated)).toBe(true);
        expect(repeated.length).toBe(shared);
      }
    },
  );

  it('prefers to end chunks at sentence ends over word boundaries', () => {
    const input = document(11, 1, 200, 6);
    const chunks = chunkText(input, { maxChars: 240, overlapChars: 30 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.text).toMatch(/\.$/);
    // Sentences are short, so a sentence end always exists in the tail and chunks stay near the bound.
    for (const chunk of chunks.slice(0, -1)) expect(chunk.text.length).toBeGreaterThanOrEqual(240 * 0.75);
  });

  it('falls back to word boundaries when there are no sentence ends', () => {
    const input = document(3, 1, 100).replace(/\./g, '');
    const normalized = normalizeText(input);
    const chunks = chunkText(input, { maxChars: 120, overlapChars: 20 });
    for (const chunk of chunks.slice(0, -1)) {
      expect(normalized[chunk.end]).toBe(' ');
      expect(normalized[chunk.start - 1] ?? ' ').toBe(' ');
    }
  });

  it('prefers a paragraph break over a later sentence end', () => {
    const first =
      'Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma.';
    const second = 'Tau upsilon. Phi chi. Psi omega. More words follow here to push well past the window.';
    const input = `${first}\n\n${second}`;
    const chunks = chunkText(input, { maxChars: 120, overlapChars: 0 });
    expect(first.length).toBeGreaterThanOrEqual(90);
    expect(chunks[0]?.text).toBe(first);
    expect(chunks[1]?.text.startsWith('Tau upsilon.')).toBe(true);
  });

  it('does not treat an abbreviation as a sentence end', () => {
    const input = `${'Word '.repeat(15)}and then we met Dr. Smith who explained things at length to everyone there.`;
    const chunks = chunkText(input, { maxChars: 100, overlapChars: 0 });
    expect(chunks[0]?.text.endsWith('Dr.')).toBe(false);
  });

  it('hard-splits only a single word longer than maxChars', () => {
    const giant = 'x'.repeat(530);
    const input = `start ${giant} end`;
    const chunks = chunkText(input, { maxChars: 100, overlapChars: 10 });
    expectWellFormed(chunks, input, 100, 10);
    expect(chunks[0]?.text).toBe('start');
    expect(chunks[chunks.length - 1]?.text.endsWith(' end')).toBe(true);
    const pieces = chunks.filter((chunk) => chunk.text.includes('x'));
    expect(pieces.some((chunk) => chunk.text.length === 100)).toBe(true);
    // The giant word is fully covered and its pieces still overlap.
    for (let i = 1; i < pieces.length; i++) {
      expect((pieces[i - 1] as TextChunk).end - (pieces[i] as TextChunk).start).toBe(10);
    }
  });

  it('never cuts a word that fits within maxChars', () => {
    const random = rng(5);
    const words = Array.from({ length: 300 }, (_, i) => `w${i}${'y'.repeat(Math.floor(random() * 70))}`);
    const wordSet = new Set(words);
    const chunks = chunkText(words.join(' '), { maxChars: 100, overlapChars: 30 });
    expectWellFormed(chunks, words.join(' '), 100, 30);
    for (const chunk of chunks) {
      for (const word of chunk.text.split(' ')) expect(wordSet.has(word)).toBe(true);
    }
  });

  it('keeps its invariants on randomized texts and options', () => {
    const random = rng(99);
    for (let round = 0; round < 150; round++) {
      const maxChars = 50 + Math.floor(random() * 300);
      const overlapChars = Math.floor(random() * (maxChars / 2 - 1));
      const words: string[] = [];
      let input = '';
      const count = Math.floor(random() * 400);
      for (let i = 0; i < count; i++) {
        const roll = random();
        const length = roll < 0.02 ? maxChars + Math.floor(random() * 400) : 1 + Math.floor(random() * 14);
        const word = `${'k'.repeat(length)}${roll > 0.9 ? '.' : ''}`;
        words.push(word);
        input += word + (roll > 0.97 ? '\n\n' : roll > 0.95 ? '\n' : ' ');
      }
      const chunks = chunkText(input, { maxChars, overlapChars });
      if (words.length === 0) {
        expect(chunks).toEqual([]);
        continue;
      }
      expectWellFormed(chunks, input, maxChars, overlapChars);
      const whole = new Set(words.filter((word) => word.length <= maxChars));
      for (const chunk of chunks) {
        // Any piece that is not a whole word must come from a word too long to fit.
        for (const piece of chunk.text.split(/\s+/)) {
          if (!whole.has(piece))
            expect(words.some((w) => w.length > maxChars && w.includes(piece))).toBe(true);
        }
      }
    }
  });

  it('does not split surrogate pairs in a hard split', () => {
    const chunks = chunkText('😀'.repeat(200), { maxChars: 51, overlapChars: 0 });
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(51);
      expect(chunk.text.isWellFormed()).toBe(true);
    }
    expect(chunks.map((chunk) => chunk.text).join('')).toBe('😀'.repeat(200));
  });

  it('is deterministic', () => {
    const input = document(13, 10, 10);
    expect(chunkText(input, { maxChars: 300, overlapChars: 50 })).toEqual(
      chunkText(input, { maxChars: 300, overlapChars: 50 }),
    );
  });

  it('validates options and names the offending one', () => {
    expect(() => chunkText('text', { maxChars: 49, overlapChars: 0 })).toThrow(RangeError);
    expect(() => chunkText('text', { maxChars: 49, overlapChars: 0 })).toThrow(/maxChars/);
    expect(() => chunkText('text', { maxChars: Number.NaN, overlapChars: 0 })).toThrow(/maxChars/);
    expect(() => chunkText('text', { maxChars: 100, overlapChars: 50 })).toThrow(RangeError);
    expect(() => chunkText('text', { maxChars: 100, overlapChars: 50 })).toThrow(/overlapChars/);
    expect(() => chunkText('text', { maxChars: 100, overlapChars: -1 })).toThrow(/overlapChars/);
    expect(() => chunkText('', { maxChars: 10, overlapChars: 0 })).toThrow(/maxChars/);
    expect(() => chunkText('text', { maxChars: 50, overlapChars: 24 })).not.toThrow();
  });

  it('chunks a 1 MB text in well under a second', () => {
    const paragraph = document(17, 60, 10);
    const prose = paragraph.repeat(Math.ceil(1_000_000 / paragraph.length)).slice(0, 1_000_000);
    const noBreaks = 'z'.repeat(1_000_000);
    const noParagraphs = prose.replace(/\n\n/g, ' ');
    for (const input of [prose, noBreaks, noParagraphs]) {
      const began = performance.now();
      const chunks = chunkText(input, { maxChars: 1000, overlapChars: 150 });
      const elapsed = performance.now() - began;
      expect(chunks.length).toBeGreaterThan(1000);
      expect(elapsed).toBeLessThan(1000);
    }
  });
});
