// Finding 2 of the review: a Redis reply that lands after LIMITS_TIMEOUT_MS. The Lua script ran at once and
// reserved the worst case (or took a rate admission); only its answer came late, after the gate had given up on
// it and applied LIMITS_ON_REDIS_FAILURE. Nobody settled that ticket: it held the tenant's cap until the
// reservation TTL lapsed (a false BUDGET_EXCEEDED after a latency spike) and kept a request slot and its
// tokens in the rate window. The gate now gives back what a late answer took as soon as it arrives. Real Redis,
// behind a real TCP proxy that delays its replies.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createMemoryRateLimiter } from '../../subgraph/limits/memory-rate-limiter';
import { createRateGate } from '../../subgraph/limits/rate-gate';
import type { RateLimiter } from '../../subgraph/limits/rate-limiter';
import { createRedisRateLimiter } from '../../subgraph/limits/redis-rate-limiter';
import { createRedisSpendLimiter } from '../../subgraph/limits/redis-spend-limiter';
import { createSpendGate } from '../../subgraph/limits/spend-gate';
import type { LimitsFailurePolicy } from '../../subgraph/limits/rate-gate';
import { createMetrics } from '../../subgraph/observability/metrics';
import { startDelayingProxy } from '../support/delaying-proxy';
import type { DelayingProxy } from '../support/delaying-proxy';
import { capturingLogger } from '../support/logs';
import { REDIS_URL, connectRedis, requireRedis } from '../support/services';
import { eventually } from '../support/wait-for';

jest.setTimeout(30_000);
requireRedis();

const run = randomBytes(5).toString('hex');
const prefix = `ai:test-late-${run}`;
const TIMEOUT_MS = 50;
/** Well past the bound: the gate has given up on the answer long before it lands. */
const LATE_MS = 300;
/** Far above the test's length: a reservation still held at the end was never settled. */
const RESERVATION_TTL_MS = 60_000;
const WORST_NANOS = 1_000;

let n = 0;
const newTenant = () => `late-${run}-${(n += 1)}`;

const deps = () => ({
  metrics: createMetrics({ defaultMetrics: false }),
  logger: capturingLogger('error').logger,
});

describe('finding 2: a Redis reply that lands after LIMITS_TIMEOUT_MS', () => {
  /** Straight to Redis: what the limiter holds, read without the delay. */
  let redis: Redis;
  let proxy: DelayingProxy;
  /** Through the proxy: the gates' connection, whose replies the test delays. */
  let slow: Redis;

  beforeAll(() => {
    redis = connectRedis();
  });
  beforeEach(async () => {
    const { hostname, port } = new URL(REDIS_URL);
    proxy = await startDelayingProxy({ host: hostname, port: Number(port || 6379) });
    slow = new Redis(`redis://127.0.0.1:${proxy.port}`, {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    slow.on('error', () => undefined);
    await slow.ping();
    // Redis knows the limiters' scripts before any reply is delayed: a NOSCRIPT round trip (a fresh server)
    // would otherwise send the script itself only after the gate gave up, and nothing would come late.
    const warm = `warm-${run}`;
    const spend = createRedisSpendLimiter(slow, `${prefix}:spend`);
    const reserved = await spend.reserve(warm, { dailyNanos: 1 }, 1, 1_000);
    if (reserved.fits) await spend.settle(warm, reserved.ticket, 0);
    await createRedisRateLimiter(slow, `${prefix}:rate`).acquire(warm, { tokensPerMinute: 1 }, 1);
  });
  afterEach(async () => {
    slow.disconnect();
    await proxy.close();
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  describe('spend caps', () => {
    const limiter = () => createRedisSpendLimiter(redis, `${prefix}:spend`);
    const gateWith = (onFailure: LimitsFailurePolicy) =>
      createSpendGate(
        createRedisSpendLimiter(slow, `${prefix}:spend`),
        { timeoutMs: TIMEOUT_MS, onFailure, reservationTtlMs: RESERVATION_TTL_MS },
        deps(),
      );
    const outstandingBackTo0 = (tenant: string) =>
      eventually(
        async () => ((await limiter().outstanding(tenant)) === 0 ? true : undefined),
        3_000,
        'the late reservation released',
      );

    it.each(['closed', 'open'] as const)(
      'under %s, the limiter’s outstanding reservations return to 0 after a call whose Redis reply came late',
      async (policy) => {
        const tenant = newTenant();
        const gate = gateWith(policy);
        proxy.delayReplies(LATE_MS);
        const check = await gate.reserve(tenant, { dailyNanos: 1_000_000 }, WORST_NANOS);
        // Closed: the call goes to its floor. Open: reserved against this process's own limiter instead.
        expect(check.kind).toBe(policy === 'closed' ? 'unavailable' : 'reserved');
        // The script ran at once: Redis holds the reservation the gate gave up on.
        expect(await limiter().outstanding(tenant)).toBe(WORST_NANOS);
        proxy.delayReplies(0);
        if (check.kind === 'reserved') check.settle(0);
        await outstandingBackTo0(tenant);
        // Released, not charged: nothing was spent.
        expect(await limiter().spent(tenant)).toEqual({ dayNanos: 0, monthNanos: 0 });
      },
    );

    it('tells no false BUDGET_EXCEEDED once the spike is over: the cap the late reservation held is free again', async () => {
      const tenant = newTenant();
      const gate = gateWith('closed');
      const caps = { dailyNanos: WORST_NANOS };
      proxy.delayReplies(LATE_MS);
      expect((await gate.reserve(tenant, caps, WORST_NANOS)).kind).toBe('unavailable');
      proxy.delayReplies(0);
      // The late answer has landed (and, fixed, its release has run) well before this.
      await sleep(LATE_MS * 2);
      expect((await gate.reserve(tenant, caps, WORST_NANOS)).kind).toBe('reserved');
    });
  });

  describe('rate limits', () => {
    const limits = { requestsPerMinute: 1, tokensPerMinute: 100 };
    const gateWith = (onFailure: LimitsFailurePolicy) =>
      createRateGate(
        createRedisRateLimiter(slow, `${prefix}:rate`),
        { timeoutMs: TIMEOUT_MS, onFailure },
        deps(),
      );
    /** The tenant's admissions in the requests window, and the tokens window's sum. */
    const windowOf = async (tenant: string) => {
      const base = `${prefix}:rate:{${tenant}}`;
      const [requests, tokens] = await Promise.all([
        redis.zcard(`${base}:requests`),
        redis.hget(`${base}:token-counts`, '~sum'),
      ]);
      return { requests, tokens: Number(tokens ?? 0) };
    };

    it.each(['closed', 'open'] as const)(
      'under %s, a late admission gives its request slot and its tokens back',
      async (policy) => {
        const tenant = newTenant();
        const gate = gateWith(policy);
        proxy.delayReplies(LATE_MS);
        const check = await gate.check(tenant, limits, 40);
        expect(check.kind).toBe(policy === 'closed' ? 'unavailable' : 'admitted');
        expect(await windowOf(tenant)).toEqual({ requests: 1, tokens: 40 });
        proxy.delayReplies(0);
        await eventually(
          async () => {
            const window = await windowOf(tenant);
            return window.requests === 0 && window.tokens === 0 ? true : undefined;
          },
          3_000,
          'the late admission given back',
        );
        // The tenant's one request a minute is still its own to use.
        expect((await gate.check(tenant, limits, 40)).kind).toBe('admitted');
      },
    );
  });
});

describe.each(['memory', 'redis'] as const)('rate limiter release: %s', (kind) => {
  let limiter: RateLimiter;
  let client: Redis | undefined;
  beforeAll(() => {
    client = kind === 'redis' ? connectRedis() : undefined;
    limiter = client ? createRedisRateLimiter(client, `${prefix}:rate-release`) : createMemoryRateLimiter();
  });
  afterAll(async () => {
    if (!client) return;
    const keys = await client.keys(`${prefix}:rate-release:*`);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  });

  it('gives an admission’s request slot and tokens back; an unknown ticket is left alone', async () => {
    const tenant = newTenant();
    const limits = { requestsPerMinute: 2, tokensPerMinute: 100 };
    const first = await limiter.acquire(tenant, limits, 60);
    const second = await limiter.acquire(tenant, limits, 40);
    expect(first.admitted && second.admitted).toBe(true);
    expect(await limiter.acquire(tenant, limits, 1)).toMatchObject({ admitted: false, limit: 'requests' });
    if (!first.admitted) throw new Error('unreachable');
    await limiter.release(tenant, first.ticket);
    await limiter.release(tenant, first.ticket);
    await limiter.release(tenant, 'no-such-ticket');
    // One slot back, and the 60 tokens: 60 more fit, 61 would not (40 still held).
    expect(await limiter.acquire(tenant, limits, 61)).toMatchObject({ admitted: false, limit: 'tokens' });
    expect((await limiter.acquire(tenant, limits, 60)).admitted).toBe(true);
    expect(await limiter.acquire(tenant, limits, 1)).toMatchObject({ admitted: false, limit: 'requests' });
  });
});

describe('zero amounts in the Redis scripts (found while testing finding 2)', () => {
  let client: Redis;
  beforeAll(() => {
    client = connectRedis();
  });
  afterAll(async () => {
    const keys = await client.keys(`${prefix}:zero*`);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  });

  it('settles a reservation of 0 nanos, and releases or lets lapse an admission of 0 tokens, without a Redis error', async () => {
    // Lua's %.0f writes minus a zero amount as "-0", which HINCRBY refused: "value is not an integer".
    const tenant = newTenant();
    const spend = createRedisSpendLimiter(client, `${prefix}:zero-spend`);
    const reserved = await spend.reserve(tenant, { dailyNanos: 10 }, 0, 60_000);
    if (!reserved.fits) throw new Error('a reservation of 0 always fits');
    await spend.settle(tenant, reserved.ticket, 0);
    expect(await spend.outstanding(tenant)).toBe(0);

    const rate = createRedisRateLimiter(client, `${prefix}:zero-rate`, 100);
    const admitted = await rate.acquire(tenant, { tokensPerMinute: 10 }, 0);
    if (!admitted.admitted) throw new Error('0 tokens always fit');
    await rate.release(tenant, admitted.ticket);
    await rate.acquire(tenant, { tokensPerMinute: 10 }, 0);
    await sleep(150);
    // The 0-token admission left the 100 ms window: dropping it from the sum must not fail the next check.
    expect((await rate.acquire(tenant, { tokensPerMinute: 10 }, 5)).admitted).toBe(true);
  });
});
