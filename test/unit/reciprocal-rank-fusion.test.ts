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

  it('breaks ties by first appearance: the first list, then the next', () => {
    const fused = fuseByReciprocalRank([[chunk('a#0')], [chunk('b#0')]], 10);
    expect(fused.map((c) => c.chunkId)).toEqual(['a#0', 'b#0']);
  });
});
