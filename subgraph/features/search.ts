// search: the tenant's passages ranked for a query. Without a semantic layer, lexical ranking serves as
// DegradedSearchResults with the reason.
import { stage } from '../observability/stage';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import type { SearchOutcome } from './feature-result';
import type { SearchInput } from './inputs';
import { NO_MODEL, meterResult, startClock } from './meter-result';

export function createSearchFeature(deps: FeatureDeps) {
  return async function search(call: FeatureCall, input: SearchInput): Promise<SearchOutcome> {
    const elapsed = startClock();
    const hits = await stage(deps.metrics, 'retrieval.lexical', () =>
      deps.documents.searchLexical(call.tenant.tenantId, input.query, input.limit),
    );
    return meterResult(deps, call, 'search', elapsed, {
      kind: 'degraded',
      value: {
        hits: hits.map(({ documentId, chunkId, title, snippet, score }) => ({
          documentId,
          chunkId,
          title,
          snippet,
          score,
        })),
      },
      // Semantic ranking needs embeddings, which this retrieval layer does not store yet.
      reason: deps.gateway.hasProviders ? 'SEMANTIC_UNAVAILABLE' : 'NO_PROVIDER_CONFIGURED',
      model: NO_MODEL,
    });
  };
}
