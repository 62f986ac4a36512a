// Stream leases in Redis, shared by every replica: one sorted set per tenant whose members are the open
// streams and whose scores are when each lease expires. Acquiring drops the expired members first, so the
// streams of a replica that died free their slots one TTL later; a live replica pushes the expiry of all
// it holds forward every third of a TTL. Times are Redis's own (TIME), so replicas' clocks need not agree.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { StreamLease, StreamLeases } from './stream-leases';

/** Drops expired leases, then adds one unless `limit` are held. KEYS: the set; ARGV: limit, TTL ms, member. */
const ACQUIRE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * Pushes the expiry of the given members forward. A plain ZADD, not XX: a lease Redis lost (a flush, a
 * failover to a stale replica) is written back, so the count recovers within one refresh. A lease released
 * meanwhile is not revived: its ZREM goes out on the same connection after any refresh that named it.
 * KEYS: the set; ARGV: TTL ms, members.
 */
const REFRESH = `
local time = redis.call('TIME')
local expiry = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], expiry, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return #ARGV - 1`;

export const STREAM_LEASE_TTL_MS = 30_000;

export function createRedisStreamLeases(
  redis: Redis,
  prefix = 'ai:streams',
  ttlMs = STREAM_LEASE_TTL_MS,
): StreamLeases {
  // The hash tag keeps a tenant's set in one cluster slot, as the usage ledger's keys are.
  const keyOf = (tenantId: string) => `${prefix}:{${tenantId}}`;
  /** The leases this replica holds, by set: what each refresh pushes forward. */
  const live = new Map<string, Set<string>>();
  let refresher: NodeJS.Timeout | null = null;

  const refresh = () => {
    for (const [key, members] of live)
      // A failed refresh is retried at the next tick, two of which fit in a TTL; Redis being away shows in
      // the readiness probe, and acquire() reports it.
      redis.eval(REFRESH, 1, key, ttlMs, ...members).catch(() => undefined);
  };
  const hold = (key: string, member: string) => {
    let members = live.get(key);
    if (!members) live.set(key, (members = new Set()));
    members.add(member);
    if (!refresher) {
      refresher = setInterval(refresh, Math.max(1, Math.floor(ttlMs / 3)));
      refresher.unref();
    }
  };
  const drop = (key: string, member: string) => {
    const members = live.get(key);
    members?.delete(member);
    if (members?.size === 0) live.delete(key);
    if (live.size === 0 && refresher) {
      clearInterval(refresher);
      refresher = null;
    }
  };

  return {
    async acquire(tenantId, limit) {
      const key = keyOf(tenantId);
      const member = randomUUID();
      const taken = await redis.eval(ACQUIRE, 1, key, limit, ttlMs, member);
      if (taken !== 1) return null;
      hold(key, member);
      let released = false;
      const lease: StreamLease = {
        async release() {
          if (released) return;
          released = true;
          drop(key, member);
          // Left to expire if Redis is away now: the slot comes back one TTL later instead of at once.
          await redis.zrem(key, member).catch(() => undefined);
        },
      };
      return lease;
    },
    close() {
      if (refresher) clearInterval(refresher);
      refresher = null;
      live.clear();
    },
  };
}
