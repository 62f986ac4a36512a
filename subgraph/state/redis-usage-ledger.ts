// The usage ledger in Redis hashes, one per tenant and day and per tenant and month, shared by all replicas.
import type { Redis } from 'ioredis';
import { countersOf, dayKey, monthKey, snapshotOf } from './usage-ledger';
import type { UsageLedger } from './usage-ledger';

const DAY_TTL_SECONDS = 3 * 24 * 3600;
const MONTH_TTL_SECONDS = 40 * 24 * 3600;

export function createRedisUsageLedger(redis: Redis, prefix = 'ai:usage'): UsageLedger {
  // Hash tags keep a tenant's keys in one cluster slot, so MULTI stays valid on Redis Cluster.
  const dayOf = (tenantId: string, at: Date) => `${prefix}:{${tenantId}}:d:${dayKey(at)}`;
  const monthOf = (tenantId: string, at: Date) => `${prefix}:{${tenantId}}:m:${monthKey(at)}`;
  const toMap = (hash: Record<string, string>) =>
    new Map(Object.entries(hash).map(([k, v]) => [k, Number(v)]));

  return {
    async record(event) {
      const multi = redis.multi();
      const day = dayOf(event.tenantId, event.at);
      const month = monthOf(event.tenantId, event.at);
      for (const [field, value] of Object.entries(countersOf(event))) {
        if (value === 0 && field !== 'requests') continue;
        multi.hincrby(day, `${event.feature}:${field}`, value);
        multi.hincrby(month, `${event.feature}:${field}`, value);
      }
      multi.expire(day, DAY_TTL_SECONDS).expire(month, MONTH_TTL_SECONDS);
      const results = await multi.exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error('usage ledger transaction was discarded');
    },
    async read(tenantId, at) {
      const [today, month] = await Promise.all([
        redis.hgetall(dayOf(tenantId, at)),
        redis.hgetall(monthOf(tenantId, at)),
      ]);
      return snapshotOf(toMap(today), toMap(month));
    },
    async ping() {
      await redis.ping();
    },
    async close() {},
  };
}
