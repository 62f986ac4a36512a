// The query-embedding cache contract, held by both adapters (process memory and Redis): vectors come back
// exactly (float32) in key order with nulls for misses, expire after their TTL, and a TTL of 0 stores
// nothing. Each adapter's own bound: the memory LRU by estimated bytes, Redis by refusing what it did not write.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { embeddingCacheKey } from '../../subgraph/gateway/cache/embedding-cache';
import type { EmbeddingCache } from '../../subgraph/gateway/cache/embedding-cache';
import { createMemoryEmbeddingCache } from '../../subgraph/gateway/cache/memory-embedding-cache';
import { createRedisEmbeddingCache } from '../../subgraph/gateway/cache/redis-embedding-cache';
import { useRedisKeyspace } from '../support/redis-keyspace';
import { requireRedis } from '../support/services';
import { waitUntil } from '../support/wait-for';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requireRedis();

const run = randomBytes(5).toString('hex');
const prefix = `ai:test-embed-${run}`;
let redis: Redis;

useRedisKeyspace(prefix, (client) => {
  redis = client;
});

let n = 0;
const key = (tenantId = `tenant-${run}`) =>
  embeddingCacheKey({ tenantId, targetId: 'openai:text-embedding-3-small', text: `text ${(n += 1)}` });
const vector = (seed: number, dimensions = 8) =>
  Float32Array.from({ length: dimensions }, (_, i) => Math.sin(seed + i) / 3);

describe('the embedding cache key', () => {
  it('separates tenants, targets and texts, and is stable for equal parts', () => {
    const parts = { tenantId: 'a', targetId: 'openai:m', text: 'where?' };
    expect(embeddingCacheKey(parts)).toBe(embeddingCacheKey({ ...parts }));
    expect(embeddingCacheKey(parts).startsWith('{a}:')).toBe(true);
    const others = [
      { ...parts, tenantId: 'b' },
      { ...parts, targetId: 'selfhosted:m' },
      { ...parts, text: 'where? ' },
    ].map(embeddingCacheKey);
    expect(new Set([embeddingCacheKey(parts), ...others]).size).toBe(4);
    // The text is hashed: none of it reaches a key (or Redis's keyspace).
    expect(embeddingCacheKey(parts)).not.toContain('where');
  });
});

describe.each([
  ['memory', (): EmbeddingCache => createMemoryEmbeddingCache(1024 * 1024)],
  ['redis', (): EmbeddingCache => createRedisEmbeddingCache(redis, prefix)],
] as const)('embedding cache contract: %s', (_name, create) => {
  let cache: EmbeddingCache;
  beforeEach(() => {
    cache = create();
  });

  it('answers [] for no keys', async () => {
    await expect(cache.getMany([])).resolves.toEqual([]);
  });

  it('gives back exactly what was set, in key order, with null for a miss', async () => {
    const [a, b, missing] = [key(), key(), key()];
    await cache.setMany(
      [
        { key: a, vector: vector(1) },
        { key: b, vector: vector(2, 1536) },
      ],
      60_000,
    );
    await expect(cache.getMany([b, missing, a])).resolves.toEqual([vector(2, 1536), null, vector(1)]);
  });

  it('stores nothing with a TTL of 0', async () => {
    const k = key();
    await cache.setMany([{ key: k, vector: vector(3) }], 0);
    await expect(cache.getMany([k])).resolves.toEqual([null]);
  });

  it('forgets an entry after its TTL', async () => {
    const k = key();
    await cache.setMany([{ key: k, vector: vector(4) }], 50);
    let seen: (Float32Array | null)[] = [];
    await waitUntil(
      () => {
        void cache.getMany([k]).then((values) => (seen = values));
        return seen[0] === null;
      },
      2_000,
      'the entry expiring',
    );
  });
});

describe('the memory embedding cache', () => {
  it('is bounded by the bytes its vectors hold: old entries make way for new ones', async () => {
    // Room for about three 1,536-dimension vectors (6 KiB each).
    const cache = createMemoryEmbeddingCache(20 * 1024);
    const keys = Array.from({ length: 6 }, () => key());
    for (const [index, k] of keys.entries()) {
      await cache.setMany([{ key: k, vector: vector(index, 1536) }], 60_000);
    }
    const found = await cache.getMany(keys);
    expect(found.slice(0, 3)).toEqual([null, null, null]);
    expect(found[5]).toEqual(vector(5, 1536));
  });

  it('stores nothing when its bound is 0', async () => {
    const cache = createMemoryEmbeddingCache(0);
    const k = key();
    await cache.setMany([{ key: k, vector: vector(6) }], 60_000);
    await expect(cache.getMany([k])).resolves.toEqual([null]);
  });
});

describe('the Redis embedding cache', () => {
  it('reads an entry that is not whole float32s as a miss, never as a wrong vector', async () => {
    const cache = createRedisEmbeddingCache(redis, prefix);
    const [odd, empty] = [key(), key()];
    await redis.set(`${prefix}:${odd}`, Buffer.from([1, 2, 3]).toString('base64'));
    await redis.set(`${prefix}:${empty}`, '');
    await expect(cache.getMany([odd, empty])).resolves.toEqual([null, null]);
  });
});
