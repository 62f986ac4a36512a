// The completion cache in Redis, shared by all replicas; entries expire after their TTL plus the stale grace.
import type { Redis } from 'ioredis';
import type { CachedCompletion, CompletionCache } from './completion-cache';

export function createRedisCompletionCache(redis: Redis, prefix = 'ai:cache'): CompletionCache {
  const parse = (raw: string | null): CachedCompletion | null => {
    if (raw === null) return null;
    try {
      return JSON.parse(raw) as CachedCompletion;
    } catch {
      return null;
    }
  };
  return {
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
}
