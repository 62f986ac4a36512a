// search: the tenant's passages ranked for a query, by BM25 and embedding similarity fused (SearchResults). When
// the semantic half is missing — no vectors in the store, the query could not be embedded — the BM25 ranking
// serves alone as DegradedSearchResults with the reason.
import type { Embedded } from '../gateway/embed-call';
import { unreachable } from '../errors/unreachable';
import type { RetrievedChunk } from '../retrieval/store/document-store';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import type { SearchHitValue, SearchOutcome } from './feature-result';
import { retrieve } from './hybrid-retrieval';
import type { SearchInput } from './inputs';
import type { ModelUse } from './meter-result';
import { NO_MODEL, meterResult, startClock } from './meter-result';

const toHit = ({ documentId, chunkId, title, snippet, score }: RetrievedChunk): SearchHitValue => ({
  documentId,
  chunkId,
  title,
  snippet,
  score,
});

/** What AIMeta says of the query's embedding: its model and cost (no prompt). */
const embeddingUse = ({ provider, model, cached, costNanos }: Embedded): ModelUse => ({
  provider,
  model,
  promptVersion: null,
  cached,
  costNanos,
  // The embeddings' token counts stay in the gateway's own 'model answered' line.
  tokens: null,
});

export function createSearchFeature(deps: FeatureDeps) {
  return async function search(call: FeatureCall, input: SearchInput): Promise<SearchOutcome> {
    const elapsed = startClock();
    const retrieved = await retrieve(deps, call, input.query, input.limit);
    const hits = retrieved.chunks.map(toHit);
    switch (retrieved.kind) {
      case 'hybrid':
        return meterResult(deps, call, 'search', elapsed, {
          kind: 'full',
          value: { hits },
          model: embeddingUse(retrieved.embedding),
        });
      case 'lexical':
        return meterResult(deps, call, 'search', elapsed, {
          kind: 'degraded',
          value: { hits },
          reason: retrieved.reason,
          model: retrieved.embedding ? embeddingUse(retrieved.embedding) : NO_MODEL,
        });
      default:
        return unreachable(retrieved);
    }
  };
}
