// The Lua the limiters share, and luaScript (state/lua-script.ts), which runs a script by its SHA1.
export { luaScript } from '../state/lua-script';
export type { LuaScript } from '../state/lua-script';

/** The hash field holding the running sum of a hash's amounts (no member id starts with `~`). */
export const SUM_FIELD = '~sum';

/**
 * Lua that drops the members of sorted set `zset` scored up to `until`, with their amounts in hash `hash`, and
 * takes them off the hash's running sum: lapsed reservations (spend caps), tokens out of the window (rate limits).
 * The arguments are Lua expressions; the sum is written as an integer string, never in exponent form.
 */
export const dropLapsedLua = (zset: string, hash: string, until: string): string => `
local lapsed = redis.call('ZRANGEBYSCORE', ${zset}, '-inf', ${until})
if #lapsed > 0 then
  local gone = 0
  for i = 1, #lapsed do
    gone = gone + (tonumber(redis.call('HGET', ${hash}, lapsed[i])) or 0)
    redis.call('HDEL', ${hash}, lapsed[i])
  end
  redis.call('ZREMRANGEBYSCORE', ${zset}, '-inf', ${until})
  -- Never -0 (what %.0f makes of minus a zero sum), which HINCRBY refuses.
  if gone ~= 0 then redis.call('HINCRBY', ${hash}, '${SUM_FIELD}', string.format('%.0f', -gone)) end
end`;
