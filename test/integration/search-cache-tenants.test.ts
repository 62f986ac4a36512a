// The search cache over the real document store (PGlite): two tenants asking the same question never share
// a result; a repeated question (up to case and spacing) skips the database; the
// limit and every ingest or delete are part of what a cached result depends on; entries expire; without a
// corpus version the cache is bypassed.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger } from '../../subgraph/observability/logger';
import { withSearchCache } from '../../subgraph/retrieval/search-cache';
import type { DocumentStore } from '../../subgraph/retrieval/store/document-store';
import { createMemoryCorpusVersions } from '../../subgraph/state/corpus-versions';
import type { CorpusVersions } from '../../subgraph/state/corpus-versions';
import { createRedisCorpusVersions } from '../../subgraph/state/redis-corpus-versions';
import { capturingLogger } from '../support/logs';
import { openTestStore, putChunks } from '../support/stores';
import type { TestStore } from '../support/stores';
import { REDIS_URL, requireRedis } from '../support/services';
import { CORPUS_VERSION_BACKENDS } from '../support/corpus-versions';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requireRedis();

const silent = createLogger('silent');

/** The real store, with every searchLexical that reaches it counted (and passed through unchanged). */
function counted(store: DocumentStore): { store: DocumentStore; searches: () => number } {
  let searches = 0;
  return {
    store: {
      ...store,
      searchLexical: (...args) => {
        searches += 1;
        return store.searchLexical(...args);
      },
    },
    searches: () => searches,
  };
}

const ids = (hits: { documentId: string }[]) => hits.map((hit) => hit.documentId).sort();

describe.each(CORPUS_VERSION_BACKENDS)(
  'search cache over the real store, %s corpus versions',
  (_name, openVersions) => {
    let handle: TestStore;
    let versions: CorpusVersions;
    let closeVersions: () => Promise<void>;

    /** The real store with its searches counted, and the search cache in front of it (1 MB unless told). */
    const cachedStore = (maxBytes = 1024 * 1024) => {
      const { store, searches } = counted(handle.current.documents);
      const options = { maxBytes, ttlMs: 60_000, logger: silent };
      return { store, searches, cached: withSearchCache(store, versions, options) };
    };

    beforeAll(async () => {
      handle = await openTestStore('pglite');
      ({ versions, close: closeVersions } = openVersions());
    });

    afterAll(async () => {
      await closeVersions?.();
      await handle?.dispose();
    });

    it('never serves one tenant a result cached for another', async () => {
      const { searches, cached } = cachedStore();
      await putChunks(cached, 'two-a', { id: 'a-zebra', title: 'A', body: 'a' }, 'Zebra crossing for A.');
      await putChunks(cached, 'two-b', { id: 'b-zebra', title: 'B', body: 'b' }, 'Zebra crossing for B.');

      expect(ids(await cached.searchLexical('two-a', 'zebra crossing', 5))).toEqual(['a-zebra']);
      expect(ids(await cached.searchLexical('two-b', 'zebra crossing', 5))).toEqual(['b-zebra']);
      expect(searches()).toBe(2);
      // And each tenant's own entry is still there, each served without the database.
      expect(ids(await cached.searchLexical('two-a', 'zebra crossing', 5))).toEqual(['a-zebra']);
      expect(ids(await cached.searchLexical('two-b', 'zebra crossing', 5))).toEqual(['b-zebra']);
      expect(searches()).toBe(2);
    });

    it("a tenant with no documents does not get a result cached for another tenant's documents", async () => {
      const { store, cached } = cachedStore();
      // Written past the cache: the tenant's corpus version stays what it was.
      await putChunks(store, 'empty-a', { id: 'a-heron', title: 'A', body: 'a' }, 'Heron nesting log.');

      expect(ids(await cached.searchLexical('empty-a', 'heron', 5))).toEqual(['a-heron']);
      expect(await cached.searchLexical('empty-b', 'heron', 5)).toEqual([]);
    });

    it('serves a repeated query, up to case and spacing, from the cache', async () => {
      const { searches, cached } = cachedStore();
      await putChunks(cached, 'repeat', { id: 'r1', title: 'R', body: 'r' }, 'Lighthouse keeper log.');
      const first = await cached.searchLexical('repeat', 'lighthouse keeper', 5);
      expect(ids(first)).toEqual(['r1']);
      expect(await cached.searchLexical('repeat', '  Lighthouse \n  KEEPER ', 5)).toEqual(first);
      expect(searches()).toBe(1);
      // A different query is a different entry.
      await cached.searchLexical('repeat', 'lighthouse', 5);
      expect(searches()).toBe(2);
    });

    it('caches each limit separately', async () => {
      const { searches, cached } = cachedStore();
      for (const n of [1, 2, 3]) {
        await putChunks(cached, 'limits', { id: `l${n}`, title: 'L', body: 'l' }, `Pelican report ${n}.`);
      }
      expect(await cached.searchLexical('limits', 'pelican report', 1)).toHaveLength(1);
      expect(await cached.searchLexical('limits', 'pelican report', 3)).toHaveLength(3);
      expect(searches()).toBe(2);
    });

    it("an ingest or delete is seen at once by its tenant, and leaves other tenants' entries cached", async () => {
      const { searches, cached } = cachedStore();
      const before = await versions.current('change-a');
      expect(await cached.searchLexical('change-a', 'walrus', 5)).toEqual([]);
      expect(await cached.searchLexical('change-b', 'walrus', 5)).toEqual([]);

      await expect(
        putChunks(cached, 'change-a', { id: 'w1', title: 'W', body: 'w' }, 'Walrus colony count.'),
      ).resolves.toEqual({ version: 1, chunks: 1 });
      const afterPut = await versions.current('change-a');
      expect(afterPut).not.toBe(before);
      expect(ids(await cached.searchLexical('change-a', 'walrus', 5))).toEqual(['w1']);
      const afterIngest = searches();
      expect(await cached.searchLexical('change-b', 'walrus', 5)).toEqual([]);
      expect(searches()).toBe(afterIngest);

      await expect(cached.deleteDocument('change-a', 'w1')).resolves.toBe(true);
      expect([before, afterPut]).not.toContain(await versions.current('change-a'));
      expect(await cached.searchLexical('change-a', 'walrus', 5)).toEqual([]);
    });

    it('serves a result only until its TTL, then asks the database again', async () => {
      const { store, searches } = counted(handle.current.documents);
      const cached = withSearchCache(store, versions, { maxBytes: 1024 * 1024, ttlMs: 50, logger: silent });
      await cached.searchLexical('ttl', 'osprey', 5);
      await cached.searchLexical('ttl', 'osprey', 5);
      expect(searches()).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 120));
      await cached.searchLexical('ttl', 'osprey', 5);
      expect(searches()).toBe(2);
    });

    it('keeps results up to maxBytes of estimated heap, forgetting the least recently used', async () => {
      // An empty result under its key is estimated at under 300 bytes: room for one, not two.
      const { searches, cached } = cachedStore(400);
      await cached.searchLexical('lru', 'first', 5);
      await cached.searchLexical('lru', 'first', 5);
      expect(searches()).toBe(1);
      await cached.searchLexical('lru', 'second', 5);
      await cached.searchLexical('lru', 'first', 5);
      expect(searches()).toBe(3);
    });
  },
);

describe('search cache edge cases', () => {
  let handle: TestStore;

  beforeAll(async () => {
    handle = await openTestStore('pglite');
  });

  afterAll(async () => {
    await handle?.dispose();
  });

  it('with no bytes allowed is not a cache at all: the store itself is used', () => {
    const store = handle.current.documents;
    const options = { maxBytes: 0, ttlMs: 60_000, logger: silent };
    expect(withSearchCache(store, createMemoryCorpusVersions(), options)).toBe(store);
  });

  it('a delete whose version change fails still succeeds, warns, and this replica stops serving what it cached', async () => {
    const { logger, lines } = capturingLogger('warn');
    const redis = new Redis(REDIS_URL, { lazyConnect: true, enableOfflineQueue: false });
    await redis.connect();
    const prefix = `test:corpus:${randomBytes(4).toString('hex')}`;
    const { store, searches } = counted(handle.current.documents);
    const cached = withSearchCache(store, createRedisCorpusVersions(redis, prefix), {
      maxBytes: 1024 * 1024,
      ttlMs: 60_000,
      logger,
    });
    try {
      await putChunks(cached, 'lost-bump', { id: 'g1', title: 'G', body: 'g' }, 'Glacier retreat.');
      expect(ids(await cached.searchLexical('lost-bump', 'glacier', 5))).toEqual(['g1']);
      expect(ids(await cached.searchLexical('lost-bump', 'glacier', 5))).toEqual(['g1']);
      expect(searches()).toBe(1);

      // Redis away for the delete only: its version change is lost, and Redis keeps the old version.
      const ended = new Promise((resolve) => redis.once('end', resolve));
      redis.disconnect();
      await ended;
      await expect(cached.deleteDocument('lost-bump', 'g1')).resolves.toBe(true);
      await redis.connect();
      expect(await cached.searchLexical('lost-bump', 'glacier', 5)).toEqual([]);
      expect(searches()).toBe(2);
      const logged = JSON.parse(lines[0] ?? '{}') as { msg?: string };
      expect(logged.msg).toMatch(/^corpus version not replaced after a change/);
    } finally {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
  });

  it('asks the database, and warns, whenever the corpus version cannot be read (Redis unreachable)', async () => {
    const { logger, lines } = capturingLogger('warn');
    // The real Redis adapter over a client that queues nothing, of a port where no Redis listens: every read
    // fails (a client of the real server would connect during the first search and answer the second).
    const offline = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    offline.on('error', () => undefined);
    const unavailable = createRedisCorpusVersions(offline, 'test:corpus:offline');
    const { store, searches } = counted(handle.current.documents);
    const cached = withSearchCache(store, unavailable, { maxBytes: 1024 * 1024, ttlMs: 60_000, logger });
    await putChunks(
      handle.current.documents,
      'no-version',
      { id: 'v1', title: 'V', body: 'v' },
      'Volcano survey.',
    );
    expect(ids(await cached.searchLexical('no-version', 'volcano', 5))).toEqual(['v1']);
    expect(ids(await cached.searchLexical('no-version', 'volcano', 5))).toEqual(['v1']);
    expect(searches()).toBe(2);
    expect(lines).toHaveLength(2);
    const logged = JSON.parse(lines[0] ?? '{}') as { msg?: string; err?: { message?: string } };
    expect(logged.msg).toBe('corpus version unavailable; search cache bypassed');
    expect(logged.err?.message).toMatch(/enableOfflineQueue/);
    offline.disconnect();
  });
});
