// The completion cache contract, held by both adapters (process memory and Redis): entries come back in key
// order with nulls for misses, live for their TTL plus the stale grace, and never collide across keys. The
// key itself separates tenant, task, prompt version, target and scope, and is stable for equal parts.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { cacheKey } from '../../subgraph/gateway/cache/completion-cache';
import { fingerprint, normalizeForFingerprint } from '../../subgraph/text/fingerprint';
import type {
  CacheKeyParts,
  CachedCompletion,
  CompletionCache,
} from '../../subgraph/gateway/cache/completion-cache';
import {
  completionEntryBytes,
  createMemoryCompletionCache,
} from '../../subgraph/gateway/cache/memory-completion-cache';
import { createRedisCompletionCache } from '../../subgraph/gateway/cache/redis-completion-cache';
import { useRedisKeyspace } from '../support/redis-keyspace';
import { requireRedis } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requireRedis();

const run = randomBytes(5).toString('hex');
const redisPrefix = `ai:test-cache-${run}`;
let redis: Redis;

useRedisKeyspace(redisPrefix, (client) => {
  redis = client;
});

const parts = (overrides: Partial<CacheKeyParts> = {}): CacheKeyParts => ({
  tenantId: `tenant-${run}`,
  task: 'answer',
  promptVersion: 'answer.v1',
  targetId: 'openai:gpt-4.1-mini',
  scope: fingerprint('question', ['c1@1']),
  ...overrides,
});

const entry = (text: string, freshForMs = 60_000): CachedCompletion => ({
  text,
  provider: 'openai',
  model: 'gpt-4.1-mini',
  promptVersion: 'answer.v1',
  freshUntil: Date.now() + freshForMs,
});

describe.each([
  ['memory', (): CompletionCache => createMemoryCompletionCache(1024 * 1024)],
  ['redis', (): CompletionCache => createRedisCompletionCache(redis, redisPrefix)],
] as const)('completion cache contract: %s', (_name, create) => {
  let cache: CompletionCache;
  let n = 0;
  // A fresh key per test, so the adapters' shared Redis keyspace never carries state between tests.
  const key = (overrides: Partial<CacheKeyParts> = {}) =>
    cacheKey(parts({ scope: fingerprint('t', (n += 1)), ...overrides }));

  beforeEach(() => {
    cache = create();
  });

  it('answers [] for no keys', async () => {
    await expect(cache.getMany([])).resolves.toEqual([]);
  });

  it('gives back what was set, with every field', async () => {
    const k = key();
    const value = entry('The answer [1].');
    await cache.set(k, value, 60_000, 60_000);
    await expect(cache.getMany([k])).resolves.toEqual([value]);
  });

  it('answers in key order, with null where a key is absent', async () => {
    const [a, b, c, missing] = [key(), key(), key(), key()];
    await cache.set(a, entry('A'), 60_000, 0);
    await cache.set(b, entry('B'), 60_000, 0);
    await cache.set(c, entry('C'), 60_000, 0);
    const found = await cache.getMany([c, missing, a, b, missing]);
    expect(found.map((value) => value?.text ?? null)).toEqual(['C', null, 'A', 'B', null]);
  });

  it('replaces an entry set again under the same key', async () => {
    const k = key();
    await cache.set(k, entry('old'), 60_000, 0);
    await cache.set(k, entry('new'), 60_000, 0);
    expect((await cache.getMany([k]))[0]?.text).toBe('new');
  });

  it('keeps a stale entry through the grace, then drops it after ttl + grace', async () => {
    const k = key();
    await cache.set(k, entry('short-lived', 50), 50, 250);
    await sleep(120);
    // Past its TTL but inside the grace: still served, and its freshUntil says it is stale.
    const [stale] = await cache.getMany([k]);
    expect(stale?.text).toBe('short-lived');
    expect(stale?.freshUntil).toBeLessThan(Date.now());
    await sleep(300);
    await expect(cache.getMany([k])).resolves.toEqual([null]);
  });

  it('drops an entry with no grace right after its ttl', async () => {
    const k = key();
    await cache.set(k, entry('no grace', 40), 40, 0);
    expect((await cache.getMany([k]))[0]?.text).toBe('no grace');
    await sleep(120);
    await expect(cache.getMany([k])).resolves.toEqual([null]);
  });

  it('never serves one key’s entry under a key that differs in tenant, task, prompt, target or scope', async () => {
    const base = parts({ scope: fingerprint('isolation', (n += 1)) });
    await cache.set(cacheKey(base), entry('tenant A only'), 60_000, 0);
    const others = [
      cacheKey({ ...base, tenantId: `other-${run}` }),
      cacheKey({ ...base, task: 'summarize' }),
      cacheKey({ ...base, promptVersion: 'answer.v2' }),
      cacheKey({ ...base, targetId: 'anthropic:claude-sonnet-5-5' }),
      cacheKey({ ...base, scope: fingerprint('isolation', 'another input') }),
    ];
    await expect(cache.getMany(others)).resolves.toEqual(others.map(() => null));
    expect((await cache.getMany([cacheKey({ ...base })]))[0]?.text).toBe('tenant A only');
  });
});

describe('memory completion cache bounds', () => {
  it('evicts the least recently used entry beyond its byte bound', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((scope) => cacheKey(parts({ scope })));
    // Room for two entries of this size, not three.
    const cache = createMemoryCompletionCache(2 * completionEntryBytes(entry('A'), a ?? '') + 1);
    await cache.set(a ?? '', entry('A'), 60_000, 0);
    await cache.set(b ?? '', entry('B'), 60_000, 0);
    await cache.getMany([a ?? '']);
    await cache.set(c ?? '', entry('C'), 60_000, 0);
    const found = await cache.getMany([a ?? '', b ?? '', c ?? '']);
    expect(found.map((value) => value?.text ?? null)).toEqual(['A', null, 'C']);
  });

  it('keeps entries up to its byte bound however few that is, the newest among them', async () => {
    const cache = createMemoryCompletionCache(100_000);
    const keys = Array.from({ length: 1_000 }, (_, i) => cacheKey(parts({ scope: String(i) })));
    for (const [i, k] of keys.entries()) {
      await cache.set(k, entry(`Answer ${i}: ${'the tide turns at the quay '.repeat(40)}`), 60_000, 0);
    }
    const kept = (await cache.getMany(keys)).filter((value) => value !== null);
    // About 1.4 KB each: fewer than 100 of them, the newest among them.
    expect(kept.length).toBeGreaterThan(10);
    expect(kept.length).toBeLessThan(100);
    expect((await cache.getMany([keys[999] ?? '']))[0]?.text).toMatch(/^Answer 999:/);
  });

  it('stores nothing with a bound of 0', async () => {
    const cache = createMemoryCompletionCache(0);
    const k = cacheKey(parts());
    await cache.set(k, entry('A'), 60_000, 0);
    await expect(cache.getMany([k])).resolves.toEqual([null]);
  });
});

describe('redis completion cache storage', () => {
  it('stores entries under <prefix>:{tenant}:<task>:<digest> with a PX of ttl + grace', async () => {
    const cache = createRedisCompletionCache(redis, redisPrefix);
    const k = cacheKey(parts({ scope: 'layout' }));
    await cache.set(k, entry('A'), 5_000, 7_000);
    const redisKey = `${redisPrefix}:${k}`;
    expect(redisKey.startsWith(`${redisPrefix}:{tenant-${run}}:answer:`)).toBe(true);
    const pttl = await redis.pttl(redisKey);
    expect(pttl).toBeGreaterThan(11_000);
    expect(pttl).toBeLessThanOrEqual(12_000);
  });

  it('reads an unparseable stored value as a miss', async () => {
    const cache = createRedisCompletionCache(redis, redisPrefix);
    const k = cacheKey(parts({ scope: 'garbage' }));
    await redis.set(`${redisPrefix}:${k}`, '{"text": "cut', 'PX', 60_000);
    await expect(cache.getMany([k])).resolves.toEqual([null]);
  });
});

describe('cacheKey', () => {
  it('is stable for equal parts', () => {
    expect(cacheKey(parts())).toBe(cacheKey(parts()));
    expect(cacheKey(parts({ scope: fingerprint('q', ['c1@1', 'c2@1']) }))).toBe(
      cacheKey(parts({ scope: fingerprint('q', ['c1@1', 'c2@1']) })),
    );
  });

  it.each([
    ['tenantId', { tenantId: 'globex' }],
    ['task', { task: 'summarize' }],
    ['promptVersion', { promptVersion: 'answer.v2' }],
    ['targetId', { targetId: 'anthropic:claude-sonnet-5-5' }],
    ['scope', { scope: fingerprint('question', ['c1@2']) }],
  ] as [string, Partial<CacheKeyParts>][])('differs when only %s differs', (_part, change) => {
    expect(cacheKey(parts(change))).not.toBe(cacheKey(parts()));
  });

  it('keeps the tenant readable as a hash tag at the front, so one tenant’s keys can be found and purged', () => {
    expect(cacheKey(parts({ tenantId: 'acme' }))).toMatch(/^\{acme\}:answer:[A-Za-z0-9_-]+$/);
  });

  it('does not let parts run into each other', () => {
    const a = cacheKey(parts({ task: 'answer', promptVersion: 'x:y' }));
    const b = cacheKey(parts({ task: 'answer', promptVersion: 'x', targetId: `y:${parts().targetId}` }));
    expect(a).not.toBe(b);
  });
});

describe('fingerprint', () => {
  it('changes when a retrieved chunk version changes', () => {
    expect(fingerprint('q', ['c1@1', 'c2@1'])).not.toBe(fingerprint('q', ['c1@1', 'c2@2']));
    expect(fingerprint('q', ['c1@1'])).toBe(fingerprint('q', ['c1@1']));
  });
});

describe('normalizeForFingerprint', () => {
  it('collapses whitespace runs, trims, and lowercases', () => {
    expect(normalizeForFingerprint('  What   was\tQ3\n\nREVENUE?  ')).toBe('what was q3 revenue?');
    expect(normalizeForFingerprint('What was Q3 revenue?')).toBe(
      normalizeForFingerprint('what  was q3   Revenue?'),
    );
  });

  it('folds compatibility forms (NFKC), such as full-width letters', () => {
    expect(normalizeForFingerprint('ＱＵＯＫＫＡ')).toBe('quokka');
  });

  it('keeps different words different', () => {
    expect(normalizeForFingerprint('revenue in Q3')).not.toBe(normalizeForFingerprint('revenue in Q4'));
  });
});
