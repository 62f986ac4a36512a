// The completion cache in process memory, for a single replica: an LRU bounded by the entries' estimated heap,
// not their count, since one long answer can hold as much as hundreds of short ones.
import { LRUCache } from 'lru-cache';
import { stringsBytes } from '../../text/retained-bytes';
import type { CachedCompletion, CompletionCache } from './completion-cache';

// Measured (--expose-gc, 5,000 entries of ~1 KB answers with real cache keys): the heap retained per entry was
// 0.94x this estimate; the constant covers the value object, its number and lru-cache's bookkeeping per entry.
const ENTRY_OVERHEAD_BYTES = 260;

export function completionEntryBytes(value: CachedCompletion, key: string): number {
  return stringsBytes(
    [key, value.text, value.provider, value.model, value.promptVersion],
    ENTRY_OVERHEAD_BYTES,
  );
}

/** `maxBytes` 0 disables the cache. */
export function createMemoryCompletionCache(maxBytes: number): CompletionCache {
  const lru = new LRUCache<string, CachedCompletion>({
    maxSize: Math.max(1, maxBytes),
    sizeCalculation: completionEntryBytes,
    ttlAutopurge: false,
  });
  return {
    async getMany(keys) {
      return keys.map((key) => lru.get(key) ?? null);
    },
    async set(key, value, ttlMs, staleGraceMs) {
      if (maxBytes === 0) return;
      lru.set(key, value, { ttl: ttlMs + staleGraceMs });
    },
  };
}
