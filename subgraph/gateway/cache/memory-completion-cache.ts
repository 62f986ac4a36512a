// The completion cache in process memory, an LRU bounded by entry count, for a single replica.
import { LRUCache } from 'lru-cache';
import type { CachedCompletion, CompletionCache } from './completion-cache';

export function createMemoryCompletionCache(maxEntries: number): CompletionCache {
  const lru = new LRUCache<string, CachedCompletion>({ max: Math.max(1, maxEntries), ttlAutopurge: false });
  return {
    async getMany(keys) {
      return keys.map((key) => lru.get(key) ?? null);
    },
    async set(key, value, ttlMs, staleGraceMs) {
      if (maxEntries === 0) return;
      lru.set(key, value, { ttl: ttlMs + staleGraceMs });
    },
  };
}
