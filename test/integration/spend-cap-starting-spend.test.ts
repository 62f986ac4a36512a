// Where a spend cap starts from, so that it is never exceeded: with Redis, a tenant's counters of a new period
// start from the usage ledger (spend made before the cap applied counts); while Redis is away under `open`, the
// process's own limiter starts from the spend Redis last reported, and Redis counts what was spent meanwhile
// once it answers again; without Redis, a ledger that cannot be read follows LIMITS_ON_REDIS_FAILURE instead
// of failing the request. Redis is real: its outage is a wrapper whose calls fail while it is switched off.
import { Redis } from 'ioredis';
import { createRedisSpendLimiter } from '../../subgraph/limits/redis-spend-limiter';
import { createSpendGate } from '../../subgraph/limits/spend-gate';
import type { SharedSpendLimiter } from '../../subgraph/limits/spend-limiter';
import type { SpendSeed } from '../../subgraph/limits/memory-spend-limiter';
import { spendSeedOf } from '../../subgraph/limits/spend-seed';
import { createMetrics } from '../../subgraph/observability/metrics';
import { createRedisUsageLedger } from '../../subgraph/state/redis-usage-ledger';
import { capturingLogger } from '../support/logs';
import { REDIS_URL, requireRedis } from '../support/services';
import { CAPS, OVER, reserved, switchable, USD, useSpendKeyspace } from '../support/spend-outage';
import { startStallingProxy } from '../support/stalling-proxy';
import { eventually } from '../support/wait-for';

jest.setTimeout(30_000);
requireRedis();

const { prefix, redis, tenant, limiter, redisMonthReaches } = useSpendKeyspace('spend-start');

const deps = () => ({
  metrics: createMetrics({ defaultMetrics: false }),
  logger: capturingLogger('error').logger,
});

describe('LIMITS_ON_REDIS_FAILURE=open: the outage limiter starts from Redis and Redis counts what it spent', () => {
  const gateOver = (shared: SharedSpendLimiter) =>
    createSpendGate(shared, { timeoutMs: 500, onFailure: 'open', reservationTtlMs: 60_000 }, deps());

  it('refuses during an outage what the month spend Redis reported leaves no room for', async () => {
    const shared = switchable(limiter());
    const gate = gateOver(shared);
    const id = tenant();
    reserved(await gate.reserve(id, CAPS, 95 * USD))(95 * USD);
    await redisMonthReaches(id, 95 * USD);
    shared.down = true;
    expect(await gate.reserve(id, CAPS, 90 * USD)).toEqual(OVER);
    // The room the cap has left is still there.
    reserved(await gate.reserve(id, CAPS, 5 * USD))(4 * USD);
    shared.down = false;
    // Back: Redis first counts the $4 spent while it was away, so $99 + $2 is over.
    expect(await gate.reserve(id, CAPS, 2 * USD)).toEqual(OVER);
    expect((await limiter().spent(id)).monthNanos).toBe(99 * USD);
    reserved(await gate.reserve(id, CAPS, USD))(USD);
    await redisMonthReaches(id, 100 * USD);
  });

  it('a reservation made while Redis was away and settled once it is back is written back too', async () => {
    const shared = switchable(limiter());
    const gate = gateOver(shared);
    const id = tenant();
    shared.down = true;
    const settleLater = reserved(await gate.reserve(id, CAPS, 50 * USD));
    shared.down = false;
    reserved(await gate.reserve(id, CAPS, 10 * USD))(10 * USD);
    await redisMonthReaches(id, 10 * USD);
    settleLater(50 * USD);
    expect(await gate.reserve(id, CAPS, 41 * USD)).toEqual(OVER);
    expect((await limiter().spent(id)).monthNanos).toBe(60 * USD);
  });

  it('an outage’s spend is one write-back per tenant and day, not one per settle sent again at each reservation', async () => {
    const shared = switchable(limiter());
    const gate = gateOver(shared);
    const id = tenant();
    const cent = USD / 100;
    shared.down = true;
    for (let i = 0; i < 200; i += 1) reserved(await gate.reserve(id, CAPS, cent))(cent);
    const before = shared.settles;
    const settleLast = reserved(await gate.reserve(id, CAPS, cent));
    // Redis is away: one write-back tried (and failed) at most, not the 200 settles of the outage.
    expect(shared.settles - before).toBeLessThanOrEqual(1);
    settleLast(cent);
    shared.down = false;
    await gate.reserve(id, CAPS, cent);
    expect((await limiter().spent(id)).monthNanos).toBe(201 * cent);
  });

  it('a write-back that ran in Redis but whose answer was lost counts once when sent again', async () => {
    const shared = switchable(limiter());
    const gate = gateOver(shared);
    const id = tenant();
    shared.down = true;
    reserved(await gate.reserve(id, CAPS, 10 * USD))(7 * USD);
    shared.down = false;
    shared.loseSettleReply = true;
    // The write-back lands in Redis but this process hears a failure: it reserves on its own limiter again.
    reserved(await gate.reserve(id, CAPS, USD))(0);
    expect(await gate.reserve(id, CAPS, USD)).toMatchObject({ kind: 'reserved' });
    expect((await limiter().spent(id)).monthNanos).toBe(7 * USD);
  });

  it('the same over a real outage: Redis stalls (the checks time out), then its connection drops and comes back', async () => {
    const { hostname, port } = new URL(REDIS_URL);
    const proxy = await startStallingProxy({ host: hostname, port: Number(port || 6379) });
    // As the service connects (state/open-state.ts): no offline queue, one retry, reconnecting.
    const client = new Redis(`redis://127.0.0.1:${proxy.port}`, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: () => 20,
    });
    client.on('error', () => undefined);
    const ready = () =>
      eventually(async () => (client.status === 'ready' ? true : undefined), 3_000, 'connected');
    try {
      await ready();
      const gate = createSpendGate(
        createRedisSpendLimiter(client, `${prefix}:spend`),
        { timeoutMs: 200, onFailure: 'open', reservationTtlMs: 60_000 },
        deps(),
      );
      const id = tenant();
      reserved(await gate.reserve(id, CAPS, 95 * USD))(95 * USD);
      await redisMonthReaches(id, 95 * USD);
      proxy.stall();
      expect(await gate.reserve(id, CAPS, 90 * USD)).toEqual(OVER);
      reserved(await gate.reserve(id, CAPS, 5 * USD))(4 * USD);
      proxy.cut();
      await ready();
      expect(await gate.reserve(id, CAPS, 2 * USD)).toEqual(OVER);
      await redisMonthReaches(id, 99 * USD);
    } finally {
      client.disconnect();
      await proxy.close();
    }
  });
});

describe('with Redis, a tenant’s counters of a new period start from the usage ledger', () => {
  const ledger = () => createRedisUsageLedger(redis(), `${prefix}:usage`);
  const spendOf = (id: string, usd: number) =>
    ledger().record({
      tenantId: id,
      feature: 'summarize',
      requests: 1,
      fallback: false,
      cacheHit: false,
      costNanos: usd * USD,
      at: new Date(),
    });
  const gateWith = (seed: SpendSeed) =>
    createSpendGate(
      limiter(),
      { timeoutMs: 500, onFailure: 'closed', reservationTtlMs: 60_000 },
      {
        ...deps(),
        seed,
      },
    );

  it('spend made before the cap applied counts against it: $500 spent uncapped leaves no room for $1', async () => {
    const id = tenant();
    await spendOf(id, 500);
    const gate = gateWith(spendSeedOf(ledger()));
    expect(await gate.reserve(id, CAPS, USD)).toEqual(OVER);
    expect(await limiter().spent(id)).toEqual({ dayNanos: 500 * USD, monthNanos: 500 * USD });
  });

  it('keeps a counter that already exists, and reads the ledger once per tenant and day per process', async () => {
    const id = tenant();
    reserved(await gateWith(spendSeedOf(ledger())).reserve(id, CAPS, 30 * USD))(30 * USD);
    await redisMonthReaches(id, 30 * USD);
    // The ledger says more than the counter (it is written after the call, per feature): the counter stands.
    await spendOf(id, 500);
    let reads = 0;
    const ledgerSeed = spendSeedOf(ledger());
    const gate = gateWith((tenantId, at) => {
      reads += 1;
      return ledgerSeed(tenantId, at);
    });
    const checks = await Promise.all([1, 2, 3].map(() => gate.reserve(id, CAPS, 20 * USD)));
    expect(checks.map((check) => check.kind)).toEqual(['reserved', 'reserved', 'reserved']);
    expect(await gate.reserve(id, CAPS, 20 * USD)).toEqual(OVER);
    expect(reads).toBe(1);
  });

  it('a burst waiting on one ledger read that fails tries once more, rather than all failing with it', async () => {
    const id = tenant();
    await spendOf(id, 500);
    let reads = 0;
    const ledgerSeed = spendSeedOf(ledger());
    const gate = gateWith((tenantId, at) =>
      (reads += 1) === 1 ? Promise.reject(new Error('Command timed out')) : ledgerSeed(tenantId, at),
    );
    const checks = await Promise.all([1, 2, 3].map(() => gate.reserve(id, CAPS, USD)));
    expect(checks).toEqual([OVER, OVER, OVER]);
    expect(reads).toBe(2);
  });
});

describe('without Redis, a ledger that cannot be read follows LIMITS_ON_REDIS_FAILURE', () => {
  /** The ledger's spend, failing (as a dropped SQL connection) while `failing`; `reads` counts every read. */
  function flakySeed(monthNanos: number) {
    const state = { failing: true, reads: 0 };
    const seed: SpendSeed = () => {
      state.reads += 1;
      return state.failing
        ? Promise.reject(new Error('Connection terminated unexpectedly'))
        : Promise.resolve({ dayNanos: monthNanos, monthNanos });
    };
    return { state, seed };
  }

  it('closed: the reservation is unavailable, and the next one reads the ledger again and uses it', async () => {
    const { state, seed } = flakySeed(95 * USD);
    const gate = createSpendGate(
      null,
      { timeoutMs: 500, onFailure: 'closed', reservationTtlMs: 60_000 },
      { ...deps(), seed },
    );
    const id = tenant();
    await expect(gate.reserve(id, CAPS, 10 * USD)).resolves.toEqual({ kind: 'unavailable' });
    state.failing = false;
    expect(await gate.reserve(id, CAPS, 10 * USD)).toEqual(OVER);
    expect(await gate.reserve(id, CAPS, 5 * USD)).toMatchObject({ kind: 'reserved' });
    expect(state.reads).toBe(2);
  });

  it("open: the tenant is capped on this process's own spend until the ledger answers", async () => {
    const { state, seed } = flakySeed(95 * USD);
    const gate = createSpendGate(
      null,
      { timeoutMs: 500, onFailure: 'open', reservationTtlMs: 60_000 },
      { ...deps(), seed },
    );
    const id = tenant();
    reserved(await gate.reserve(id, CAPS, 60 * USD))(60 * USD);
    expect(await gate.reserve(id, CAPS, 50 * USD)).toEqual(OVER);
    state.failing = false;
    expect(await gate.reserve(id, CAPS, 10 * USD)).toEqual(OVER);
  });
});
