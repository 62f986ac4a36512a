// recall@k of the HNSW path against exact search, both through the store's own searchSemantic: one store set to
// search every tenant exactly (VECTOR_EXACT_SEARCH_BELOW_CHUNKS above any tenant's size), one set to use the
// index for every tenant (threshold 0), same database, same queries. recall@k = the share of the exact top k
// chunks that the index path also returns in its top k, averaged over the queries. A chunk tied with the exact
// k-th by similarity counts as found: among equally near chunks, which ones fill the last places is arbitrary.
import type { DocumentStore } from '../../subgraph/retrieval/store/document-store';
import { hashEmbedding } from '../../test/support/providers';
import { EMBEDDING_MODEL } from './corpus';

export interface Recall {
  recall: number;
  queries: number;
  /** The worst single query's recall. */
  worst: number;
  exactMeanMs: number;
  indexMeanMs: number;
}

export async function recallAtK(
  stores: { exact: DocumentStore; index: DocumentStore },
  tenantId: string,
  queries: readonly string[],
  options: { k: number; dimensions: number },
): Promise<Recall> {
  let total = 0;
  let worst = 1;
  const spent = { exact: 0, index: 0 };
  for (const text of queries) {
    const query = { model: EMBEDDING_MODEL, vector: hashEmbedding(text, options.dimensions), text };
    const timed = async (path: 'exact' | 'index') => {
      const started = performance.now();
      const hits = await stores[path].searchSemantic(tenantId, query, options.k);
      spent[path] += performance.now() - started;
      return hits;
    };
    const exact = await timed('exact');
    const index = await timed('index');
    const kth = exact.at(-1)?.score ?? Number.NEGATIVE_INFINITY;
    const exactIds = new Set(exact.map((hit) => hit.chunkId));
    const found = index.filter((hit) => exactIds.has(hit.chunkId) || hit.score >= kth - 1e-9).length;
    const share = exact.length === 0 ? 1 : Math.min(found, exact.length) / exact.length;
    total += share;
    worst = Math.min(worst, share);
  }
  const n = Math.max(1, queries.length);
  return {
    recall: total / n,
    queries: queries.length,
    worst,
    exactMeanMs: spent.exact / n,
    indexMeanMs: spent.index / n,
  };
}
