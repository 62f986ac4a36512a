// The usage ledger contract, run against the memory, Redis and SQL (PGlite and PostgreSQL) adapters alike; the
// SQL ledger surviving a restart; and the usage query that reads it through GraphQL after real feature calls,
// where the ledger's cost equals, to the nano-dollar, the sum of the costUsd the results reported.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createMemoryUsageLedger } from '../../subgraph/state/memory-usage-ledger';
import { createRedisUsageLedger } from '../../subgraph/state/redis-usage-ledger';
import { createSqlUsageLedger } from '../../subgraph/state/sql-usage-ledger';
import { createMemorySpendLimiter } from '../../subgraph/limits/memory-spend-limiter';
import { spendSeedOf } from '../../subgraph/limits/spend-seed';
import type { UsageEvent, UsageLedger } from '../../subgraph/state/usage-ledger';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { connectRedis, REDIS_URL, requirePostgres, requireRedis } from '../support/services';
import { asRole, openTestStore } from '../support/stores';
import type { Backend, TestStore } from '../support/stores';

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

async function sqlLedger(backend: Backend): Promise<LedgerHandle> {
  const store = await openTestStore(backend);
  const ledger = createSqlUsageLedger(store.current.db, store);
  return {
    ledger,
    async dispose() {
      await ledger.close();
      await store.dispose();
    },
  };
}

/** A resource begun before the first test and taken by the describe that uses it (which disposes of it). */
interface Early<T> {
  take(): Promise<T>;
}

/**
 * Begins `open()` before the first test (in this file's first beforeAll) and hands it to the describe that calls
 * take(); one that nothing took (its describe filtered out) is disposed of after all.
 */
function early<T>(open: () => Promise<T>, dispose: (value: T) => Promise<unknown>): Early<T> {
  let opening: Promise<T> | undefined;
  let taken = false;
  beforeAll(() => {
    opening = open();
    // Awaited (and failing) where it is taken; no unhandled rejection meanwhile.
    opening.catch(() => undefined);
  });
  afterAll(async () => {
    if (!taken && opening) await opening.then(dispose, () => undefined);
  });
  return {
    take() {
      if (!opening) throw new Error('taken before the suite began opening it');
      taken = true;
      return opening;
    },
  };
}

// The PGlite stores take most of this suite's time to open (a data folder's initdb, a subgraph's migrations), and
// none needs another: they open side by side (PGlite on worker threads of its own) while the first tests run.
const pgliteContractLedger = early(
  () => sqlLedger('pglite'),
  (handle) => handle.dispose(),
);
// Priced so that one summary costs a fraction of a micro-dollar that is not a whole number of them: a ledger
// rounding each call to micro-dollars would be off by up to half a micro-dollar per call.
const CHEAP_PRICES = {
  'openai:gpt-test-cheap': { inputPerMillion: 0.0137, outputPerMillion: 0.0411 },
  'openai:text-embedding-3-small': { inputPerMillion: 0.0071, outputPerMillion: 0 },
};
const cheapHarness = early(
  () =>
    // PGlite, the embedded default: it has pgvector, so ingest and ask embed (and pay for it).
    startHarness({
      store: 'pglite',
      providers: ['openai'],
      env: {
        OPENAI_MODEL: 'gpt-test-cheap',
        OPENAI_SMALL_MODEL: 'gpt-test-cheap',
        MODEL_PRICES_JSON: JSON.stringify(CHEAP_PRICES),
      },
    }),
  (harness) => harness.stop(),
);
const persistentPglite = early(
  () => openTestStore('pglite', { persistent: true }),
  (store) => store.dispose(),
);

const event = (
  overrides: Partial<UsageEvent> & Pick<UsageEvent, 'tenantId' | 'feature' | 'at'>,
): UsageEvent => ({
  requests: 1,
  fallback: false,
  cacheHit: false,
  costNanos: 0,
  ...overrides,
});

const MARCH_10 = new Date('2025-03-10T09:30:00Z');
const MARCH_11 = new Date('2025-03-11T23:59:59Z');
const MARCH_11_LATER = new Date('2025-03-11T23:59:59.500Z');
const FEBRUARY_28 = new Date('2025-02-28T23:59:59Z');

describe.each([
  ['memory', memoryLedger],
  ['redis', redisLedger],
  ['sql on pglite', () => pgliteContractLedger.take()],
  ['sql on postgres', () => sqlLedger('postgres')],
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
      event({ tenantId, feature: 'search', at: MARCH_10, costNanos: 2_000_000 }),
      event({ tenantId, feature: 'ask', at: MARCH_10, costNanos: 10_000_000, fallback: true }),
      event({ tenantId, feature: 'search', at: MARCH_11, costNanos: 3_000_000, cacheHit: true }),
      event({ tenantId, feature: 'search', at: MARCH_11, fallback: true }),
      event({ tenantId, feature: 'ask', at: MARCH_11, costNanos: 20_000_000 }),
      // The previous month: in neither today's nor this month's totals.
      event({ tenantId, feature: 'search', at: FEBRUARY_28, costNanos: 5_000_000_000, fallback: true }),
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

  it('adds a thousand concurrent costs of 207 nano-dollars to exactly 0.000207 USD', async () => {
    const tenantId = 'tiny-spends';
    // In micro-dollars each would round to zero; in floats the sum drifts.
    const naive = Array.from({ length: 1000 }, () => 207e-9).reduce((sum, value) => sum + value, 0);
    expect(naive).not.toBe(0.000207);
    await Promise.all(
      Array.from({ length: 1000 }, () =>
        ledger().record(event({ tenantId, feature: 'summarize', at: MARCH_10, costNanos: 207 })),
      ),
    );
    const snapshot = await ledger().read(tenantId, MARCH_10);
    expect(snapshot).toEqual({
      requestsToday: 1000,
      spendUsdToday: 0.000207,
      spendUsdThisMonth: 0.000207,
      byFeature: [{ feature: 'summarize', requests: 1000, costUsd: 0.000207, fallbacks: 0, cacheHits: 0 }],
    });
  });

  it('keeps a cost with no request of its own under its feature, counting no request', async () => {
    const tenantId = 'cost-only';
    await ledger().record(event({ tenantId, feature: 'ask', at: MARCH_10, costNanos: 1_500 }));
    await ledger().record(event({ tenantId, feature: 'ingest', at: MARCH_10, requests: 0, costNanos: 333 }));
    await ledger().record(event({ tenantId, feature: 'ingest', at: MARCH_10, requests: 0, costNanos: 1 }));
    expect(await ledger().read(tenantId, MARCH_10)).toEqual({
      requestsToday: 1,
      spendUsdToday: 0.000001834,
      spendUsdThisMonth: 0.000001834,
      byFeature: [
        { feature: 'ask', requests: 1, costUsd: 0.0000015, fallbacks: 0, cacheHits: 0 },
        { feature: 'ingest', requests: 0, costUsd: 0.000000334, fallbacks: 0, cacheHits: 0 },
      ],
    });
  });

  it('refuses a cost that is not a whole number of nano-dollars, naming the field', async () => {
    await expect(
      ledger().record(event({ tenantId: 'fractional', feature: 'ask', at: MARCH_10, costNanos: 0.5 })),
    ).rejects.toThrow(/costNanos/);
    expect((await ledger().read('fractional', MARCH_10)).byFeature).toEqual([]);
  });

  it("keeps each tenant's counts to itself", async () => {
    await ledger().record(
      event({ tenantId: 'tenant-one', feature: 'ask', at: MARCH_10, costNanos: 500_000_000 }),
    );
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

describe.each(['pglite', 'postgres'] as const)('the SQL usage ledger on %s across a restart', (backend) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await (backend === 'pglite'
      ? persistentPglite.take()
      : openTestStore(backend, { persistent: true }));
  });

  afterAll(async () => {
    await store?.dispose();
  });

  it("keeps the month's spend when the database is closed and opened again", async () => {
    const before = createSqlUsageLedger(store.current.db, store);
    await before.record(event({ tenantId: 'kept', feature: 'summarize', at: MARCH_10, costNanos: 2_075 }));
    await before.record(
      event({ tenantId: 'kept', feature: 'ingest', at: MARCH_11, requests: 0, costNanos: 5 }),
    );
    const reopened = await store.reopen();
    const after = createSqlUsageLedger(reopened.db, store);
    expect(await after.read('kept', MARCH_11_LATER)).toEqual({
      requestsToday: 0,
      spendUsdToday: 0.000000005,
      spendUsdThisMonth: 0.00000208,
      byFeature: [
        { feature: 'ingest', requests: 0, costUsd: 0.000000005, fallbacks: 0, cacheHits: 0 },
        { feature: 'summarize', requests: 1, costUsd: 0.000002075, fallbacks: 0, cacheHits: 0 },
      ],
    });
  });

  it('gives a spend cap without Redis the spend the ledger kept: a restart does not refill the cap', async () => {
    const before = createSqlUsageLedger(store.current.db, store);
    const now = new Date();
    await before.record(event({ tenantId: 'capped', feature: 'summarize', at: now, costNanos: 900 }));
    const reopened = await store.reopen();
    const ledger = createSqlUsageLedger(reopened.db, store);
    // The limiter of a freshly started process, seeded from the ledger, and one without the seed.
    const restarted = createMemorySpendLimiter(undefined, spendSeedOf(ledger));
    const forgetful = createMemorySpendLimiter();
    const caps = { monthlyNanos: 1_000 };
    expect(await forgetful.reserve('capped', caps, 200, 60_000)).toMatchObject({ fits: true });
    expect(await restarted.reserve('capped', caps, 200, 60_000)).toEqual({
      fits: false,
      cap: 'monthly',
      capNanos: 1_000,
    });
    expect(await restarted.reserve('capped', caps, 100, 60_000)).toMatchObject({ fits: true });
    expect(await restarted.spent('capped')).toEqual({ dayNanos: 900, monthNanos: 900 });
  });

  it('writes a burst of several tenants’ events in fewer transactions than events, each total exact', async () => {
    // The real store, its batches counted: what group commit saves is transactions.
    let batches = 0;
    const db = store.current.db;
    const counted = new Proxy(db, {
      get(target, property, receiver) {
        if (property === 'batch') {
          return (...args: Parameters<typeof db.batch>) => {
            batches += 1;
            return target.batch(...args);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const ledger = createSqlUsageLedger(counted, store);
    const burst = Array.from({ length: 120 }, (_, index) =>
      event({
        tenantId: `burst-${index % 3}`,
        feature: index % 2 === 0 ? 'ask' : 'search',
        at: index % 4 === 0 ? FEBRUARY_28 : MARCH_10,
        costNanos: index,
        fallback: index % 5 === 0,
      }),
    );
    await Promise.all(burst.map((each) => ledger.record(each)));
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThan(burst.length / 4);
    for (const tenant of ['burst-0', 'burst-1', 'burst-2']) {
      const ofTenant = burst.filter((each) => each.tenantId === tenant && each.at === MARCH_10);
      const sum = (events: UsageEvent[]) => events.reduce((total, each) => total + each.costNanos, 0);
      const byFeature = ['ask', 'search']
        .map((feature) => ofTenant.filter((each) => each.feature === feature))
        .filter((events) => events.length > 0)
        .map((events) => ({
          feature: events[0]?.feature,
          requests: events.length,
          costUsd: sum(events) / 1e9,
          fallbacks: events.filter((each) => each.fallback).length,
          cacheHits: 0,
        }));
      expect(await ledger.read(tenant, MARCH_10)).toEqual({
        requestsToday: ofTenant.length,
        spendUsdToday: sum(ofTenant) / 1e9,
        spendUsdThisMonth: sum(ofTenant) / 1e9,
        byFeature,
      });
    }
  });

  it("shows the app role one tenant's rows only, even to a query with no tenant filter", async () => {
    const ledger = createSqlUsageLedger(store.current.db, store);
    await ledger.record(event({ tenantId: 'rls-one', feature: 'ask', at: MARCH_10, costNanos: 7 }));
    await ledger.record(event({ tenantId: 'rls-two', feature: 'ask', at: MARCH_10, costNanos: 9 }));
    const seen = (tenant: string | null) =>
      asRole(store.current, store.appRole, tenant, async (tx) => {
        const { rows } = await tx.query<{ tenant_id: string }>(
          `SELECT DISTINCT tenant_id FROM ${store.schema}.usage_counters`,
        );
        return rows.map((row) => row.tenant_id);
      });
    expect(await seen('rls-one')).toEqual(['rls-one']);
    expect(await seen(null)).toEqual([]);
  });
});

describe.each([
  ['sql', {}],
  ['redis', { REDIS_URL }],
] as const)('usage through GraphQL with the %s ledger', (kind, env) => {
  const tenant = unique('usage');
  const otherTenant = unique('usage-other');
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ env });
    expect(harness.app.state.usageKind).toBe(kind);
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
      dailyCapUsd: null,
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
      dailyCapUsd: null,
      byFeature: [],
    });
  });
});

describe('usage after a thousand calls of a cheap model', () => {
  const tenant = unique('cheap');
  let harness: Harness;

  beforeAll(async () => {
    harness = await cheapHarness.take();
    expect(harness.app.state.usageKind).toBe('sql');
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('reports in usage exactly the sum of the costUsd of every summary and answer, to the nano-dollar', async () => {
    const client = harness.as(tenant);
    const ingested = await client.ingest({
      id: 'd1',
      title: 'Kestrel notes',
      body: 'The kestrel hovers over the meadow, watching for voles.',
    });
    expect(ingested.embedded).toBe(true);
    const reportedNanos = { summarize: [] as number[], ask: [] as number[] };
    const CALLS = 1000;
    const CONCURRENCY = 20;
    for (let start = 0; start < CALLS; start += CONCURRENCY) {
      const batch = Array.from({ length: Math.min(CONCURRENCY, CALLS - start) }, async (_, offset) => {
        const n = start + offset;
        // Every tenth call an ask (its question's embedding included in its cost); distinct inputs, no cache.
        if (n % 10 === 0) {
          const answer = await client.ask(`What does the kestrel do, question ${n}?`);
          expect(answer.__typename).toBe('Answer');
          if (answer.__typename === 'Answer') reportedNanos.ask.push(answer.meta.costUsd * 1e9);
        } else {
          const summary = await client.summarize({
            text: `Summary ${n}: the kestrel hovers over the meadow.`,
          });
          expect(summary.__typename).toBe('Summary');
          if (summary.__typename === 'Summary') reportedNanos.summarize.push(summary.meta.costUsd * 1e9);
        }
      });
      await Promise.all(batch);
    }
    const allReported = [...reportedNanos.summarize, ...reportedNanos.ask];
    expect(allReported).toHaveLength(CALLS);
    // Each reported costUsd is a whole number of nano-dollars, and more than nothing.
    for (const nanos of allReported) {
      expect(Math.round(nanos)).toBeGreaterThan(0);
      expect(Math.abs(nanos - Math.round(nanos))).toBeLessThan(1e-6);
    }
    const sum = (values: number[]) => values.reduce((total, value) => total + Math.round(value), 0);
    const summarizeNanos = sum(reportedNanos.summarize);
    const askNanos = sum(reportedNanos.ask);
    // The old ledger (each call rounded to a micro-dollar) would not have added up to this.
    const microRounded = allReported.reduce((total, nanos) => total + Math.round(nanos / 1000) * 1000, 0);
    expect(microRounded).not.toBe(summarizeNanos + askNanos);

    const usage = await client.usage();
    const byFeature = Object.fromEntries(usage.byFeature.map((line) => [line.feature, line]));
    expect(byFeature.summarize).toEqual({
      feature: 'summarize',
      requests: 900,
      costUsd: summarizeNanos / 1e9,
      fallbacks: 0,
      cacheHits: 0,
    });
    expect(byFeature.ask).toEqual({
      feature: 'ask',
      requests: 100,
      costUsd: askNanos / 1e9,
      fallbacks: 0,
      cacheHits: 0,
    });
    // The document's embeddings: a cost with no result to report it, and no request.
    expect(byFeature.ingest).toEqual({
      feature: 'ingest',
      requests: 0,
      costUsd: expect.any(Number),
      fallbacks: 0,
      cacheHits: 0,
    });
    const ingestNanos = Math.round((byFeature.ingest?.costUsd ?? 0) * 1e9);
    expect(ingestNanos).toBeGreaterThan(0);
    expect(usage.requestsToday).toBe(CALLS);
    expect(usage.spendUsdThisMonth).toBe((summarizeNanos + askNanos + ingestNanos) / 1e9);
    expect(usage.spendUsdToday).toBe(usage.spendUsdThisMonth);
  });
});
