// A DocumentStore decorator that remembers retrieval results per tenant, corpus version, query and limit.
// A repeated question then skips the database, which is most of a cached answer's cost; every ingest or
// delete replaces the tenant's corpus version token, so no result outlives a change to the documents it came
// from. Entries also expire after a TTL: the backstop for a replica that missed a change (its Redis call failed).
// A version that cannot be read in time (Redis slow or hung: see boundedVersionReads) is a miss: the database
// answers, and nothing is cached under a version this replica could not confirm.
import { LRUCache } from 'lru-cache';
import { DEFAULT_CACHE_LOOKUP_TIMEOUT_MS } from '../gateway/cache/cache-budget';
import { within } from '../gateway/resilience/within';
import type { Logger } from '../observability/logger';
import type { CorpusVersions } from '../state/corpus-versions';
import { stringBytes, stringsBytes } from '../text/retained-bytes';
import type { DocumentStore, LexicalHit } from './store/document-store';

export interface SearchCacheOptions {
  /** The bound on the entries' estimated heap; 0 disables the cache. */
  maxBytes: number;
  ttlMs: number;
  logger: Logger;
}

// Measured (PGlite store, 2,000 distinct searches of 8 hits of ~1 KB passages, --expose-gc): the heap retained
// per entry was 1.01x this estimate (14.1 KB); the constants include lru-cache's own bookkeeping per entry.
const HIT_OBJECT_BYTES = 120;
const ENTRY_OVERHEAD_BYTES = 200;

export function searchEntryBytes(hits: readonly LexicalHit[], key: string): number {
  let total = ENTRY_OVERHEAD_BYTES + stringBytes(key) + 8 * hits.length;
  for (const hit of hits) {
    total += stringsBytes(
      [hit.documentId, hit.chunkId, hit.title, hit.content, hit.snippet],
      HIT_OBJECT_BYTES,
    );
  }
  return total;
}

/** A corpus version read that did not answer within its wait; the read goes on without the search. */
export class VersionReadTimedOut extends Error {
  override readonly name = 'VersionReadTimedOut';

  constructor(readonly waitedMs: number) {
    super(`the corpus version read timed out after ${waitedMs} ms`);
  }
}

/**
 * `corpus` whose current() waits at most `waitMs`, then rejects with VersionReadTimedOut, so that a hung Redis
 * costs a search this long, not ioredis's command timeout. For versions kept remotely (open-state.ts wraps the
 * Redis ones): versions in process memory answer at once, and a timer per search would only cost the timer.
 */
export function boundedVersionReads(
  corpus: CorpusVersions,
  waitMs = DEFAULT_CACHE_LOOKUP_TIMEOUT_MS,
): CorpusVersions {
  return {
    bump: (tenantId) => corpus.bump(tenantId),
    async current(tenantId) {
      const version = await within(corpus.current(tenantId), waitMs);
      if (version === null) throw new VersionReadTimedOut(waitMs);
      return version;
    },
  };
}

export function withSearchCache(
  store: DocumentStore,
  corpus: CorpusVersions,
  options: SearchCacheOptions,
): DocumentStore {
  if (options.maxBytes <= 0) return store;
  const results = new LRUCache<string, LexicalHit[]>({
    maxSize: options.maxBytes,
    sizeCalculation: (hits, key) => searchEntryBytes(hits, key),
    ttl: options.ttlMs,
    ttlAutopurge: false,
  });
  const tenantPrefix = (tenantId: string) => JSON.stringify([tenantId]).slice(0, -1) + ',';
  const keyOf = (tenantId: string, version: string, limit: number, query: string) =>
    JSON.stringify([tenantId, version, limit, query.replace(/\s+/g, ' ').trim().toLowerCase()]);

  // The change is committed once `change` resolves: it answers success even when the version cannot be
  // replaced. This replica forgets the tenant's entries itself; other replicas' entries expire with the TTL.
  const bumpAfter = async <T>(tenantId: string, change: Promise<T>): Promise<T> => {
    const done = await change;
    try {
      await corpus.bump(tenantId);
    } catch (error) {
      options.logger.warn(
        { err: error },
        'corpus version not replaced after a change; other replicas may serve cached results until they expire',
      );
      const prefix = tenantPrefix(tenantId);
      for (const key of [...results.keys()]) if (key.startsWith(prefix)) results.delete(key);
    }
    return done;
  };

  return {
    ...store,
    putDocument: (tenantId, doc, chunks, embedding, screening) =>
      bumpAfter(tenantId, store.putDocument(tenantId, doc, chunks, embedding, screening)),
    deleteDocument: (tenantId, id) => bumpAfter(tenantId, store.deleteDocument(tenantId, id)),
    async searchLexical(tenantId, query, limit) {
      let version: string;
      try {
        version = await corpus.current(tenantId);
      } catch (error) {
        // Without a trustworthy version a cached result could be stale: ask the database instead. A read that
        // timed out (VersionReadTimedOut) is the same miss.
        options.logger.warn({ err: error }, 'corpus version unavailable; search cache bypassed');
        return store.searchLexical(tenantId, query, limit);
      }
      const key = keyOf(tenantId, version, limit, query);
      const cached = results.get(key);
      if (cached) return cached;
      const hits = await store.searchLexical(tenantId, query, limit);
      results.set(key, hits);
      return hits;
    },
  };
}
