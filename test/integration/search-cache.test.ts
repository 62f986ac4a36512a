// Retrieval results are cached per tenant and corpus version: repeated searches skip the database, and any
// ingest or delete makes the next search see the change, on one replica (memory) or across replicas (Redis),
// also when Redis loses its data or stalls; versions are tokens that never repeat.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { gql } from '../support/subgraph';
import type { TestSubgraph } from '../support/subgraph';
import { tokenFor } from '../support/tokens';
import { startHarness } from '../support/harness';
import { startStallingProxy } from '../support/stalling-proxy';
import type { StallingProxy } from '../support/stalling-proxy';
import { connectRedis, REDIS_URL, requirePostgres, requireRedis } from '../support/services';
import { CORPUS_VERSION_BACKENDS } from '../support/corpus-versions';

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

// Redis data loss and stalls, on a database index of this suite's own (FLUSHDB there touches nothing else).
const REDIS = new URL(REDIS_URL);
const LOSSY_DB = 12;

describe('search cache when Redis loses its data or stalls', () => {
  let subgraph: TestSubgraph;
  let proxy: StallingProxy;
  let admin: Redis;
  const searchAs = async (token: string) =>
    (await gql<SearchData>(subgraph.url, SEARCH, { token })).body.data?.search.hits.map(
      (h) => h.documentId,
    ) ?? [];
  const ingest = (token: string, id: string, body: string) =>
    gql(subgraph.url, INGEST, { token, variables: { i: { id, title: id, body } } });

  beforeAll(async () => {
    admin = connectRedis({ db: LOSSY_DB });
    proxy = await startStallingProxy({ host: REDIS.hostname, port: Number(REDIS.port || 6379) });
    subgraph = await startHarness({ env: { REDIS_URL: `redis://127.0.0.1:${proxy.port}/${LOSSY_DB}` } });
  });
  afterAll(async () => {
    await subgraph?.stop();
    await proxy?.close();
    await admin?.flushdb();
    await admin?.quit();
  });

  it('never serves a deleted document after Redis loses the corpus versions (FLUSHDB, then new ingests)', async () => {
    const token = await tokenFor(`loss-${randomBytes(4).toString('hex')}`);
    await ingest(token, 'gone', 'The zebra crossing on Main Street gets new lights.');
    expect(await searchAs(token)).toEqual(['gone']);
    expect(await searchAs(token)).toEqual(['gone']); // now cached in process
    const deleted = await gql(subgraph.url, DELETE, { token, variables: { id: 'gone' } });
    expect(deleted.body.data).toEqual({ deleteDocument: true });
    expect(await searchAs(token)).toEqual([]);

    await admin.flushdb(); // a restart without persistence, or a failover to an empty replica
    for (const id of ['n1', 'n2', 'n3']) {
      await ingest(token, id, `Harbour report ${id}.`);
      expect(await searchAs(token)).toEqual([]);
    }
  });

  it('a delete whose Redis call stalls is committed and answers true, and the deleted document is not served', async () => {
    const token = await tokenFor(`stall-${randomBytes(4).toString('hex')}`);
    await ingest(token, 'held', 'The zebra crossing by the school is repainted.');
    expect(await searchAs(token)).toEqual(['held']);
    expect(await searchAs(token)).toEqual(['held']); // cached under the current version

    proxy.stall();
    const deleted = await gql(subgraph.url, DELETE, { token, variables: { id: 'held' } });
    expect(deleted.body.errors).toBeUndefined();
    expect(deleted.body.data).toEqual({ deleteDocument: true });
    expect(await searchAs(token)).toEqual([]); // no version readable: the database answers

    // The stall ends in a reset: the version change never reached Redis, which still holds the old version.
    proxy.cut();
    const redis = subgraph.app.state.redis;
    for (let waited = 0; redis?.status !== 'ready' && waited < 10_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(redis?.status).toBe('ready');
    expect(await searchAs(token)).toEqual([]);
  });
});

describe.each(CORPUS_VERSION_BACKENDS)('corpus versions (%s)', (_name, open) => {
  it('are tokens that never repeat: each bump, and a version lost with its store, gives one never seen', async () => {
    const { versions, lose, close } = open();
    try {
      const seen = [await versions.current('a')];
      expect(await versions.current('a')).toBe(seen[0]);
      for (let bump = 0; bump < 3; bump += 1) {
        await versions.bump('a');
        const next = await versions.current('a');
        expect(seen).not.toContain(next);
        seen.push(next);
      }
      expect(seen).not.toContain(await versions.current('b'));
      if (lose) {
        await lose('a');
        const afterLoss = await versions.current('a');
        expect(seen).not.toContain(afterLoss);
        expect(await versions.current('a')).toBe(afterLoss);
      }
    } finally {
      await close();
    }
  });
});
