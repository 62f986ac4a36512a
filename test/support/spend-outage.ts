// A spend cap's Redis with an outage a test can switch on: the real Redis limiter in a suite's own keyspace,
// wrapped so that its calls fail while `down`, and the reads a test makes of what Redis counted. Shared by the
// suites of where a cap starts from and what it keeps across an outage.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisSpendLimiter } from '../../subgraph/limits/redis-spend-limiter';
import type { SpendCheck } from '../../subgraph/limits/spend-gate';
import type { SharedSpendLimiter } from '../../subgraph/limits/spend-limiter';
import { useRedisKeyspace } from './redis-keyspace';
import { eventually } from './wait-for';

export const USD = 1_000_000_000;
export const CAPS = { monthlyNanos: 100 * USD };
export const OVER = { kind: 'over', cap: 'monthly', capNanos: 100 * USD };

export type SwitchableSpendLimiter = SharedSpendLimiter & {
  /** While true, every Redis call fails as a refused connection does (what it last heard stays). */
  down: boolean;
  /** Settle calls made, failed ones included. */
  settles: number;
  /** The next settle runs in Redis and still rejects, as one whose answer came after the command timeout. */
  loseSettleReply: boolean;
};

/** `shared`, the real Redis limiter, behind an outage switch. */
export function switchable(shared: SharedSpendLimiter): SwitchableSpendLimiter {
  const wrapper: SwitchableSpendLimiter = {
    down: false,
    settles: 0,
    loseSettleReply: false,
    reserve: (...args) => call(() => shared.reserve(...args)),
    settle: (...args) => {
      wrapper.settles += 1;
      return call(async () => {
        await shared.settle(...args);
        if (!wrapper.loseSettleReply) return;
        wrapper.loseSettleReply = false;
        throw new Error('Command timed out');
      });
    },
    outstanding: (tenantId) => call(() => shared.outstanding(tenantId)),
    spent: (tenantId) => call(() => shared.spent(tenantId)),
    seed: (...args) => call(() => shared.seed(...args)),
    lastSpent: (tenantId) => shared.lastSpent(tenantId),
  };
  const call = <T>(work: () => Promise<T>): Promise<T> =>
    wrapper.down ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')) : work();
  return wrapper;
}

/** The settle of a reservation; throws, saying what came instead, when `check` is none. */
export function reserved(check: SpendCheck): (realNanos: number) => void {
  if (check.kind !== 'reserved') throw new Error(`expected a reservation, got ${JSON.stringify(check)}`);
  return (realNanos) => check.settle(realNanos);
}

export interface SpendKeyspace {
  /** The suite's key prefix: what it writes beside the spend keys goes under it too. */
  prefix: string;
  /** The suite's client, once its tests run. */
  redis: () => Redis;
  /** A tenant no other test of the suite has used. */
  tenant: () => string;
  /** A fresh Redis spend limiter over the suite's keys (it shares its counters with every other). */
  limiter: () => SharedSpendLimiter;
  /** What Redis counts for the tenant's month. */
  redisMonth: (tenantId: string) => Promise<number>;
  /** Resolves once Redis counts `nanos` for the tenant's month: a settle lands after the gate answered. */
  redisMonthReaches: (tenantId: string, nanos: number, withinMs?: number) => Promise<true>;
}

/** The suite's spend keys under `name`, deleted when it ends. */
export function useSpendKeyspace(name: string): SpendKeyspace {
  const run = randomBytes(5).toString('hex');
  const prefix = `ai:test-${name}-${run}`;
  let client: Redis | undefined;
  useRedisKeyspace(prefix, (connected) => {
    client = connected;
  });
  let tenants = 0;
  const redis = () => {
    if (!client) throw new Error('the suite’s Redis is connected in beforeAll');
    return client;
  };
  const limiter = () => createRedisSpendLimiter(redis(), `${prefix}:spend`);
  const redisMonth = async (tenantId: string) => (await limiter().spent(tenantId)).monthNanos;
  return {
    prefix,
    redis,
    tenant: () => `tenant-${run}-${(tenants += 1)}`,
    limiter,
    redisMonth,
    redisMonthReaches: (tenantId, nanos, withinMs = 5_000) =>
      eventually(
        async () => ((await redisMonth(tenantId)) === nanos ? true : undefined),
        withinMs,
        `Redis month spend of ${nanos}`,
      ),
  };
}
