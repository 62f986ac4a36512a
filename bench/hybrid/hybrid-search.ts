// The store half of the `search` feature's hybrid retrieval (subgraph/features/hybrid-retrieval.ts), with the
// query's vector already made (the embedding call is the provider's time, not the store's): the BM25 list and
// the nearest-vector list, each as deep as the feature asks (fusionDepth), at once, fused by reciprocal rank.
import { fusionDepth } from '../../subgraph/features/hybrid-retrieval';
import { DEFAULT_RRF_K, fuseByReciprocalRank } from '../../subgraph/retrieval/reciprocal-rank-fusion';
import type { DocumentStore, RetrievedChunk } from '../../subgraph/retrieval/store/document-store';
import { hashEmbedding } from '../../test/support/providers';
import { EMBEDDING_MODEL } from './corpus';

export interface SearchPaths {
  lexical: (query: string) => Promise<RetrievedChunk[]>;
  semantic: (query: string) => Promise<RetrievedChunk[]>;
  hybrid: (query: string) => Promise<RetrievedChunk[]>;
}

export function searchPaths(
  store: DocumentStore,
  tenantId: string,
  options: { limit: number; dimensions: number },
): SearchPaths {
  const depth = fusionDepth(options.limit);
  // Queries rotate over a small set: their vectors are made once, as the gateway's query-embedding cache would.
  const vectors = new Map<string, number[]>();
  const vectorOf = (query: string) => {
    let vector = vectors.get(query);
    if (!vector) vectors.set(query, (vector = hashEmbedding(query, options.dimensions)));
    return vector;
  };
  const semanticAt = (query: string, limit: number) =>
    store.searchSemantic(tenantId, { model: EMBEDDING_MODEL, vector: vectorOf(query), text: query }, limit);
  return {
    lexical: (query) => store.searchLexical(tenantId, query, options.limit),
    semantic: (query) => semanticAt(query, options.limit),
    hybrid: async (query) => {
      const [lexical, semantic] = await Promise.all([
        store.searchLexical(tenantId, query, depth),
        semanticAt(query, depth),
      ]);
      return fuseByReciprocalRank([lexical, semantic], options.limit, DEFAULT_RRF_K);
    },
  };
}
