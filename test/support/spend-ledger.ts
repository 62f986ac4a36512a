// What a tenant's spend cap has settled and what its usage ledger holds, in nano-dollars. The accounting suites
// hold the two against each other: every nano-dollar settled against the cap is in the ledger once.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { createRedisSpendLimiter } from '../../subgraph/limits/redis-spend-limiter';
import type { SpendLimiter } from '../../subgraph/limits/spend-limiter';
import { useHarness } from './harness';
import type { Harness, HarnessOptions } from './harness';
import { connectRedis, REDIS_URL } from './services';
import { eventually } from './wait-for';

export interface Spend {
  settled: number;
  ledger: number;
}

/** Settled spend this month, once every reservation has settled (a settle may land just after the answer). */
export async function settledNanos(limiter: SpendLimiter, tenant: string): Promise<number> {
  await eventually(
    async () => ((await limiter.outstanding(tenant)) === 0 ? true : undefined),
    5_000,
    'no reservation outstanding',
  );
  return (await limiter.spent(tenant)).monthNanos;
}

/** The tenant's month-to-date spend as its `usage` query reports it. */
export async function ledgerNanos(harness: Harness, tenant: string): Promise<number> {
  return Math.round((await harness.as(tenant).usage()).spendUsdThisMonth * 1e9);
}

/** What the cap (in Redis) settled, once no reservation is outstanding, and what the ledger holds. */
export async function spendOf(harness: Harness, redis: Redis, tenant: string): Promise<Spend> {
  const settled = await settledNanos(createRedisSpendLimiter(redis), tenant);
  return { settled, ledger: await ledgerNanos(harness, tenant) };
}

/** The spend since `before`, read until the ledger has caught up with the cap (or 3 s have passed). */
export async function spentSince(
  harness: Harness,
  redis: Redis,
  tenant: string,
  before: Spend,
): Promise<Spend> {
  const until = Date.now() + 3_000;
  for (;;) {
    const now = await spendOf(harness, redis, tenant);
    const delta = { settled: now.settled - before.settled, ledger: now.ledger - before.ledger };
    if (delta.ledger === delta.settled || Date.now() > until) return delta;
    await sleep(100);
  }
}

export interface SpendHarnessOptions extends HarnessOptions {
  /** MODEL_PRICES_JSON: what each target's tokens cost, so that every call has a cost to settle. */
  prices: Record<string, { inputPerMillion: number; outputPerMillion: number }>;
  /** GATEWAY_ROUTES_JSON: the routes whose targets are priced. */
  routes: { tasks: Record<string, unknown> };
  /**
   * Tenants given a monthly cap ($10, far above what a suite spends): only a capped tenant's calls reserve and
   * settle against a cap (in Redis), which is the side the suites hold the ledger against.
   */
  cappedTenants: readonly string[];
}

export interface SpendHarness {
  /** The started harness (see useHarness). */
  harness: Harness;
  /** The tenant's spend now: settled against its cap once no reservation is outstanding, and in its ledger. */
  spend: (tenant: string) => Promise<Spend>;
  /** The tenant's spend since `before`, once the ledger has caught up (see spentSince). */
  spentSince: (tenant: string, before: Spend) => Promise<Spend>;
}

/**
 * A harness for the suite whose tenants' calls settle against their spend cap in Redis, and a Redis client to
 * read what settled: both started before the suite's tests and closed after them.
 */
export function useSpendHarness(options: SpendHarnessOptions): SpendHarness {
  const { prices, routes, cappedTenants, ...harnessOptions } = options;
  const capped = Object.fromEntries(
    cappedTenants.map((tenant) => [tenant, { limits: { monthlyCapUsd: 10 } }]),
  );
  const harness = useHarness({
    ...harnessOptions,
    env: {
      REDIS_URL,
      MODEL_PRICES_JSON: JSON.stringify(prices),
      GATEWAY_ROUTES_JSON: JSON.stringify(routes),
      TENANT_POLICIES_JSON: JSON.stringify({ tenants: capped }),
      ...harnessOptions.env,
    },
  });
  let redis: Redis | undefined;
  beforeAll(() => {
    redis = connectRedis();
  });
  afterAll(() => redis?.disconnect());
  const connected = (): Redis => {
    if (!redis) throw new Error('Redis is read before beforeAll connected it');
    return redis;
  };
  return {
    harness,
    spend: (tenant) => spendOf(harness, connected(), tenant),
    spentSince: (tenant, before) => spentSince(harness, connected(), tenant, before),
  };
}
