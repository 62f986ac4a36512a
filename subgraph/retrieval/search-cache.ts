// A DocumentStore decorator that remembers retrieval results per tenant, corpus version, query and limit.
// A repeated question then skips the database, which is most of a cached answer's cost; every ingest or
// delete bumps the tenant's corpus version, so no result outlives a change to the documents it came from.
import { LRUCache } from 'lru-cache';
import type { Logger } from '../observability/logger';
import type { CorpusVersions } from '../state/corpus-versions';
import type { DocumentStore, LexicalHit } from './store/document-store';

export function withSearchCache(
  store: DocumentStore,
  corpus: CorpusVersions,
  options: { maxEntries: number; logger: Logger },
): DocumentStore {
  if (options.maxEntries <= 0) return store;
  const results = new LRUCache<string, LexicalHit[]>({ max: options.maxEntries });
  const bumpAfter = async <T>(tenantId: string, change: Promise<T>): Promise<T> => {
    const done = await change;
    await corpus.bump(tenantId);
    return done;
  };

  return {
    ...store,
    putDocument: (tenantId, doc, chunks) => bumpAfter(tenantId, store.putDocument(tenantId, doc, chunks)),
    deleteDocument: (tenantId, id) => bumpAfter(tenantId, store.deleteDocument(tenantId, id)),
    async searchLexical(tenantId, query, limit) {
      let version: number;
      try {
        version = await corpus.current(tenantId);
      } catch (error) {
        // Without a trustworthy version a cached result could be stale: ask the database instead.
        options.logger.warn({ err: error }, 'corpus version unavailable; search cache bypassed');
        return store.searchLexical(tenantId, query, limit);
      }
      const key = JSON.stringify([tenantId, version, limit, query.replace(/\s+/g, ' ').trim().toLowerCase()]);
      const cached = results.get(key);
      if (cached) return cached;
      const hits = await store.searchLexical(tenantId, query, limit);
      results.set(key, hits);
      return hits;
    },
  };
}
