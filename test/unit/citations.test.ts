// citeInOrder: an Answer cites exactly the passages the model marked [n] (1-based), in order of first
// citation, once each; markers outside the numbered passages cite nothing.
import { citeInOrder } from '../../subgraph/features/ask';

const citedPassages = (text: string, passages: Parameters<typeof citeInOrder>[1]) =>
  citeInOrder(text, passages).citations;
import type { LexicalHit } from '../../subgraph/retrieval/store/document-store';

function hit(n: number): LexicalHit {
  return {
    tenantId: 'acme',
    documentId: `doc-${n}`,
    chunkId: `doc-${n}#0`,
    documentVersion: 1,
    title: `Title ${n}`,
    content: `Full content of passage ${n}.`,
    snippet: `snippet ${n}`,
    score: 1 / n,
    flag: null,
    screenVersion: null,
  };
}

const passages = [hit(1), hit(2), hit(3), hit(4)];
const documentIds = (text: string, from: readonly LexicalHit[] = passages) =>
  citedPassages(text, from).map((passage) => passage.documentId);

describe('citedPassages', () => {
  it('returns the marked passages in the order the answer first cites them', () => {
    expect(documentIds('Revenue rose [3], driven by exports [1]. Costs fell [4].')).toEqual([
      'doc-3',
      'doc-1',
      'doc-4',
    ]);
  });

  it('maps [n] to the nth passage (1-based) with its ids, title and snippet, not its content', () => {
    expect(citedPassages('See [2].', passages)).toEqual([
      { documentId: 'doc-2', chunkId: 'doc-2#0', title: 'Title 2', snippet: 'snippet 2' },
    ]);
  });

  it('cites a passage once however often it is marked', () => {
    expect(documentIds('A [2]. B [2]. C [1][2]. D [1].')).toEqual(['doc-2', 'doc-1']);
  });

  it('ignores markers outside the numbered passages', () => {
    expect(documentIds('Zero [0], five [5], far [999], real [4].')).toEqual(['doc-4']);
    expect(documentIds('Nothing here [1].', [])).toEqual([]);
  });

  it('cites nothing for an answer without markers or with markers that are not [n] or a group of them', () => {
    expect(documentIds('The passages do not say.')).toEqual([]);
    // "[1,2]" is a grouped marker citing both (grouped-citations.test.ts).
    expect(documentIds('Odd forms: [a], [ 1 ], (2), [-1], [1.5], [1,], [,2], [1 2].')).toEqual([]);
  });
});

describe('citeInOrder', () => {
  const passage = (n: number) => ({
    tenantId: 'acme',
    documentId: `d${n}`,
    chunkId: `d${n}#0`,
    documentVersion: 1,
    title: `T${n}`,
    content: `content ${n}`,
    snippet: `snippet ${n}`,
    score: 1,
    flag: null,
    screenVersion: null,
  });
  const passages = [passage(1), passage(2), passage(3)];

  it('renumbers the markers so that the answer’s [1] is the first citation', () => {
    const { text, citations } = citeInOrder('X holds [3]. Y too [1]. Again X [3].', passages);
    expect(citations.map((c) => c.chunkId)).toEqual(['d3#0', 'd1#0']);
    expect(text).toBe('X holds [1]. Y too [2]. Again X [1].');
  });

  it('drops markers that name no passage it was given', () => {
    const { text, citations } = citeInOrder('Made up [7] and real [2].', passages);
    expect(citations.map((c) => c.chunkId)).toEqual(['d2#0']);
    expect(text).toBe('Made up and real [1].');
  });
});
