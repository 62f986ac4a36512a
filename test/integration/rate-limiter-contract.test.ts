// The rate limiter contract, held by both adapters (process memory and Redis): a limit of N requests per
// minute admits N and refuses the next with a retry-after within the window; a refused request records
// nothing; tenants are counted apart; tokens are a sliding sum, settled after the call to real usage; and
// the window slides (shown with a short window, by waiting past it, never by timing a refusal). Redis, shared
// by replicas, admits at most N over two limiters (two connections) racing. The gate in front of it applies
// LIMITS_ON_REDIS_FAILURE when Redis is unreachable or stalls: closed -> unavailable, open -> this process's
// own limit; a metric counts every failure, and the log says it once, not once per request.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createMemoryRateLimiter } from '../../subgraph/limits/memory-rate-limiter';
import { createRedisRateLimiter } from '../../subgraph/limits/redis-rate-limiter';
import { createRateGate } from '../../subgraph/limits/rate-gate';
import type { RateLimiter } from '../../subgraph/limits/rate-limiter';
import { observedGateDeps, unreachableRedis } from '../support/limits-gate';
import { connectedRedis, REDIS_URL, requireRedis } from '../support/services';
import { useRedisKeyspace } from '../support/redis-keyspace';
import { startStallingProxy } from '../support/stalling-proxy';

jest.setTimeout(30_000);
requireRedis();

const run = randomBytes(5).toString('hex');
const prefix = `ai:test-rate-${run}`;
let redis: Redis;

useRedisKeyspace(prefix, (client) => {
  redis = client;
});

let n = 0;
/** A fresh tenant per test, so no test sees another's windows. */
const tenant = () => `tenant-${run}-${(n += 1)}`;

async function admissions(limiter: RateLimiter, tenantId: string, count: number, rpm: number) {
  const admitted: boolean[] = [];
  for (let i = 0; i < count; i++)
    admitted.push((await limiter.acquire(tenantId, { requestsPerMinute: rpm }, 10)).admitted);
  return admitted;
}

describe.each([
  ['memory', (windowMs?: number) => createMemoryRateLimiter(windowMs)],
  ['redis', (windowMs?: number) => createRedisRateLimiter(redis, prefix, windowMs)],
] as const)('rate limiter contract: %s', (_name, create) => {
  it('admits N requests per minute and refuses the next, with a retry-after within the minute', async () => {
    const limiter = create();
    const id = tenant();
    expect(await admissions(limiter, id, 5, 5)).toEqual([true, true, true, true, true]);
    const refused = await limiter.acquire(id, { requestsPerMinute: 5 }, 10);
    expect(refused).toEqual({
      admitted: false,
      limit: 'requests',
      perMinute: 5,
      retryAfterMs: expect.any(Number) as number,
    });
    if (refused.admitted) throw new Error('admitted over the limit');
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it("counts each tenant apart: one tenant's spent minute does not hold back another", async () => {
    const limiter = create();
    const spent = tenant();
    await admissions(limiter, spent, 2, 2);
    expect((await limiter.acquire(spent, { requestsPerMinute: 2 }, 10)).admitted).toBe(false);
    expect((await limiter.acquire(tenant(), { requestsPerMinute: 2 }, 10)).admitted).toBe(true);
  });

  it('a request refused for its tokens takes no request slot, and one refused for requests takes no tokens', async () => {
    const limiter = create();
    const id = tenant();
    const limits = { requestsPerMinute: 2, tokensPerMinute: 1_000 };
    expect((await limiter.acquire(id, limits, 900)).admitted).toBe(true);
    expect(await limiter.acquire(id, limits, 200)).toMatchObject({ admitted: false, limit: 'tokens' });
    // The refused 200 took neither a request nor tokens: 100 more fit, as the second request.
    expect((await limiter.acquire(id, limits, 100)).admitted).toBe(true);
    expect(await limiter.acquire(id, limits, 0)).toMatchObject({ admitted: false, limit: 'requests' });
  });

  it('settling refunds the estimate beyond what the call used, and charges a repair beyond it', async () => {
    const limiter = create();
    const id = tenant();
    const limits = { tokensPerMinute: 1_000 };
    const first = await limiter.acquire(id, limits, 800);
    if (!first.admitted) throw new Error('refused the first request');
    expect(await limiter.acquire(id, limits, 800)).toMatchObject({ admitted: false, limit: 'tokens' });
    await limiter.settle(id, first.ticket, 150);
    const second = await limiter.acquire(id, limits, 800);
    if (!second.admitted) throw new Error('the refund did not free the tokens');
    // 150 + 800 held; the second call used 850 after all: 1,000 held, no room for one more token.
    await limiter.settle(id, second.ticket, 850);
    expect(await limiter.acquire(id, limits, 1)).toMatchObject({ admitted: false, limit: 'tokens' });
  });

  it('a request estimated above the whole token limit counts as the limit: it fits an empty window only', async () => {
    const limiter = create();
    const id = tenant();
    expect((await limiter.acquire(id, { tokensPerMinute: 500 }, 5_000)).admitted).toBe(true);
    const refused = await limiter.acquire(id, { tokensPerMinute: 500 }, 1);
    expect(refused).toMatchObject({ admitted: false, limit: 'tokens', perMinute: 500 });
  });

  it('applies no limit the policy leaves unset', async () => {
    const limiter = create();
    const id = tenant();
    for (let i = 0; i < 20; i++) expect((await limiter.acquire(id, {}, 1_000_000)).admitted).toBe(true);
  });

  it('the window slides: once it has passed, the requests and tokens it held are free again', async () => {
    const windowMs = 1_000;
    const limiter = create(windowMs);
    const id = tenant();
    const limits = { requestsPerMinute: 2, tokensPerMinute: 100 };
    expect((await limiter.acquire(id, limits, 60)).admitted).toBe(true);
    expect((await limiter.acquire(id, limits, 40)).admitted).toBe(true);
    await sleep(windowMs * 2);
    expect((await limiter.acquire(id, limits, 60)).admitted).toBe(true);
    expect((await limiter.acquire(id, limits, 40)).admitted).toBe(true);
  });
});

describe('the Redis rate limiter, shared by replicas', () => {
  it('admits at most N of many concurrent requests from two limiters on two connections', async () => {
    const other = await connectedRedis();
    try {
      const [a, b] = [createRedisRateLimiter(redis, prefix), createRedisRateLimiter(other, prefix)];
      const id = tenant();
      const decisions = await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).acquire(id, { requestsPerMinute: 7 }, 10)),
      );
      expect(decisions.filter((decision) => decision.admitted)).toHaveLength(7);
    } finally {
      await other.quit();
    }
  });

  it('leaves nothing behind: every key of a tenant expires with its window', async () => {
    const id = tenant();
    const limiter = createRedisRateLimiter(redis, prefix);
    await limiter.acquire(id, { requestsPerMinute: 3, tokensPerMinute: 100 }, 10);
    const keys = await redis.keys(`${prefix}:{${id}}:*`);
    expect(keys).toHaveLength(3);
    for (const key of keys) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
  });
});

describe('the rate gate when Redis does not answer', () => {
  function gateOver(client: Redis, onFailure: 'closed' | 'open', timeoutMs = 50) {
    const { deps, lines, unavailable } = observedGateDeps(onFailure);
    const gate = createRateGate(createRedisRateLimiter(client, prefix), { timeoutMs, onFailure }, deps);
    return { gate, lines, unavailable };
  }

  it('closed: every check is unavailable, each counted, and the log says so once', async () => {
    const client = unreachableRedis();
    const { gate, lines, unavailable } = gateOver(client, 'closed');
    for (let i = 0; i < 4; i++) {
      expect(await gate.check(tenant(), { requestsPerMinute: 5 }, 10)).toEqual({ kind: 'unavailable' });
    }
    expect(await unavailable()).toBe(4);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      policy: 'closed',
      msg: expect.stringMatching(/^rate limits unavailable/) as string,
    });
    client.disconnect();
  });

  it('open: requests are admitted under this process’s own limit, still refused past it', async () => {
    const client = unreachableRedis();
    const { gate, unavailable } = gateOver(client, 'open');
    const id = tenant();
    const kinds: string[] = [];
    for (let i = 0; i < 4; i++) kinds.push((await gate.check(id, { requestsPerMinute: 3 }, 10)).kind);
    expect(kinds).toEqual(['admitted', 'admitted', 'admitted', 'refused']);
    expect(await unavailable()).toBe(4);
    client.disconnect();
  });

  it('a Redis that stalls is a failure after the timeout, not a request left waiting', async () => {
    const { hostname, port } = new URL(REDIS_URL);
    const proxy = await startStallingProxy({ host: hostname, port: Number(port || 6379) });
    const client = new Redis(`redis://127.0.0.1:${proxy.port}`, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      // A generous timeout, so the first check passes on a loaded machine; the stalled one waits it out.
      const { gate, unavailable } = gateOver(client, 'closed', 1_000);
      expect((await gate.check(tenant(), { requestsPerMinute: 5 }, 10)).kind).toBe('admitted');
      proxy.stall();
      expect(await gate.check(tenant(), { requestsPerMinute: 5 }, 10)).toEqual({ kind: 'unavailable' });
      expect(await unavailable()).toBe(1);
    } finally {
      client.disconnect();
      await proxy.close();
    }
  });

  it('checks nothing, and needs no Redis, for a tenant whose policy sets no rate limit', async () => {
    const client = unreachableRedis();
    const { gate, unavailable } = gateOver(client, 'closed');
    expect((await gate.check(tenant(), {}, 10)).kind).toBe('admitted');
    expect(await unavailable()).toBe(0);
    client.disconnect();
  });
});
