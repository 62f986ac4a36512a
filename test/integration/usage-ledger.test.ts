// The usage ledger contract, run against the memory and the Redis adapters alike, and the usage query that
// reads it through GraphQL after real feature calls.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createMemoryUsageLedger } from '../../subgraph/state/memory-usage-ledger';
import { createRedisUsageLedger } from '../../subgraph/state/redis-usage-ledger';
import type { UsageEvent, UsageLedger } from '../../subgraph/state/usage-ledger';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { connectRedis, REDIS_URL, requirePostgres, requireRedis } from '../support/services';

// What this suite needs: without them the suite fails at once, with one line saying what to start.
requirePostgres();
requireRedis();

const unique = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

/** A connection that fails loudly when Redis is not there, instead of retrying forever. */
async function connectedRedis(): Promise<Redis> {
  const redis = connectRedis({ lazyConnect: true, connectTimeout: 2_000 });
  await redis.connect();
  return redis;
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  const keys = await redis.keys(pattern);
  if (keys.length > 0) await redis.del(...keys);
}

interface LedgerHandle {
  ledger: UsageLedger;
  dispose(): Promise<void>;
}

async function memoryLedger(): Promise<LedgerHandle> {
  const ledger = createMemoryUsageLedger();
  return { ledger, dispose: () => ledger.close() };
}

async function redisLedger(): Promise<LedgerHandle> {
  const redis = await connectedRedis();
  const prefix = unique('test-usage');
  const ledger = createRedisUsageLedger(redis, prefix);
  return {
    ledger,
    async dispose() {
      await deleteKeys(redis, `${prefix}:*`);
      expect(await redis.keys(`${prefix}:*`)).toEqual([]);
      await ledger.close();
      await redis.quit();
    },
  };
}

const event = (
  overrides: Partial<UsageEvent> & Pick<UsageEvent, 'tenantId' | 'feature' | 'at'>,
): UsageEvent => ({
  fallback: false,
  cacheHit: false,
  costUsd: 0,
  ...overrides,
});

const MARCH_10 = new Date('2025-03-10T09:30:00Z');
const MARCH_11 = new Date('2025-03-11T23:59:59Z');
const MARCH_11_LATER = new Date('2025-03-11T23:59:59.500Z');
const FEBRUARY_28 = new Date('2025-02-28T23:59:59Z');

describe.each([
  ['memory', memoryLedger],
  ['redis', redisLedger],
] as const)('usage ledger contract: %s', (_kind, open) => {
  let handle: LedgerHandle;
  const ledger = () => handle.ledger;

  beforeAll(async () => {
    handle = await open();
  });

  afterAll(async () => {
    await handle?.dispose();
  });

  it('sums requests and spend for today and this month, and counts per feature, across two days', async () => {
    const tenantId = 'two-days';
    for (const e of [
      event({ tenantId, feature: 'search', at: MARCH_10, costUsd: 0.002 }),
      event({ tenantId, feature: 'ask', at: MARCH_10, costUsd: 0.01, fallback: true }),
      event({ tenantId, feature: 'search', at: MARCH_11, costUsd: 0.003, cacheHit: true }),
      event({ tenantId, feature: 'search', at: MARCH_11, fallback: true }),
      event({ tenantId, feature: 'ask', at: MARCH_11, costUsd: 0.02 }),
      // The previous month: in neither today's nor this month's totals.
      event({ tenantId, feature: 'search', at: FEBRUARY_28, costUsd: 5, fallback: true }),
    ]) {
      await ledger().record(e);
    }

    const onMarch11 = await ledger().read(tenantId, MARCH_11_LATER);
    expect(onMarch11).toEqual({
      requestsToday: 3,
      spendUsdToday: 0.023,
      spendUsdThisMonth: 0.035,
      byFeature: [
        { feature: 'ask', requests: 2, costUsd: 0.03, fallbacks: 1, cacheHits: 0 },
        { feature: 'search', requests: 3, costUsd: 0.005, fallbacks: 1, cacheHits: 1 },
      ],
    });

    const onMarch10 = await ledger().read(tenantId, MARCH_10);
    expect(onMarch10).toMatchObject({ requestsToday: 2, spendUsdToday: 0.012, spendUsdThisMonth: 0.035 });

    const inFebruary = await ledger().read(tenantId, FEBRUARY_28);
    expect(inFebruary).toEqual({
      requestsToday: 1,
      spendUsdToday: 5,
      spendUsdThisMonth: 5,
      byFeature: [{ feature: 'search', requests: 1, costUsd: 5, fallbacks: 1, cacheHits: 0 }],
    });
  });

  it('adds a thousand spends of 0.0001 USD to exactly 0.1 USD', async () => {
    const tenantId = 'tiny-spends';
    const naive = Array.from({ length: 1000 }, () => 0.0001).reduce((sum, value) => sum + value, 0);
    expect(naive).not.toBe(0.1); // the drift the ledger must not have
    await Promise.all(
      Array.from({ length: 1000 }, () =>
        ledger().record(event({ tenantId, feature: 'summarize', at: MARCH_10, costUsd: 0.0001 })),
      ),
    );
    const snapshot = await ledger().read(tenantId, MARCH_10);
    expect(snapshot).toEqual({
      requestsToday: 1000,
      spendUsdToday: 0.1,
      spendUsdThisMonth: 0.1,
      byFeature: [{ feature: 'summarize', requests: 1000, costUsd: 0.1, fallbacks: 0, cacheHits: 0 }],
    });
  });

  it("keeps each tenant's counts to itself", async () => {
    await ledger().record(event({ tenantId: 'tenant-one', feature: 'ask', at: MARCH_10, costUsd: 0.5 }));
    await ledger().record(event({ tenantId: 'tenant-one', feature: 'ask', at: MARCH_10, fallback: true }));
    await ledger().record(event({ tenantId: 'tenant-two', feature: 'search', at: MARCH_10, cacheHit: true }));

    expect(await ledger().read('tenant-one', MARCH_10)).toEqual({
      requestsToday: 2,
      spendUsdToday: 0.5,
      spendUsdThisMonth: 0.5,
      byFeature: [{ feature: 'ask', requests: 2, costUsd: 0.5, fallbacks: 1, cacheHits: 0 }],
    });
    expect(await ledger().read('tenant-two', MARCH_10)).toEqual({
      requestsToday: 1,
      spendUsdToday: 0,
      spendUsdThisMonth: 0,
      byFeature: [{ feature: 'search', requests: 1, costUsd: 0, fallbacks: 0, cacheHits: 1 }],
    });
    expect(await ledger().read('tenant-three', MARCH_10)).toEqual({
      requestsToday: 0,
      spendUsdToday: 0,
      spendUsdThisMonth: 0,
      byFeature: [],
    });
  });
});

describe.each([
  ['memory', {}],
  ['redis', { REDIS_URL }],
] as const)('usage through GraphQL with the %s ledger', (kind, env) => {
  const tenant = unique('usage');
  const otherTenant = unique('usage-other');
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ env });
    expect(harness.app.state.kind).toBe(kind);
  });

  afterAll(async () => {
    if (kind === 'redis') {
      const redis = await connectedRedis();
      for (const t of [tenant, otherTenant]) await deleteKeys(redis, `ai:usage:{${t}}:*`);
      await redis.quit();
    }
    await harness?.stop();
  });

  it('counts two searches and one ask, with their fallbacks, for the calling tenant only', async () => {
    const client = harness.as(tenant);
    await client.ingest({ id: 'd1', title: 'Kestrel notes', body: 'The kestrel hovers over the meadow.' });
    await client.search('kestrel');
    await client.search('meadow');
    await client.ask('What does the kestrel do?');

    expect(await client.usage()).toEqual({
      tenantId: tenant,
      requestsToday: 3,
      spendUsdToday: 0,
      spendUsdThisMonth: 0,
      monthlyCapUsd: null,
      byFeature: [
        { feature: 'ask', requests: 1, fallbacks: 1, cacheHits: 0, costUsd: 0 },
        { feature: 'search', requests: 2, fallbacks: 2, cacheHits: 0, costUsd: 0 },
      ],
    });

    expect(await harness.as(otherTenant).usage()).toEqual({
      tenantId: otherTenant,
      requestsToday: 0,
      spendUsdToday: 0,
      spendUsdThisMonth: 0,
      monthlyCapUsd: null,
      byFeature: [],
    });
  });
});
