// search: the tenant's passages ranked for a query, by BM25 and embedding similarity fused (SearchResults), a
// passage repeating what an earlier hit of its document showed left out. When the semantic half is missing —
// no vectors in the store or for the tenant, the query could not be embedded — the BM25 ranking serves alone
// as DegradedSearchResults with the reason. Sampled, where the tenant keeps content, but not
// graded: there is no model output to grade.
import type { Embedded } from '../gateway/embed-call';
import { unreachable } from '../errors/unreachable';
import type { RetrievedChunk } from '../retrieval/store/document-store';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import type { SearchHitValue, SearchOutcome } from './feature-result';
import { retrieve } from './hybrid-retrieval';
import type { Retrieved } from './hybrid-retrieval';
import type { SearchInput } from './inputs';
import type { ModelUse, UnmeteredResult } from './meter-result';
import { NO_MODEL, meterResult, startClock } from './meter-result';
import { drawSample } from '../observability/quality/quality-sampler';
import { searchSample } from './sampling/search-sample';

type SearchHits = { hits: SearchHitValue[] };

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
    // Overlapping chunks of a document match with the same sentences: a hit repeating an earlier one's is
    // left out, and the page filled from the hits further down.
    const retrieved = await retrieve(deps, call, input.query, input.limit, { distinct: true });
    const metered = await meterResult(deps, call, 'search', elapsed, unmeteredOf(retrieved));
    // RATE_LIMITED alone would read as the provider's: the message names our own limit where it was one.
    const result =
      metered.kind === 'degraded' && retrieved.kind === 'lexical' && retrieved.ownLimit
        ? { ...metered, ownLimit: retrieved.ownLimit }
        : metered;
    // Search has nothing to grade: a sample is only worth taking where the tenant keeps content.
    const { keepContent, rate } = call.tenant.policy.sampling;
    if (keepContent && drawSample(rate)) deps.quality.submit(searchSample(call, input, result));
    return result;
  };
}

function unmeteredOf(retrieved: Retrieved): UnmeteredResult<SearchHits, SearchHits> {
  const hits = { hits: retrieved.chunks.map(toHit) };
  switch (retrieved.kind) {
    case 'hybrid':
      return { kind: 'full', value: hits, model: embeddingUse(retrieved.embedding) };
    case 'lexical':
      return {
        kind: 'degraded',
        value: hits,
        reason: retrieved.reason,
        // No vector, yet the replies billed before the query's embedding failed are the search's cost.
        model: retrieved.embedding
          ? embeddingUse(retrieved.embedding)
          : { ...NO_MODEL, costNanos: retrieved.costNanos },
      };
    default:
      return unreachable(retrieved);
  }
}
