// Reciprocal rank fusion: a chunk's score is Σ 1/(k + rank) over the lists holding it, deduplicated by chunk,
// best first, cut at the limit; k is configurable (60 by default, as in Cormack et al.).
import { fuseByReciprocalRank } from '../../subgraph/retrieval/reciprocal-rank-fusion';
import type { RetrievedChunk } from '../../subgraph/retrieval/store/document-store';

const chunk = (id: string, snippet = `snippet of ${id}`, score = 0): RetrievedChunk => ({
  tenantId: 't',
  documentId: id.split('#')[0] ?? id,
  chunkId: id,
  documentVersion: 1,
  title: 'T',
  content: `content of ${id}`,
  snippet,
  score,
  flag: null,
  screenVersion: null,
});

describe('fuseByReciprocalRank', () => {
  it('sums 1/(k + rank) over both lists, so a chunk ranked by both beats one ranked first by one', () => {
    const lexical = [chunk('a#0'), chunk('b#0'), chunk('c#0')];
    const semantic = [chunk('d#0'), chunk('b#0'), chunk('a#0')];
    const fused = fuseByReciprocalRank([lexical, semantic], 10);
    expect(fused.map((c) => c.chunkId)).toEqual(['a#0', 'b#0', 'd#0', 'c#0']);
    expect(fused[0]?.score).toBeCloseTo(1 / 61 + 1 / 63, 12);
    expect(fused[1]?.score).toBeCloseTo(2 / 62, 12);
    expect(fused[2]?.score).toBeCloseTo(1 / 61, 12);
    expect(fused[3]?.score).toBeCloseTo(1 / 63, 12);
  });

  it('keeps each chunk once, with the fields of the first list that held it', () => {
    const fused = fuseByReciprocalRank(
      [[chunk('a#0', 'matched words')], [chunk('a#0', 'opening lines')]],
      10,
    );
    expect(fused).toHaveLength(1);
    expect(fused[0]?.snippet).toBe('matched words');
  });

  it('cuts at the limit and uses the given k', () => {
    const fused = fuseByReciprocalRank([[chunk('a#0'), chunk('b#0'), chunk('c#0')]], 2, 1);
    expect(fused.map((c) => [c.chunkId, c.score])).toEqual([
      ['a#0', 1 / 2],
      ['b#0', 1 / 3],
    ]);
  });

  it('a document re-ingested between the two searches comes back in one version: the last list’s', () => {
    const at = (id: string, version: number, content: string): RetrievedChunk => ({
      ...chunk(id),
      documentVersion: version,
      content,
    });
    // Read first: three chunks of v1. Read after a re-ingest: v2 has one chunk. Another document is untouched.
    const lexical = [
      at('d#0', 1, 'old wording'),
      at('d#1', 1, 'old'),
      at('e#0', 1, 'e'),
      at('d#2', 1, 'old'),
    ];
    const semantic = [at('e#0', 1, 'e'), at('d#0', 2, 'new wording')];
    const fused = fuseByReciprocalRank([lexical, semantic], 10);
    expect(fused.map((c) => [c.chunkId, c.documentVersion, c.content])).toEqual([
      ['e#0', 1, 'e'],
      ['d#0', 2, 'new wording'],
    ]);
    expect(fused[0]?.score).toBeCloseTo(1 / 63 + 1 / 61, 12);

    // Deleted and ingested again in between: the new text starts over at version 1, and still wins.
    const recreated = fuseByReciprocalRank([[at('d#0', 3, 'old')], [at('d#0', 1, 'new')]], 10);
    expect(recreated.map((c) => [c.documentVersion, c.content])).toEqual([[1, 'new']]);
  });

  it('takes the versions the last search saw from its whole answer, fused or not', () => {
    // Found by a review: every new chunk below minSimilarity left the old version's lexical rows to be fused.
    const lexical = [{ ...chunk('d#1'), documentVersion: 1 }, chunk('e#0')];
    const semanticRead = [chunk('e#0'), { ...chunk('d#0'), documentVersion: 2, score: 0.01 }];
    const near = semanticRead.filter((c) => c.chunkId === 'e#0');
    const fused = fuseByReciprocalRank([lexical, near], 10, 60, semanticRead);
    expect(fused.map((c) => c.chunkId)).toEqual(['e#0']);
  });

  it('breaks ties by first appearance: the first list, then the next', () => {
    const fused = fuseByReciprocalRank([[chunk('a#0')], [chunk('b#0')]], 10);
    expect(fused.map((c) => c.chunkId)).toEqual(['a#0', 'b#0']);
  });
});
