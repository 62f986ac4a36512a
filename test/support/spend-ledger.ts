// What a tenant's spend cap has settled and what its usage ledger holds, in nano-dollars. The accounting suites
// hold the two against each other: every nano-dollar settled against the cap is in the ledger once.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { createRedisSpendLimiter } from '../../subgraph/limits/redis-spend-limiter';
import type { SpendLimiter } from '../../subgraph/limits/spend-limiter';
import type { Harness } from './harness';
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
