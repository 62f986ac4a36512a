// The completion cache port and its key. The key holds the tenant, task, prompt version, model target and
// a hash of the normalized input and of the retrieved chunk ids and versions: no tenant can be served
// another's entry, and a re-ingested document changes the key of every answer built on it.
import { fingerprint } from '../../text/fingerprint';

export interface CachedCompletion {
  text: string;
  provider: string;
  model: string;
  promptVersion: string;
  /** Epoch ms after which the entry is stale: served only when every target fails, within the grace. */
  freshUntil: number;
}

export interface CompletionCache {
  /** Entries for these keys, fresh or stale, in key order (null where absent or past the grace). */
  getMany(keys: readonly string[]): Promise<(CachedCompletion | null)[]>;
  set(key: string, value: CachedCompletion, ttlMs: number, staleGraceMs: number): Promise<void>;
}

export interface CacheKeyParts {
  tenantId: string;
  task: string;
  promptVersion: string;
  targetId: string;
  /** Hash of the normalized input, and of the retrieved chunk ids and versions where the task retrieved. */
  scope: string;
}

export function cacheKey(parts: CacheKeyParts): string {
  const digest = fingerprint(parts.task, parts.promptVersion, parts.targetId, parts.scope);
  // The tenant stays readable in the key (and a Redis Cluster hash tag), so a tenant's entries can be purged.
  return `{${parts.tenantId}}:${parts.task}:${digest}`;
}
