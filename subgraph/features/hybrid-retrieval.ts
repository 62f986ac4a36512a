// The retrieval both search and ask ground on: the tenant's chunks ranked by BM25 and by embedding similarity,
// fused by reciprocal rank. The semantic half is optional: where the store or the tenant has no vectors (none
// in the query's model) or the query cannot be embedded (provider down, timed out, circuit open, none
// configured), the lexical ranking serves alone, with the reason, so a search never fails for want of its
// semantic layer.
import type { Embedded } from '../gateway/embed-call';
import { targetId } from '../gateway/routing/route-config';
import { Deadline } from '../gateway/resilience/deadline';
import { stage } from '../observability/stage';
import { fuseByReciprocalRank } from '../retrieval/reciprocal-rank-fusion';
import type { RetrievedChunk } from '../retrieval/store/document-store';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import type { OwnLimit } from './degraded-message';
import type { DegradationReason } from './feature-result';
import { assertOwnChunks } from './tenant-gate';
import { distinctPassages } from './distinct-passages';
import { spendCapsOf } from '../gateway/spend-budget';
import { recordCost } from './meter-result';

/**
 * Each list's depth before fusion: twice the page, at least 20, so a chunk ranked well by one list alone can
 * still place, while each list's rows (and their snippets) stay few.
 */
export const fusionDepth = (limit: number): number => Math.max(limit * 2, 20);

export type Retrieved = (
  | { kind: 'hybrid'; chunks: RetrievedChunk[]; embedding: Embedded }
  | {
      kind: 'lexical';
      chunks: RetrievedChunk[];
      reason: DegradationReason;
      embedding: Embedded | null;
      /** Set where our own limit, not the provider, held the query's embedding back (see OwnLimit). */
      ownLimit?: OwnLimit;
    }
) & {
  /**
   * What the query's embedding cost, in nano-dollars, whether or not it gave a vector: replies the provider
   * billed before the embedding failed (a malformed list, retried) were settled against the tenant's caps, so
   * the result reports them as it would the embedding's own cost, and the ledger keeps what the cap settled.
   */
  costNanos: number;
};

/** The name a tenant's vectors are stored under: provider and model, since two providers may share a model name. */
export const embeddingSpaceOf = (embedded: Pick<Embedded, 'provider' | 'model'>): string =>
  targetId(embedded);

type QueryVector =
  | { kind: 'embedded'; embedding: Embedded }
  /** `costNanos`: what the replies billed before the failure cost (0 when none was). */
  | { kind: 'failed'; reason: DegradationReason; ownLimit?: OwnLimit; costNanos: number };

/** What the query's embedding was charged, vector or none. */
const costOf = (query: QueryVector): number =>
  query.kind === 'embedded' ? query.embedding.costNanos : query.costNanos;

async function embedQuery(deps: FeatureDeps, call: FeatureCall, text: string): Promise<QueryVector> {
  const outcome = await stage(deps.metrics, 'retrieval.embed', () =>
    deps.gateway.embed({
      tenantId: call.tenant.tenantId,
      requestId: call.requestId,
      purpose: 'query',
      texts: [text],
      // A job's own deadline and cancel bound its question's embedding too.
      deadline: Deadline.first(deps.gateway.deadlineFor('embed'), call.deadline),
      ...(call.signal ? { signal: call.signal } : {}),
      allowedProviders: call.tenant.policy.allowedProviders,
      redactPii: call.tenant.policy.guardrails.redactBeforeProvider,
      spendCaps: spendCapsOf(call.tenant.policy.limits),
    }),
  );
  if (outcome.kind === 'embedded') return { kind: 'embedded', embedding: outcome };
  // A failure after billed replies (embedThroughChain settled the caps to them) still costs the request that.
  const costNanos = outcome.costNanos ?? 0;
  // RATE_LIMITED alone reads as the provider's 429: this replica's overload (or the tenant's own limit) is kept
  // so the result names it, and says when to come back.
  if (outcome.refusedBy !== undefined) {
    const { reason, refusedBy, retryAfterSeconds } = outcome;
    return { kind: 'failed', reason, ownLimit: { refusedBy, retryAfterSeconds }, costNanos };
  }
  // Providers that answer but none that embeds: the semantic layer is what is missing, not a provider.
  const reason =
    outcome.reason === 'NO_PROVIDER_CONFIGURED' && deps.gateway.hasProviders
      ? 'SEMANTIC_UNAVAILABLE'
      : outcome.reason;
  return { kind: 'failed', reason, costNanos };
}

export interface RetrieveOptions {
  /** Semantic hits below this cosine similarity are left out (ask: too far from the question to ground on). */
  minSimilarity?: number;
  /**
   * Each passage shows only sentences no earlier passage of its document showed, and one left with none is
   * left out (distinctPassages: overlapping chunks repeat each other), the page filled from the candidates
   * further down (search: hits that repeat each other are no use to a reader).
   */
  distinct?: boolean;
}

export async function retrieve(
  deps: FeatureDeps,
  call: FeatureCall,
  text: string,
  limit: number,
  options: RetrieveOptions = {},
): Promise<Retrieved> {
  const tenantId = call.tenant.tenantId;
  const lexicalAt = (depth: number) =>
    stage(deps.metrics, 'retrieval.lexical', () => deps.documents.searchLexical(tenantId, text, depth));
  const depth = fusionDepth(limit);
  const page = (chunks: RetrievedChunk[]): RetrievedChunk[] =>
    (options.distinct ? distinctPassages(chunks) : chunks).slice(0, limit);
  // A store without vectors (PostgreSQL without pgvector) needs no embedding, nor rows deeper than the page
  // (but for the candidates that fill the places of repeated passages).
  if (!deps.documents.semantic.available) {
    const chunks = await lexicalAt(options.distinct ? depth : limit);
    assertOwnChunks(tenantId, chunks);
    return {
      kind: 'lexical',
      chunks: page(chunks),
      reason: 'SEMANTIC_UNAVAILABLE',
      embedding: null,
      costNanos: 0,
    };
  }
  // The lexical search does not wait for the embedding call: both run at once. The embedding's look at the
  // tenant's vectors goes first: on PGlite (one connection) it would otherwise wait for the whole search.
  const vectorOfQuery = queryVector(deps, call, text);
  const [searched, embedded] = await Promise.allSettled([lexicalAt(depth), vectorOfQuery]);
  if (embedded.status === 'rejected') throw embedded.reason;
  const query = embedded.value;
  if (searched.status === 'rejected') {
    // The search fails (a database error), but the question's embedding was paid for (even one that gave no
    // vector, for the replies billed before it failed): no result will report it.
    await recordCost(deps, call, 'retrieval', costOf(query));
    throw searched.reason;
  }
  const lexical = searched.value;
  assertOwnChunks(tenantId, lexical);
  if (query.kind === 'failed') {
    const { reason, ownLimit, costNanos } = query;
    return {
      kind: 'lexical',
      chunks: page(lexical),
      reason,
      embedding: null,
      costNanos,
      ...(ownLimit ? { ownLimit } : {}),
    };
  }
  const [vector] = query.embedding.vectors;
  let semantic: RetrievedChunk[];
  try {
    semantic = await stage(deps.metrics, 'retrieval.semantic', () =>
      deps.documents.searchSemantic(
        tenantId,
        { model: embeddingSpaceOf(query.embedding), vector: vector ?? [], text },
        depth,
      ),
    );
  } catch (error) {
    // The vector index failing must not take the keyword results down with it.
    deps.logger.error({ err: error, requestId: call.requestId }, 'semantic search failed; serving lexical');
    return {
      kind: 'lexical',
      chunks: page(lexical),
      reason: 'SEMANTIC_UNAVAILABLE',
      embedding: query.embedding,
      costNanos: query.embedding.costNanos,
    };
  }
  assertOwnChunks(tenantId, semantic);
  // No vector of the query's model (the tenant's are all of another, or went since the look above): there is
  // no semantic ranking to fuse, and the keyword ranking alone is not to be labelled hybrid.
  if (semantic.length === 0) {
    return {
      kind: 'lexical',
      chunks: page(lexical),
      reason: 'SEMANTIC_UNAVAILABLE',
      embedding: query.embedding,
      costNanos: query.embedding.costNanos,
    };
  }
  const near = semantic.filter((chunk) => chunk.score >= (options.minSimilarity ?? -1));
  // The semantic list goes last: it is read after the lexical one (which may even come from the search cache),
  // so where a re-ingest came between them, fusion keeps the document as the semantic search saw it, even where
  // none of its new chunks was near enough to be fused (`semantic`, unfiltered). With `distinct`, every fused
  // candidate is kept for the page to be filled from.
  const fused = fuseByReciprocalRank(
    [lexical, near],
    options.distinct ? Infinity : limit,
    deps.rrfK,
    semantic,
  );
  return {
    kind: 'hybrid',
    chunks: page(fused),
    embedding: query.embedding,
    costNanos: query.embedding.costNanos,
  };
}

/**
 * The query's embedding, where the tenant has vectors to compare it with. Without one (every document went in
 * while embeddings were down, and the sweep has embedded none yet) it would be paid for and compared with
 * nothing: the tenant's semantic layer is what is missing. Where no embedding target serves the tenant at all
 * the gateway says so at once, for nothing, with its own reason (NO_PROVIDER_CONFIGURED, PROVIDER_NOT_ALLOWED).
 */
async function queryVector(deps: FeatureDeps, call: FeatureCall, text: string): Promise<QueryVector> {
  const embeds = deps.gateway.routes('embed', call.tenant.policy.allowedProviders);
  if (embeds && !(await tenantHasVectors(deps, call)))
    return { kind: 'failed', reason: 'SEMANTIC_UNAVAILABLE', costNanos: 0 };
  return embedQuery(deps, call, text);
}

/**
 * Whether the tenant has a vector to compare a query's with. Where the look fails, the embedding is made all the
 * same, as before there was a look: the semantic search then answers for itself.
 */
async function tenantHasVectors(deps: FeatureDeps, call: FeatureCall): Promise<boolean> {
  try {
    return await deps.documents.hasVectors(call.tenant.tenantId);
  } catch (error) {
    deps.logger.warn(
      { err: error, requestId: call.requestId },
      'could not tell whether the tenant has vectors',
    );
    return true;
  }
}
