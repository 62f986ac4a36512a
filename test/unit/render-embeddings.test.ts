// Known from the last review: a 1M-character document's ~2,000 vectors were written as pgvector text (about a
// second of CPU at 1,536 dimensions) in one go, inside the store's transaction, holding the event loop and the
// document's lock that long. renderEmbeddings does it before the transaction, a slice of work per turn of the
// loop, checking the batch as it goes.
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  UnusableEmbeddingError,
  renderEmbeddings,
  vectorLiteral,
} from '../../subgraph/retrieval/store/embeddings';
import { mapInSlices } from '../../subgraph/runtime/map-in-slices';
import type { InItsOwnTurn } from '../../subgraph/runtime/map-in-slices';

/** A turn runner that counts its turns and times the longest job, each after a real turn of the loop. */
function timedTurns(): { inTurn: InItsOwnTurn; turns: () => number; longestMs: () => number } {
  let turns = 0;
  let longest = 0;
  const inTurn: InItsOwnTurn = async (job) => {
    turns += 1;
    await nextTurn();
    const started = performance.now();
    const result = job();
    longest = Math.max(longest, performance.now() - started);
    return result;
  };
  return { inTurn, turns: () => turns, longestMs: () => longest };
}

/** `count` vectors of `dims` dimensions, none of them zero, with values like a provider's. */
const vectorsOf = (count: number, dims: number): number[][] =>
  Array.from({ length: count }, (_, i) =>
    Array.from({ length: dims }, (_, d) => Math.fround(Math.sin(i * 7919 + d + 1) * 0.1)),
  );

describe('renderEmbeddings', () => {
  it('gives each vector in pgvector text form, in order, with the model and dimensions', async () => {
    const vectors = vectorsOf(5, 4);
    const { inTurn } = timedTurns();
    const rendered = await renderEmbeddings({ model: 'embed-a', vectors }, 5, inTurn, 0);
    expect(rendered).toEqual({
      model: 'embed-a',
      dims: 4,
      literals: vectors.map((vector) => vectorLiteral(vector)),
    });
    expect(rendered.literals[0]).toBe(`[${vectors[0]?.join(',')}]`);
  });

  it('renders a vector at least per slice, the first at once and each further slice in a turn of its own', async () => {
    const { inTurn, turns } = timedTurns();
    await renderEmbeddings({ model: 'embed-a', vectors: vectorsOf(6, 3) }, 6, inTurn, 0);
    expect(turns()).toBe(5);
  });

  it('holds the loop for about a slice at a time on a 1M-character document’s vectors', async () => {
    const vectors = vectorsOf(2_000, 1_536);
    const { inTurn, turns, longestMs } = timedTurns();
    const rendered = await renderEmbeddings({ model: 'embed-a', vectors }, 2_000, inTurn, 10);
    expect(rendered.literals).toHaveLength(2_000);
    expect(rendered.literals[1_999]).toBe(vectorLiteral(vectors[1_999] ?? []));
    expect(turns()).toBeGreaterThan(10);
    // A slice stops at the first vector past 10 ms; one vector of 1,536 dimensions renders in under a millisecond.
    expect(longestMs()).toBeLessThan(60);
  });

  it('refuses an unusable batch with an error naming the problem (the store then writes nothing)', async () => {
    const { inTurn } = timedTurns();
    const render = (vectors: number[][], chunks: number, model = 'embed-a') =>
      renderEmbeddings({ model, vectors }, chunks, inTurn, 0);
    await expect(render(vectorsOf(2, 3), 3)).rejects.toThrow(
      new UnusableEmbeddingError('2 embeddings for 3 chunks'),
    );
    await expect(render(vectorsOf(2, 3), 2, ' ')).rejects.toThrow('an embedding model must be named');
    await expect(
      render(
        [
          [1, 0, 0],
          [1, 0],
        ],
        2,
      ),
    ).rejects.toThrow('an embedding has 2 dimensions, expected 3');
    await expect(
      render(
        [
          [1, 0],
          [0, 0],
        ],
        2,
      ),
    ).rejects.toThrow(UnusableEmbeddingError);
  });

  it('renders an empty batch (a document without chunks) with no turn', async () => {
    const { inTurn, turns } = timedTurns();
    expect(await renderEmbeddings({ model: 'embed-a', vectors: [] }, 0, inTurn)).toEqual({
      model: 'embed-a',
      dims: 0,
      literals: [],
    });
    expect(turns()).toBe(0);
  });
});

describe('mapInSlices', () => {
  it('maps every item in order, taking no turn for a list done within one slice', async () => {
    const { inTurn, turns } = timedTurns();
    expect(await mapInSlices([1, 2, 3], (n) => n * 2, inTurn, 60_000)).toEqual([2, 4, 6]);
    expect(await mapInSlices([], (n: number) => n, inTurn, 0)).toEqual([]);
    expect(turns()).toBe(0);
  });
});
