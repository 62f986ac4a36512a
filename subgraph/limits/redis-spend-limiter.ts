// The spend limiter in Redis, shared by every replica (see spend-limiter.ts). Per tenant: settled spend of the
// UTC day and of the month (integers, INCRBY at settle), and the outstanding reservations (a sorted set of
// tickets by expiry, a hash of their amounts plus the running sum). One Lua script checks settled + reserved +
// this call against both caps and records the reservation, so two replicas cannot both take the last room;
// another replaces a reservation by the real cost. Expiries use Redis's own clock (TIME), so a crashed
// replica's reservation lapses whatever the other replicas' clocks say; the day and month a cost belongs to
// come from the calling process's clock, which can only matter within a clock skew of midnight.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { dropLapsedLua, luaScript, SUM_FIELD } from './lua-script';
import { spendPeriods, wholeNanos } from './spend-limiter';
import type { SpendCaps, SpendDecision, SpendLimiter } from './spend-limiter';

/** The hash field holding the sum of outstanding reservations; never a ticket (tickets are UUIDs). */
const DAY_KEY_TTL_S = 2 * 86_400;
const MONTH_KEY_TTL_S = 62 * 86_400;

// Lua prints large numbers as 1e+15; INCRBY and HINCRBY need integer text.
const NOW_AND_PURGE = `
local function int(x) return string.format('%.0f', x) end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
${dropLapsedLua('KEYS[3]', 'KEYS[4]', 'now')}
local reserved = tonumber(redis.call('HGET', KEYS[4], '${SUM_FIELD}')) or 0
`;

/**
 * KEYS: day spend, month spend, reservation expiries, reservation amounts. ARGV: daily cap (-1: none), monthly
 * cap (-1: none), nanos, ttl ms, ticket. Returns {1} when reserved, else {0, 1 | 2 (daily | monthly)}.
 */
const RESERVE = `${NOW_AND_PURGE}
local nanos = tonumber(ARGV[3])
local daily = tonumber(ARGV[1])
local monthly = tonumber(ARGV[2])
if daily >= 0 and (tonumber(redis.call('GET', KEYS[1])) or 0) + reserved + nanos > daily then return {0, 1} end
if monthly >= 0 and (tonumber(redis.call('GET', KEYS[2])) or 0) + reserved + nanos > monthly then return {0, 2} end
local ttl = tonumber(ARGV[4])
redis.call('ZADD', KEYS[3], now + ttl, ARGV[5])
redis.call('HSET', KEYS[4], ARGV[5], int(nanos))
redis.call('HINCRBY', KEYS[4], '${SUM_FIELD}', int(nanos))
-- The reservation keys outlive their latest reservation, and no more: an idle tenant leaves only its spend.
for i = 3, 4 do
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return {1}`;

/** KEYS: as RESERVE. ARGV: ticket, real nanos, day key ttl s, month key ttl s. */
const SETTLE = `
local function int(x) return string.format('%.0f', x) end
local held = tonumber(redis.call('HGET', KEYS[4], ARGV[1]))
if held then
  redis.call('HDEL', KEYS[4], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  -- Never -0 (what int() makes of minus a zero reservation), which HINCRBY refuses.
  if held ~= 0 then redis.call('HINCRBY', KEYS[4], '${SUM_FIELD}', int(-held)) end
end
if tonumber(ARGV[2]) > 0 then
  redis.call('INCRBY', KEYS[1], ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('INCRBY', KEYS[2], ARGV[2])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
return 1`;

/** KEYS: as RESERVE. Returns the outstanding sum once lapsed reservations are dropped. */
const OUTSTANDING = `${NOW_AND_PURGE}
return int(reserved)`;

export function createRedisSpendLimiter(redis: Redis, prefix = 'ai:spend'): SpendLimiter {
  // The hash tag keeps a tenant's keys in one cluster slot: the scripts touch them together.
  const keysOf = (tenantId: string): [string, string, string, string] => {
    const base = `${prefix}:{${tenantId}}`;
    const { day, month } = spendPeriods(Date.now());
    return [`${base}:day:${day}`, `${base}:month:${month}`, `${base}:reserved`, `${base}:reserved-nanos`];
  };
  const reserve = luaScript(redis, RESERVE);
  const settle = luaScript(redis, SETTLE);
  const outstanding = luaScript(redis, OUTSTANDING);
  return {
    async reserve(
      tenantId: string,
      caps: SpendCaps,
      worstNanos: number,
      ttlMs: number,
    ): Promise<SpendDecision> {
      const ticket = randomUUID();
      const reply = (await reserve(keysOf(tenantId), [
        caps.dailyNanos ?? -1,
        caps.monthlyNanos ?? -1,
        wholeNanos(worstNanos),
        Math.max(1, Math.ceil(ttlMs)),
        ticket,
      ])) as number[];
      if (reply[0] === 1) return { fits: true, ticket };
      return reply[1] === 1
        ? { fits: false, cap: 'daily', capNanos: caps.dailyNanos ?? 0 }
        : { fits: false, cap: 'monthly', capNanos: caps.monthlyNanos ?? 0 };
    },

    async settle(tenantId: string, ticket: string, realNanos: number): Promise<void> {
      await settle(keysOf(tenantId), [ticket, wholeNanos(realNanos), DAY_KEY_TTL_S, MONTH_KEY_TTL_S]);
    },

    async outstanding(tenantId: string): Promise<number> {
      return Number(await outstanding(keysOf(tenantId), []));
    },

    async spent(tenantId: string): Promise<{ dayNanos: number; monthNanos: number }> {
      const [day, month] = keysOf(tenantId);
      const [dayNanos, monthNanos] = await redis.mget(day, month);
      return { dayNanos: Number(dayNanos ?? 0), monthNanos: Number(monthNanos ?? 0) };
    },
  };
}
