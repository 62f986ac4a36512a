// The query-embedding cache in process memory, for a single replica: an LRU bounded by the entries' estimated
// heap (a 1,536-dimension vector is 6 KiB, so a count bound would say little about memory).
import { LRUCache } from 'lru-cache';
import { stringBytes } from '../../text/retained-bytes';
import type { EmbeddingCache } from './embedding-cache';

// The Float32Array object and its ArrayBuffer headers, and lru-cache's bookkeeping per entry.
const ENTRY_OVERHEAD_BYTES = 300;

/** `maxBytes` 0 disables the cache. */
export function createMemoryEmbeddingCache(maxBytes: number): EmbeddingCache {
  const lru = new LRUCache<string, Float32Array>({
    maxSize: Math.max(1, maxBytes),
    sizeCalculation: (vector, key) => stringBytes(key) + vector.byteLength + ENTRY_OVERHEAD_BYTES,
    ttlAutopurge: false,
  });
  return {
    async getMany(keys) {
      return keys.map((key) => lru.get(key) ?? null);
    },
    async setMany(entries, ttlMs) {
      if (maxBytes === 0 || ttlMs <= 0) return;
      for (const { key, vector } of entries) lru.set(key, vector, { ttl: ttlMs });
    },
  };
}
