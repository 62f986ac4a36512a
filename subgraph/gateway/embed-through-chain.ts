// The gateway's embed task: the tenant's embed chain walked by the one chain walker (breaker, retries,
// timeouts inside the deadline), each target answering for every text or not at all; the answer priced,
// counted and logged like a completion's (without any text); query vectors cached per tenant and target.
// Each target is its own vector space: the outcome names the model that answered (see embed-call.ts).
// The query cache on Redis holds a call at most CACHE_LOOKUP_TIMEOUT_MS (less when the deadline has less left)
// per read or write, so a hung Redis costs a miss, not the deadline; a cache in process memory is never timed.
// A target that failed after the provider had answered some of its batches settles its reservation to what
// those replies were billed, and the outcome's cost (what the ledger records) carries it, answered or failed.
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { embeddingCacheKey } from './cache/embedding-cache';
import type { EmbeddingCache } from './cache/embedding-cache';
import { cacheBudgetMs } from './cache/cache-budget';
import { isRemoteEmbeddingCache } from './cache/redis-embedding-cache';
import { chainObserver } from './chain-observer';
import { walkChain, walkToEnd } from './chain-walker';
import type { ChainStep, WalkResult } from './chain-walker';
import type { EmbedCall, EmbedOutcome } from './embed-call';
import { embeddingAttempt } from './embedding-attempt';
import type { TargetEmbeddings } from './embedding-attempt';
import { failed, unroutable } from './gateway-outcomes';
import type { ModelFailure } from './gateway-call';
import { usdOfNanos } from './pricing';
import type { PriceTable } from './pricing';
import { within } from './resilience/within';
import { targetId } from './routing/route-config';
import type { RouteTable, Target } from './routing/route-config';
import { chooseRoute } from './routing/router';
import { unreachable } from '../errors/unreachable';
import { countRedaction, redactTexts } from './pii-redaction';
import type { RedactionCounts } from './pii-redaction';
import type { SpendGate } from '../limits/spend-gate';
import { spendBudget } from './spend-budget';
import { estimateTokens } from './token-estimate';
import { tracedAttempt } from './traced-attempt';

export interface EmbedSettings {
  /** Texts per provider request; a larger call is several requests to the same target. */
  batchSize: number;
  /** How long a query vector stays cached; 0 disables the cache. */
  cacheTtlMs: number;
  /**
   * The longest a read or write of a remote (Redis) query cache holds the call, less when its deadline has less
   * left: CACHE_LOOKUP_TIMEOUT_MS (cache-budget.ts), its default where unset.
   */
  cacheLookupTimeoutMs?: number;
}

export interface EmbedDeps {
  routes: RouteTable;
  cache: EmbeddingCache;
  prices: PriceTable;
  /** The tenants' spend caps: an attempt that calls a provider reserves its input tokens' worst case. */
  spendGate: SpendGate;
  metrics: Metrics;
  logger: Logger;
  settings: EmbedSettings;
  /** The chain's targets with their providers and the gateway's shared guards (one circuit per target). */
  stepsFor(chain: readonly Target[]): ChainStep[];
}

export async function embedThroughChain(deps: EmbedDeps, call: EmbedCall): Promise<EmbedOutcome> {
  const route = chooseRoute(deps.routes, 'embed', call.allowedProviders, 0);
  const noTarget = unroutable(route);
  if (noTarget) return noTarget;
  const [first] = route.chain;
  if (call.texts.length === 0 || !first) return nothingToEmbed(first);
  const redaction = call.redactPii ? redactTexts(call.texts) : null;
  if (redaction) countRedaction(deps.metrics, redaction.counts);
  const caching = call.purpose === 'query' && deps.settings.cacheTtlMs > 0;
  const keys = caching ? keysByTarget(call, route.chain) : new Map<string, string[]>();
  const cached = await lookup(deps, call, keys);
  const texts = redaction?.texts ?? call.texts;
  const inputTokens = texts.reduce((sum, text) => sum + estimateTokens(text), 0);
  /** By target id: what a failed attempt's provider billed before it failed (its answered batches), in nanos. */
  const billed = new Map<string, number>();
  const walk = walkChain(
    call,
    deps.stepsFor(route.chain),
    tracedAttempt(
      embeddingAttempt({
        texts,
        batchSize: deps.settings.batchSize,
        deadline: call.deadline,
        callerSignal: call.signal,
        cachedFor: (target) => cached.get(targetId(target)) ?? null,
        billedBeforeFailing: (target, usage) =>
          billed.set(targetId(target), deps.prices(target.provider, target.model, usage)),
      }),
      {
        operation: 'embeddings',
        metrics: deps.metrics,
        signal: call.signal,
        callsNoProvider: ({ target }) => cached.has(targetId(target)),
      },
    ),
    chainObserver({ task: 'embed', requestId: call.requestId }, deps.metrics, deps.logger),
    undefined,
    spendBudget<TargetEmbeddings>(deps.spendGate, call.tenantId, call.spendCaps, {
      // A target the query cache answers for calls no provider: it reserves nothing.
      worstNanos: ({ target }) =>
        cached.has(targetId(target))
          ? 0
          : deps.prices(target.provider, target.model, { inputTokens, outputTokens: 0 }),
      realNanos: ({ target }, reply) => {
        if (!reply) return billed.get(targetId(target)) ?? 0;
        return reply.cached ? 0 : deps.prices(target.provider, target.model, reply.usage);
      },
    }),
  );
  const result = await walkToEnd(walk);
  if (caching) {
    const hit = result.kind === 'answered' && result.reply.cached;
    deps.metrics.cacheLookups.inc({ task: 'embed', result: hit ? 'hit' : 'miss' });
  }
  const billedNanos = [...billed.values()].reduce((sum, nanos) => sum + nanos, 0);
  const outcome = settle(deps, call, result, billedNanos, redaction?.counts ?? null);
  if (caching && result.kind === 'answered' && !result.reply.cached) {
    await store(deps, call, keys.get(targetId(result.target)) ?? [], result.reply.vectors);
  }
  return outcome;
}

/** No text: nothing to send, and no dimension to report; the model is the one the texts would have gone to. */
function nothingToEmbed(first: Target | undefined): EmbedOutcome {
  if (!first) return failed(null);
  return {
    kind: 'embedded',
    provider: first.provider,
    model: first.model,
    dimensions: 0,
    vectors: [],
    costNanos: 0,
    cached: false,
  };
}

/** A failure carrying what the failed attempts were billed, when they were billed anything. */
const failedWith = (failure: ModelFailure, billedNanos: number): ModelFailure =>
  billedNanos > 0 ? { ...failure, costNanos: billedNanos } : failure;

/**
 * `billedNanos`: what the attempts that failed were billed (the batches their providers answered before they
 * failed), part of the outcome's cost whether a later target answered or none did.
 */
function settle(
  deps: EmbedDeps,
  call: EmbedCall,
  result: WalkResult<TargetEmbeddings>,
  billedNanos: number,
  redacted: RedactionCounts | null,
): EmbedOutcome {
  switch (result.kind) {
    // Only a caller that left abandons the walk: nobody reads this failure, and a re-embed sweep retries.
    case 'abandoned':
      return failedWith(failed(null), billedNanos);
    case 'failed':
      return failedWith(failed(result.last), billedNanos);
    case 'answered':
      break;
    default:
      return unreachable(result);
  }
  const { target, reply } = result;
  const costNanos =
    (reply.cached ? 0 : deps.prices(target.provider, target.model, reply.usage)) + billedNanos;
  if (!reply.cached) {
    deps.metrics.modelCalls.inc({ provider: target.provider, model: target.model, outcome: 'ok' });
    // At debug, as a chat call's (settle-walk.ts): a request's one line at info is its `feature served`.
    deps.logger.debug(
      {
        requestId: call.requestId,
        task: 'embed',
        target: targetId(target),
        purpose: call.purpose,
        texts: call.texts.length,
        requests: reply.requests,
        usage: reply.usage,
        costUsd: usdOfNanos(costNanos),
        ...(redacted ? { redacted } : {}),
      },
      'model answered',
    );
  }
  return {
    kind: 'embedded',
    provider: target.provider,
    model: target.model,
    dimensions: reply.vectors[0]?.length ?? 0,
    vectors: reply.vectors,
    costNanos,
    cached: reply.cached,
  };
}

/**
 * Each target's cache key of every text, by target id: the tenant, the model and whether the text was
 * redacted are part of every key (the raw text is hashed either way), so a vector of the redacted text never
 * answers for the unredacted one, nor the other way round, when a tenant's policy changes.
 */
function keysByTarget(call: EmbedCall, chain: readonly Target[]): Map<string, string[]> {
  return new Map(
    chain.map((target) => {
      const id = targetId(target);
      return [
        id,
        call.texts.map((text) =>
          embeddingCacheKey({ tenantId: call.tenantId, targetId: id, text, redacted: call.redactPii }),
        ),
      ];
    }),
  );
}

/** Each target's vectors when the cache holds every text for it, read in one round trip for the whole chain. */
async function lookup(
  deps: EmbedDeps,
  call: EmbedCall,
  keys: ReadonlyMap<string, string[]>,
): Promise<Map<string, number[][]>> {
  const found = new Map<string, number[][]>();
  if (keys.size === 0) return found;
  const all = [...keys.values()].flat();
  let entries: (Float32Array | null)[] | null;
  try {
    const reading = deps.cache.getMany(all);
    // Only a remote cache is raced against its budget: one in process memory has answered already.
    const budgetMs = isRemoteEmbeddingCache(deps.cache)
      ? cacheBudgetMs(deps.settings.cacheLookupTimeoutMs, call.deadline)
      : null;
    entries = budgetMs === null ? await reading : await within(reading, budgetMs);
    if (entries === null) {
      // Redis slow or hung: a miss, as a failed read is, so the cache never spends the provider's time.
      deps.logger.warn(
        { requestId: call.requestId, task: 'embed', budgetMs },
        'embedding cache read timed out; read as a miss',
      );
      return found;
    }
  } catch (error) {
    // A cache outage costs a provider call, never the vectors.
    deps.logger.error(
      { err: error, requestId: call.requestId, task: 'embed' },
      'embedding cache read failed',
    );
    return found;
  }
  let offset = 0;
  for (const [id, targetKeys] of keys) {
    const vectors = entries.slice(offset, offset + targetKeys.length);
    offset += targetKeys.length;
    const dimensions = vectors[0]?.length;
    // All or nothing, and of one dimension: a call's vectors never mix cached and fresh, or two writes' shapes.
    if (vectors.every((vector) => vector !== null && vector.length === dimensions)) {
      found.set(
        id,
        vectors.map((vector) => Array.from(vector ?? [])),
      );
    }
  }
  return found;
}

/**
 * Never rejects: a cache outage costs a later provider call, never this answer. Waited for within the cache's
 * budget, so a repeated query right after finds the vectors; a write still on its way then (Redis slow or
 * hung) goes on without the call.
 */
async function store(
  deps: EmbedDeps,
  call: EmbedCall,
  keys: readonly string[],
  vectors: readonly number[][],
): Promise<void> {
  const entries = keys.flatMap((key, index) => {
    const vector = vectors[index];
    return vector ? [{ key, vector: Float32Array.from(vector) }] : [];
  });
  const writing = deps.cache
    .setMany(entries, deps.settings.cacheTtlMs)
    .catch((error: unknown) =>
      deps.logger.error({ err: error, task: 'embed' }, 'embedding cache write failed'),
    );
  await (isRemoteEmbeddingCache(deps.cache)
    ? within(writing, cacheBudgetMs(deps.settings.cacheLookupTimeoutMs, call.deadline))
    : writing);
}
