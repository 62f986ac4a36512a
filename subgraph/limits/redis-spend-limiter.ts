// The spend limiter in Redis, shared by every replica (see spend-limiter.ts). Per tenant: settled spend of the
// UTC day and of the month (integers, INCRBY at settle), and the outstanding reservations (a sorted set of
// tickets by expiry, a hash of their amounts plus the running sum). One Lua script checks settled + reserved +
// this call against both caps and records the reservation, so two replicas cannot both take the last room;
// another replaces a reservation by the real cost. Expiries use Redis's own clock (TIME), so a crashed
// replica's reservation lapses whatever the other replicas' clocks say; the day and month a cost belongs to
// come from the calling process's clock, which can only matter within a clock skew of midnight.
// Both scripts answer with the day and month spend they saw, kept per tenant (lastSpent): while Redis is away
// the gate's own limiter starts from it. seed() starts a period's counters from the usage ledger, SET NX, so
// a counter any replica or settle made first is never overwritten. A settle of a ticket no reservation holds
// adds its cost once a month (its ticket is kept in a set beside the month's counter), so spend written back
// after an outage (spend-fallback.ts) can be sent again when an answer was lost without being counted twice;
// a settle of a held reservation leaves its ticket marked settled until the reservation would have lapsed, so
// one sent again (Redis went away mid-call and its answer was lost) adds nothing either.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { dropLapsedLua, luaScript, SUM_FIELD } from './lua-script';
import { spendPeriods, wholeNanos } from './spend-limiter';
import type { PeriodSpend, SharedSpendLimiter, SpendCaps, SpendDecision } from './spend-limiter';

/** A settled reservation's amount: no number, so the purge takes nothing off the sum when it drops it. */
const SETTLED = 'settled';
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
 * cap (-1: none), nanos, ttl ms, ticket. Returns {1, 0, day, month} when reserved, else {0, 1 | 2 (daily |
 * monthly), day, month}: day and month are the settled spend checked, as integer text.
 */
const RESERVE = `${NOW_AND_PURGE}
local nanos = tonumber(ARGV[3])
local daily = tonumber(ARGV[1])
local monthly = tonumber(ARGV[2])
local day = redis.call('GET', KEYS[1]) or '0'
local month = redis.call('GET', KEYS[2]) or '0'
if daily >= 0 and tonumber(day) + reserved + nanos > daily then return {0, 1, day, month} end
if monthly >= 0 and tonumber(month) + reserved + nanos > monthly then return {0, 2, day, month} end
local ttl = tonumber(ARGV[4])
redis.call('ZADD', KEYS[3], now + ttl, ARGV[5])
redis.call('HSET', KEYS[4], ARGV[5], int(nanos))
redis.call('HINCRBY', KEYS[4], '${SUM_FIELD}', int(nanos))
-- The reservation keys outlive their latest reservation, and no more: an idle tenant leaves only its spend.
for i = 3, 4 do
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return {1, 0, day, month}`;

/**
 * KEYS: as RESERVE, then the month's tickets settled with no reservation held. ARGV: ticket, real nanos, day key
 * ttl s, month key ttl s. Returns {day, month} spend.
 */
const SETTLE = `
local function int(x) return string.format('%.0f', x) end
local entry = redis.call('HGET', KEYS[4], ARGV[1])
local held = tonumber(entry)
local adds = tonumber(ARGV[2]) > 0
if held then
  -- The ticket stays, marked settled, until its reservation would have lapsed (the purge drops it then): a
  -- settle sent again because its answer was lost adds nothing.
  redis.call('HSET', KEYS[4], ARGV[1], '${SETTLED}')
  -- Never -0 (what int() makes of minus a zero reservation), which HINCRBY refuses.
  if held ~= 0 then redis.call('HINCRBY', KEYS[4], '${SUM_FIELD}', int(-held)) end
elseif entry then
  adds = false
elseif adds then
  -- No reservation to drop (it lapsed, or the spend was made while Redis was away): the ticket is recorded for
  -- the month, so a settle sent again after its answer was lost adds nothing.
  adds = redis.call('SADD', KEYS[5], ARGV[1]) == 1
  redis.call('EXPIRE', KEYS[5], ARGV[4])
end
if adds then
  redis.call('INCRBY', KEYS[1], ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('INCRBY', KEYS[2], ARGV[2])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
return {redis.call('GET', KEYS[1]) or '0', redis.call('GET', KEYS[2]) or '0'}`;

/** KEYS: as RESERVE. Returns the outstanding sum once lapsed reservations are dropped. */
const OUTSTANDING = `${NOW_AND_PURGE}
return int(reserved)`;

export function createRedisSpendLimiter(redis: Redis, prefix = 'ai:spend'): SharedSpendLimiter {
  // The hash tag keeps a tenant's keys in one cluster slot: the scripts touch them together.
  const keysOf = (
    tenantId: string,
    { day, month }: { day: string; month: string } = spendPeriods(Date.now()),
  ): [string, string, string, string] => {
    const base = `${prefix}:{${tenantId}}`;
    return [`${base}:day:${day}`, `${base}:month:${month}`, `${base}:reserved`, `${base}:reserved-nanos`];
  };
  const reserve = luaScript(redis, RESERVE);
  const settle = luaScript(redis, SETTLE);
  const outstanding = luaScript(redis, OUTSTANDING);
  const reported = new Map<string, PeriodSpend>();
  const heard = (tenantId: string, periods: { day: string; month: string }, [day, month]: string[]) =>
    reported.set(tenantId, { ...periods, dayNanos: Number(day), monthNanos: Number(month) });
  return {
    async reserve(
      tenantId: string,
      caps: SpendCaps,
      worstNanos: number,
      ttlMs: number,
    ): Promise<SpendDecision> {
      const ticket = randomUUID();
      const periods = spendPeriods(Date.now());
      const [fits, cap, ...spend] = (await reserve(keysOf(tenantId, periods), [
        caps.dailyNanos ?? -1,
        caps.monthlyNanos ?? -1,
        wholeNanos(worstNanos),
        Math.max(1, Math.ceil(ttlMs)),
        ticket,
      ])) as [number, number, string, string];
      heard(tenantId, periods, spend);
      if (fits === 1) return { fits: true, ticket };
      return cap === 1
        ? { fits: false, cap: 'daily', capNanos: caps.dailyNanos ?? 0 }
        : { fits: false, cap: 'monthly', capNanos: caps.monthlyNanos ?? 0 };
    },

    async settle(tenantId: string, ticket: string, realNanos: number): Promise<void> {
      const periods = spendPeriods(Date.now());
      const keys = keysOf(tenantId, periods);
      const spend = (await settle(
        [...keys, `${keys[1]}:settled`],
        [ticket, wholeNanos(realNanos), DAY_KEY_TTL_S, MONTH_KEY_TTL_S],
      )) as [string, string];
      heard(tenantId, periods, spend);
    },

    async seed(tenantId: string, spend: PeriodSpend): Promise<void> {
      const [day, month] = keysOf(tenantId, spend);
      await Promise.all([
        redis.set(day, wholeNanos(spend.dayNanos), 'EX', DAY_KEY_TTL_S, 'NX'),
        redis.set(month, wholeNanos(spend.monthNanos), 'EX', MONTH_KEY_TTL_S, 'NX'),
      ]);
    },

    lastSpent: (tenantId: string): PeriodSpend | undefined => reported.get(tenantId),

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
