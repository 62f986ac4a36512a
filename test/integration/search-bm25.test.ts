// Search ranks by BM25 over the real transport on both stores: a long natural-language question finds the
// passage that matches its telling words, where the old AND-first pass stopped at a passage matching every
// word, and the hit's score is the BM25 sum.
import { randomBytes } from 'node:crypto';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { requirePostgres } from '../support/services';

requirePostgres();

const FILLER =
  'Quarterly planning notes cover staffing, travel, office supplies and the cafeteria menu for the spring. ';

describe.each(['pglite', 'postgres'] as const)('search on %s', (store) => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ store });
  });

  afterAll(() => harness?.stop());

  it('a long question over HTTP finds the passage matching only some of its words, not the one matching all of them', async () => {
    const client = harness.as(`bm25-${randomBytes(4).toString('hex')}`);
    await client.ingest({
      id: 'relevant',
      title: 'Wildlife',
      body: 'The zebra herd crossed the river: one zebra, then every zebra.',
    });
    await client.ingest({
      id: 'all-words',
      title: 'Walks',
      body: `${FILLER}A zebra statue stands near the old mill; the path crosses a river. ${FILLER}`,
    });
    for (let i = 0; i < 10; i++) {
      await client.ingest({ id: `mill-${i}`, title: 'Mill', body: `Houses near the old mill, number ${i}.` });
    }

    const result = await client.search({
      query: 'Which zebra crossed the river near the old mill?',
      limit: 1,
    });
    const hits = 'hits' in result ? result.hits : [];
    expect(hits.map((hit) => hit.documentId)).toEqual(['relevant']);
    expect(hits[0]?.score).toBeGreaterThan(0);
  });
});
