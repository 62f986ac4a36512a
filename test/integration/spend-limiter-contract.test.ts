// The spend limiter contract, held by both adapters (process memory and Redis): a reservation fits when
// settled spend + outstanding reservations + it stay within every cap set, and a refused one records nothing;
// settling replaces the reservation by the real cost, refunding the rest, so reserved totals return to zero;
// a reservation never settled lapses after its TTL (waited for with a short TTL, never timed); tenants are
// counted apart. Redis, shared by replicas, lets through at most what fits over two limiters racing on two
// connections. The gate in front applies LIMITS_ON_REDIS_FAILURE when Redis is unreachable.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { createMemorySpendLimiter } from '../../subgraph/limits/memory-spend-limiter';
import { createRedisSpendLimiter } from '../../subgraph/limits/redis-spend-limiter';
import { createSpendGate } from '../../subgraph/limits/spend-gate';
import type { SpendLimiter } from '../../subgraph/limits/spend-limiter';
import { observedGateDeps, unreachableRedis } from '../support/limits-gate';
import { useRedisKeyspace } from '../support/redis-keyspace';
import { connectedRedis, requireRedis } from '../support/services';

jest.setTimeout(30_000);
requireRedis();

const run = randomBytes(5).toString('hex');
const prefix = `ai:test-spend-${run}`;
const TTL = 60_000;
let redis: Redis;

useRedisKeyspace(prefix, (client) => {
  redis = client;
});

let n = 0;
const tenant = () => `tenant-${run}-${(n += 1)}`;

async function ticketOf(limiter: SpendLimiter, id: string, caps: object, nanos: number, ttl = TTL) {
  const decision = await limiter.reserve(id, caps, nanos, ttl);
  if (!decision.fits) throw new Error(`refused a reservation of ${nanos} that should fit`);
  return decision.ticket;
}

describe.each([
  ['memory', () => createMemorySpendLimiter()],
  ['redis', () => createRedisSpendLimiter(redis, prefix)],
] as const)('spend limiter contract: %s', (_name, create) => {
  it('reserves while settled + reserved + this fit the monthly cap, and refuses the next, recording nothing', async () => {
    const limiter = create();
    const id = tenant();
    const caps = { monthlyNanos: 1_000 };
    await ticketOf(limiter, id, caps, 400);
    await ticketOf(limiter, id, caps, 400);
    expect(await limiter.reserve(id, caps, 201, TTL)).toEqual({
      fits: false,
      cap: 'monthly',
      capNanos: 1_000,
    });
    expect(await limiter.outstanding(id)).toBe(800);
    // Exactly the room left fits.
    await ticketOf(limiter, id, caps, 200);
    expect(await limiter.outstanding(id)).toBe(1_000);
  });

  it('the daily cap holds beside the monthly one, and names itself', async () => {
    const limiter = create();
    const id = tenant();
    const caps = { monthlyNanos: 10_000, dailyNanos: 500 };
    const ticket = await ticketOf(limiter, id, caps, 300);
    await limiter.settle(id, ticket, 300);
    expect(await limiter.reserve(id, caps, 201, TTL)).toEqual({ fits: false, cap: 'daily', capNanos: 500 });
    expect(await limiter.spent(id)).toEqual({ dayNanos: 300, monthNanos: 300 });
  });

  it('settling replaces the reservation by the real cost: the rest is free again, and nothing stays reserved', async () => {
    const limiter = create();
    const id = tenant();
    const caps = { monthlyNanos: 1_000 };
    const first = await ticketOf(limiter, id, caps, 900);
    expect((await limiter.reserve(id, caps, 900, TTL)).fits).toBe(false);
    await limiter.settle(id, first, 150);
    expect(await limiter.outstanding(id)).toBe(0);
    const second = await ticketOf(limiter, id, caps, 850);
    await limiter.settle(id, second, 0);
    expect(await limiter.outstanding(id)).toBe(0);
    expect(await limiter.spent(id)).toEqual({ dayNanos: 150, monthNanos: 150 });
    // 150 settled: 850 is all the room there is.
    expect((await limiter.reserve(id, caps, 851, TTL)).fits).toBe(false);
  });

  it('a reservation never settled lapses after its TTL and frees its room', async () => {
    const limiter = create();
    const id = tenant();
    const caps = { monthlyNanos: 1_000 };
    await ticketOf(limiter, id, caps, 1_000, 300);
    expect((await limiter.reserve(id, caps, 1, TTL)).fits).toBe(false);
    await sleep(600);
    expect(await limiter.outstanding(id)).toBe(0);
    await ticketOf(limiter, id, caps, 1_000);
  });

  it('a cost settled after its reservation lapsed still counts: money spent is spent', async () => {
    const limiter = create();
    const id = tenant();
    const caps = { monthlyNanos: 1_000 };
    const ticket = await ticketOf(limiter, id, caps, 500, 200);
    await sleep(400);
    await limiter.settle(id, ticket, 700);
    expect(await limiter.spent(id)).toEqual({ dayNanos: 700, monthNanos: 700 });
    expect((await limiter.reserve(id, caps, 301, TTL)).fits).toBe(false);
  });

  it('counts each tenant apart, and applies no cap that is unset', async () => {
    const limiter = create();
    const spent = tenant();
    await ticketOf(limiter, spent, { monthlyNanos: 100 }, 100);
    expect((await limiter.reserve(spent, { monthlyNanos: 100 }, 1, TTL)).fits).toBe(false);
    await ticketOf(limiter, tenant(), { monthlyNanos: 100 }, 100);
    for (let i = 0; i < 5; i++) await ticketOf(limiter, spent, {}, 1_000_000_000);
  });

  it('keeps amounts exact past the range Lua prints as integers (a cap above $100,000)', async () => {
    const limiter = create();
    const id = tenant();
    const caps = { monthlyNanos: 500_000 * 1_000_000_000 };
    const ticket = await ticketOf(limiter, id, caps, 300_000 * 1_000_000_000 + 7);
    await limiter.settle(id, ticket, 250_000 * 1_000_000_000 + 3);
    expect(await limiter.spent(id)).toEqual({
      dayNanos: 250_000 * 1_000_000_000 + 3,
      monthNanos: 250_000 * 1_000_000_000 + 3,
    });
    expect(await limiter.outstanding(id)).toBe(0);
  });
});

describe('the Redis spend limiter, shared by replicas', () => {
  it('lets through at most what fits of many concurrent reservations from two limiters on two connections', async () => {
    const other = await connectedRedis();
    try {
      const [a, b] = [createRedisSpendLimiter(redis, prefix), createRedisSpendLimiter(other, prefix)];
      const id = tenant();
      const decisions = await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).reserve(id, { monthlyNanos: 700 }, 100, TTL)),
      );
      expect(decisions.filter((decision) => decision.fits)).toHaveLength(7);
      expect(await a.outstanding(id)).toBe(700);
    } finally {
      await other.quit();
    }
  });

  it('runs its scripts by SHA, and sends them again after Redis forgot them (SCRIPT FLUSH)', async () => {
    const limiter = createRedisSpendLimiter(redis, prefix);
    const id = tenant();
    await redis.script('FLUSH');
    const ticket = await ticketOf(limiter, id, { monthlyNanos: 1_000 }, 400);
    await redis.script('FLUSH');
    await limiter.settle(id, ticket, 100);
    await redis.script('FLUSH');
    expect(await limiter.outstanding(id)).toBe(0);
    expect(await limiter.spent(id)).toEqual({ dayNanos: 100, monthNanos: 100 });
  });

  it('reservation keys expire with their latest reservation; spend keys last past their period', async () => {
    const id = tenant();
    const limiter = createRedisSpendLimiter(redis, prefix);
    const ticket = await ticketOf(limiter, id, { monthlyNanos: 1_000 }, 100, 5_000);
    await ticketOf(limiter, id, { monthlyNanos: 1_000 }, 100, 5_000);
    await limiter.settle(id, ticket, 50);
    const keys = await redis.keys(`${prefix}:{${id}}:*`);
    expect(keys.sort()).toHaveLength(4);
    for (const key of keys) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      if (key.endsWith('reserved') || key.endsWith('reserved-nanos')) expect(ttl).toBeLessThanOrEqual(5_000);
      else expect(ttl).toBeGreaterThan(86_400_000);
    }
  });
});

describe('the spend gate when Redis does not answer', () => {
  function gateOver(client: Redis, onFailure: 'closed' | 'open') {
    const { deps, lines, unavailable } = observedGateDeps(onFailure);
    const gate = createSpendGate(
      createRedisSpendLimiter(client, prefix),
      { timeoutMs: 50, onFailure, reservationTtlMs: TTL },
      deps,
    );
    return { gate, lines, unavailable };
  }

  it('closed: every reservation is unavailable, each counted, and the log says so once', async () => {
    const { gate, lines, unavailable } = gateOver(unreachableRedis(), 'closed');
    for (let i = 0; i < 3; i++) {
      expect(await gate.reserve(tenant(), { monthlyNanos: 1_000 }, 10)).toEqual({ kind: 'unavailable' });
    }
    expect(await unavailable()).toBe(3);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ policy: 'closed' });
  });

  it("open: this process's own limiter holds the cap", async () => {
    const { gate, unavailable } = gateOver(unreachableRedis(), 'open');
    const id = tenant();
    expect(await gate.reserve(id, { monthlyNanos: 1_000 }, 600)).toMatchObject({ kind: 'reserved' });
    expect(await gate.reserve(id, { monthlyNanos: 1_000 }, 600)).toEqual({
      kind: 'over',
      cap: 'monthly',
      capNanos: 1_000,
    });
    expect(await unavailable()).toBe(2);
  });

  it('reserves nothing for a tenant without caps, even with Redis away', async () => {
    const { gate, unavailable } = gateOver(unreachableRedis(), 'closed');
    expect(await gate.reserve(tenant(), {}, 1_000)).toMatchObject({ kind: 'reserved' });
    expect(await unavailable()).toBe(0);
  });
});
