// Finding: overlapping chunks gave duplicate search hits. A sentence in the 200 characters two neighbouring chunks
// share matched in both, and search listed doc#0 and doc#1 with the same snippet. Search now leaves out a hit
// whose snippet repeats what an earlier hit of its document showed, and fills the page from further hits.
import { randomBytes } from 'node:crypto';
import { chunkText } from '../../subgraph/retrieval/chunking';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { requirePostgres } from '../support/services';

requirePostgres();

const CHUNKING = { maxChars: 1_200, overlapChars: 200 };
const ALBATROSS =
  'The albatross nests on the northern cliffs, and each albatross returns there every spring.';
const note = (i: number) =>
  `Note ${i}: the committee reviewed the budget for the harbour repairs and approved it again.`;
/** About 2,000 characters, the albatross sentence in the overlap of its two chunks. */
const SEABIRDS = [...Array.from({ length: 11 }, (_, i) => note(i + 1)), ALBATROSS]
  .concat(Array.from({ length: 10 }, (_, i) => note(i + 12)))
  .join(' ');

type Hit = { documentId: string; chunkId: string; snippet: string; score: number };

describe.each(['pglite', 'postgres'] as const)('search on %s over overlapping chunks', (store) => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ store });
  });

  afterAll(() => harness?.stop());

  const hitsOf = (result: Awaited<ReturnType<ReturnType<Harness['as']>['search']>>): Hit[] =>
    'hits' in result ? result.hits : [];

  it('a sentence in the overlap of two chunks is one hit, not two with the same snippet', async () => {
    const chunks = chunkText(SEABIRDS, CHUNKING);
    expect(chunks.map((chunk) => chunk.text.includes(ALBATROSS))).toEqual([true, true]);
    const client = harness.as(`distinct-${randomBytes(4).toString('hex')}`);
    expect(await client.ingest({ id: 'seabirds', title: 'Seabirds', body: SEABIRDS })).toMatchObject({
      chunks: 2,
    });

    const hits = hitsOf(await client.search({ query: 'albatross', limit: 10 }));
    expect(hits).toHaveLength(1);
    expect(hits[0]?.snippet).toContain(ALBATROSS);
  });

  it('the page is filled from further hits in place of a repeated one', async () => {
    const client = harness.as(`distinct-fill-${randomBytes(4).toString('hex')}`);
    await client.ingest({ id: 'seabirds', title: 'Seabirds', body: SEABIRDS });
    // Matched once, in a longer chunk: below both chunks of the seabirds.
    const zoo = [note(1), "Visitors can see an albatross in the zoo's aviary."]
      .concat(Array.from({ length: 11 }, (_, i) => note(i + 2)))
      .join(' ');
    await client.ingest({ id: 'zoo', title: 'Zoo', body: zoo });

    const hits = hitsOf(await client.search({ query: 'albatross', limit: 2 }));
    expect(hits.map((hit) => hit.documentId)).toEqual(['seabirds', 'zoo']);
    expect(new Set(hits.map((hit) => hit.snippet)).size).toBe(2);
    expect(hits[0]?.score).toBeGreaterThanOrEqual(hits[1]?.score ?? Infinity);
    // Nothing further to fill with: fewer hits than the limit.
    const all = hitsOf(await client.search({ query: 'albatross', limit: 10 }));
    expect(all.map((hit) => hit.documentId)).toEqual(['seabirds', 'zoo']);
  });
});
