// The rate limiter in Redis, shared by every replica: per tenant a sorted set of admission times (requests),
// a sorted set of admissions with tokens and a hash of their token counts plus the running sum (tokens).
// One Lua script checks both windows and records the admission, so concurrent replicas cannot both take
// the last slot; times are Redis's own (TIME), so the replicas' clocks need not agree. Every key expires one
// window after its last admission: an idle tenant leaves nothing behind. See rate-limiter.ts for why a
// sliding log.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RATE_WINDOW_MS, countedTokens } from './rate-limiter';
import type { RateDecision, RateLimiter } from './rate-limiter';
import { dropLapsedLua, luaScript, SUM_FIELD } from './lua-script';

/** The field of the token hash holding the window's sum; never a ticket (tickets are UUIDs). */

/**
 * KEYS: requests set, tokens set, token hash. ARGV: window ms, requests limit (0: none), tokens limit (0: none),
 * tokens, ticket. Returns {1} when admitted, else {0, 1 | 2 (requests | tokens), retry after ms}.
 */
const ACQUIRE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[1])
local rpm = tonumber(ARGV[2])
local tpm = tonumber(ARGV[3])
local tokens = tonumber(ARGV[4])
local since = now - window
if rpm > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', since)
  local count = redis.call('ZCARD', KEYS[1])
  if count >= rpm then
    local blocking = redis.call('ZRANGE', KEYS[1], count - rpm, count - rpm, 'WITHSCORES')
    return {0, 1, math.max(1, tonumber(blocking[2]) + window - now)}
  end
end
if tpm > 0 then
  ${dropLapsedLua('KEYS[2]', 'KEYS[3]', 'since')}
  local sum = tonumber(redis.call('HGET', KEYS[3], '${SUM_FIELD}')) or 0
  if sum + tokens > tpm then
    local excess = sum + tokens - tpm
    local fits = now + window
    local entries = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
    for i = 1, #entries, 2 do
      excess = excess - (tonumber(redis.call('HGET', KEYS[3], entries[i])) or 0)
      if excess <= 0 then
        fits = tonumber(entries[i + 1]) + window
        break
      end
    end
    return {0, 2, math.max(1, fits - now)}
  end
end
if rpm > 0 then
  redis.call('ZADD', KEYS[1], now, ARGV[5])
  redis.call('PEXPIRE', KEYS[1], window)
end
if tpm > 0 then
  redis.call('ZADD', KEYS[2], now, ARGV[5])
  redis.call('HSET', KEYS[3], ARGV[5], tokens)
  redis.call('HINCRBY', KEYS[3], '${SUM_FIELD}', tokens)
  redis.call('PEXPIRE', KEYS[2], window)
  redis.call('PEXPIRE', KEYS[3], window)
end
return {1}`;

/** KEYS: token hash. ARGV: ticket, tokens. An admission no longer in the hash (out of the window) is left. */
const SETTLE = `
local old = tonumber(redis.call('HGET', KEYS[1], ARGV[1]))
if not old then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[1], '${SUM_FIELD}', tonumber(ARGV[2]) - old)
return 1`;

/** KEYS: requests set, tokens set, token hash. ARGV: ticket. Drops the admission from both windows. */
const RELEASE = `
redis.call('ZREM', KEYS[1], ARGV[1])
local held = tonumber(redis.call('HGET', KEYS[3], ARGV[1]))
if held then
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  -- Never -0 (what %.0f makes of minus a zero amount), which HINCRBY refuses.
  if held ~= 0 then redis.call('HINCRBY', KEYS[3], '${SUM_FIELD}', string.format('%.0f', -held)) end
end
return 1`;

export function createRedisRateLimiter(
  redis: Redis,
  prefix = 'ai:rate',
  windowMs = RATE_WINDOW_MS,
): RateLimiter {
  // The hash tag keeps a tenant's keys in one cluster slot: the script touches them together.
  const keysOf = (tenantId: string) => {
    const base = `${prefix}:{${tenantId}}`;
    return { requests: `${base}:requests`, tokens: `${base}:tokens`, amounts: `${base}:token-counts` };
  };
  // By SHA (EVALSHA): EVAL would send the whole acquire script, and have Redis hash it, on every model call.
  const acquire = luaScript(redis, ACQUIRE);
  const settle = luaScript(redis, SETTLE);
  const release = luaScript(redis, RELEASE);
  return {
    async acquire(tenantId, limits, estimate): Promise<RateDecision> {
      const keys = keysOf(tenantId);
      const ticket = randomUUID();
      const rpm = limits.requestsPerMinute ?? 0;
      const tpm = limits.tokensPerMinute ?? 0;
      const tokens = countedTokens(estimate, limits.tokensPerMinute);
      const reply = (await acquire(
        [keys.requests, keys.tokens, keys.amounts],
        [windowMs, rpm, tpm, tokens, ticket],
      )) as number[];
      if (reply[0] === 1) return { admitted: true, ticket };
      const limit = reply[1] === 1 ? 'requests' : 'tokens';
      return {
        admitted: false,
        limit,
        perMinute: limit === 'requests' ? rpm : tpm,
        retryAfterMs: Number(reply[2]),
      };
    },

    async settle(tenantId, ticket, used) {
      await settle([keysOf(tenantId).amounts], [ticket, countedTokens(used, undefined)]);
    },

    async release(tenantId, ticket) {
      const keys = keysOf(tenantId);
      await release([keys.requests, keys.tokens, keys.amounts], [ticket]);
    },
  };
}
