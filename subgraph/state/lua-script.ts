// A Lua script run by its SHA1 (EVALSHA), sent whole only when Redis does not know it yet (NOSCRIPT: a fresh
// or flushed server). EVAL would send and hash the whole script on every call: on the model path's Redis
// calls (rate limits, spend caps, the usage ledger), several times per model call.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type LuaScript = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

export function luaScript(redis: Redis, lua: string): LuaScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(lua, keys.length, ...keys, ...args);
    }
  };
}
