// The completion cache in Redis, shared by all replicas; entries expire after their TTL plus the stale grace.
import type { Redis } from 'ioredis';
import type { CachedCompletion, CompletionCache } from './completion-cache';

/** The caches made here: their reads and writes cross the network, so a hung server can hold them. */
const remoteCaches = new WeakSet<CompletionCache>();

/**
 * Whether `cache` is one on Redis, whose calls the gateway bounds (gateway.ts); one in process memory answers at
 * once, and racing it against a timer would only cost the timer (about 0.9 µs a lookup, 5x the lookup).
 */
export const isRemoteCompletionCache = (cache: CompletionCache): boolean => remoteCaches.has(cache);

export function createRedisCompletionCache(redis: Redis, prefix = 'ai:cache'): CompletionCache {
  const parse = (raw: string | null): CachedCompletion | null => {
    if (raw === null) return null;
    try {
      return JSON.parse(raw) as CachedCompletion;
    } catch {
      return null;
    }
  };
  const cache: CompletionCache = {
    async getMany(keys) {
      if (keys.length === 0) return [];
      // Every key of one request carries the same tenant hash tag, so MGET stays in one cluster slot.
      const values = await redis.mget(...keys.map((key) => `${prefix}:${key}`));
      return values.map(parse);
    },
    async set(key, value, ttlMs, staleGraceMs) {
      await redis.set(
        `${prefix}:${key}`,
        JSON.stringify(value),
        'PX',
        Math.max(1, Math.round(ttlMs + staleGraceMs)),
      );
    },
  };
  remoteCaches.add(cache);
  return cache;
}
