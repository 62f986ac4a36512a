// Retrieval results are cached per tenant and corpus version: repeated searches skip the database, and any
// ingest or delete makes the next search see the change, on one replica (memory) or across replicas (Redis).
import { randomBytes } from 'node:crypto';
import { createMemoryCorpusVersions } from '../../subgraph/state/corpus-versions';
import type { CorpusVersions } from '../../subgraph/state/corpus-versions';
import { createRedisCorpusVersions } from '../../subgraph/state/redis-corpus-versions';
import { gql } from '../support/subgraph';
import type { TestSubgraph } from '../support/subgraph';
import { tokenFor } from '../support/tokens';
import { startHarness } from '../support/harness';
import { connectRedis, REDIS_URL, requirePostgres, requireRedis } from '../support/services';

// What this suite needs: without them the suite fails at once, with one line saying what to start.
requirePostgres();
requireRedis();

const SEARCH =
  '{ search(input: { query: "zebra crossing" }) { ... on DegradedSearchResults { hits { documentId } } } }';
const INGEST = 'mutation($i: IngestDocumentInput!) { ingestDocument(input: $i) { chunks } }';
const DELETE = 'mutation($id: ID!) { deleteDocument(id: $id) }';

type SearchData = { search: { hits: { documentId: string }[] } };

describe.each([
  ['memory', {}],
  ['redis', { REDIS_URL }],
])('search cache with %s state', (_name, env: Record<string, string>) => {
  let subgraph: TestSubgraph;
  let token: string;
  const tenant = `sc-${randomBytes(4).toString('hex')}`;
  const hits = async () =>
    (await gql<SearchData>(subgraph.url, SEARCH, { token })).body.data?.search.hits.map(
      (h) => h.documentId,
    ) ?? [];

  beforeAll(async () => {
    subgraph = await startHarness({ env: env });
    token = await tokenFor(tenant);
  });
  afterAll(async () => {
    await subgraph?.stop();
    if (env.REDIS_URL) {
      const redis = connectRedis();
      const keys = await redis.keys(`ai:*{${tenant}}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
  });

  it('serves a repeated search without the database, and sees every ingest and delete at once', async () => {
    const documents = subgraph.app.store.documents;
    const original = documents.searchLexical.bind(documents);
    let storeSearches = 0;
    documents.searchLexical = (...args) => {
      storeSearches += 1;
      return original(...args);
    };
    expect(await hits()).toEqual([]);
    expect(await hits()).toEqual([]);
    expect(storeSearches).toBe(1);

    const body = 'The zebra crossing on Main Street gets new lights.';
    await gql(subgraph.url, INGEST, { token, variables: { i: { id: 'z1', title: 'Zebra', body } } });
    expect(await hits()).toEqual(['z1']);
    const afterIngest = storeSearches;
    expect(await hits()).toEqual(['z1']);
    expect(storeSearches).toBe(afterIngest);

    await gql(subgraph.url, DELETE, { token, variables: { id: 'z1' } });
    expect(await hits()).toEqual([]);
  });
});

describe.each([
  ['memory', () => ({ versions: createMemoryCorpusVersions(), close: async () => undefined })],
  [
    'redis',
    () => {
      const redis = connectRedis();
      return {
        versions: createRedisCorpusVersions(redis, `test:corpus:${randomBytes(4).toString('hex')}`),
        close: async () => void (await redis.quit()),
      };
    },
  ],
])('corpus versions (%s)', (_name, open: () => { versions: CorpusVersions; close: () => Promise<void> }) => {
  it('start at zero and count bumps per tenant', async () => {
    const { versions, close } = open();
    try {
      expect(await versions.current('a')).toBe(0);
      await versions.bump('a');
      await versions.bump('a');
      expect(await versions.current('a')).toBe(2);
      expect(await versions.current('b')).toBe(0);
    } finally {
      await close();
    }
  });
});
