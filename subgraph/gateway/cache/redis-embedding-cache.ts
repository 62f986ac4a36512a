// The query-embedding cache in Redis, shared by all replicas: each vector is its float32 bytes (little-endian)
// as base64, a third of its size as JSON numbers, and expires after the TTL.
import type { Redis } from 'ioredis';
import type { EmbeddingCache } from './embedding-cache';

/** Little-endian whatever the host, so every replica reads what any other wrote. */
function encode(vector: Float32Array): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

function decode(raw: string | null): Float32Array | null {
  if (raw === null) return null;
  const bytes = Buffer.from(raw, 'base64');
  // An entry that is not whole float32s was not written by us: a miss, never a wrong vector.
  if (bytes.byteLength === 0 || bytes.byteLength % 4 !== 0) return null;
  // Copied into an aligned buffer: a Buffer from the pool may sit at an offset no Float32Array can view.
  const vector = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < vector.length; i += 1) vector[i] = bytes.readFloatLE(i * 4);
  return vector;
}

/** The caches made here: their reads and writes cross the network, so a hung server can hold them. */
const remoteCaches = new WeakSet<EmbeddingCache>();

/**
 * Whether `cache` is one on Redis, whose calls a caller bounds (embed-through-chain.ts); one in process memory
 * answers at once, and racing it against a timer would only cost the timer.
 */
export const isRemoteEmbeddingCache = (cache: EmbeddingCache): boolean => remoteCaches.has(cache);

export function createRedisEmbeddingCache(redis: Redis, prefix = 'ai:embed'): EmbeddingCache {
  const cache: EmbeddingCache = {
    async getMany(keys) {
      if (keys.length === 0) return [];
      // Every key of one call carries the same tenant hash tag, so MGET stays in one cluster slot.
      const values = await redis.mget(...keys.map((key) => `${prefix}:${key}`));
      return values.map(decode);
    },
    async setMany(entries, ttlMs) {
      if (entries.length === 0 || ttlMs <= 0) return;
      const pipeline = redis.pipeline();
      for (const { key, vector } of entries) {
        pipeline.set(`${prefix}:${key}`, encode(vector), 'PX', Math.max(1, Math.round(ttlMs)));
      }
      const results = (await pipeline.exec()) ?? [];
      const failure = results.find(([error]) => error !== null)?.[0];
      if (failure) throw failure;
    },
  };
  remoteCaches.add(cache);
  return cache;
}
