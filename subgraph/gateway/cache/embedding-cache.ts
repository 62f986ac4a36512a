// The query-embedding cache port and its key. The key holds the tenant, the target (a vector is only valid
// in its model's space) and a sha256 of the exact text: no tenant reads another's entry, and the same query
// embedded by two models is two entries. Vectors travel as float32, the precision providers send them in
// (the OpenAI SDK asks for base64 float32), so caching loses nothing and halves their size.
import { createHash } from 'node:crypto';

export interface EmbeddingCache {
  /** The vectors for these keys, in key order (null where absent or expired). */
  getMany(keys: readonly string[]): Promise<(Float32Array | null)[]>;
  setMany(entries: readonly CachedEmbedding[], ttlMs: number): Promise<void>;
}

export interface CachedEmbedding {
  key: string;
  vector: Float32Array;
}

export interface EmbeddingKeyParts {
  tenantId: string;
  /** `provider:model` of the target that made (or would make) the vector. */
  targetId: string;
  text: string;
  /** The text went to the provider redacted (its vector is of the redacted text): another entry. */
  redacted?: boolean;
}

export function embeddingCacheKey(parts: EmbeddingKeyParts): string {
  const digest = createHash('sha256').update(parts.text).digest('base64url');
  // The tenant stays readable in the key (and a Redis Cluster hash tag), like the completion cache's keys.
  const space = parts.redacted ? `${parts.targetId}:redacted` : parts.targetId;
  return `{${parts.tenantId}}:embed:${space}:${digest}`;
}
