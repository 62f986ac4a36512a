// The last stage of every feature: a result as the feature built it (unmetered) is measured (latency,
// AIMeta) and counted in metrics, the usage ledger and the request's one log line (request-log.ts). A ledger
// outage is logged, never turned into a failed answer. Costs travel as integer nano-dollars and become
// AIMeta's costUsd here, once, so the ledger's sum for a feature is exactly the sum of the costUsd its
// results reported.
import { countRails } from '../guardrails/rail-outcome';
import type { RailOutcome } from '../guardrails/rail-outcome';
import type { DegradationReason, FeatureResult, ResultMeta } from './feature-result';
import type { ModelAnswer } from '../gateway/gateway-call';
import type { TokenUsage } from '../gateway/providers/model-provider';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import { unreachable } from '../errors/unreachable';
import { usdOfNanos } from '../gateway/pricing';
import { requestLogFields } from './request-log';
import { unconfirmedReasonOf, UsageWriteOutstanding } from '../state/bounded-usage-writes';

export type FeatureName = 'summarize' | 'search' | 'ask';

/**
 * Ledger names for costs no feature result carries (see README, "Usage and cost"): an ingest's embeddings,
 * the sweep's re-embeds, what an abandoned stream received, what a stream that failed on our side had paid
 * for, and model calls made for a request that ended unanswered (the guard call on a blocked question, a
 * question's embedding with nothing relevant found).
 */
export type CostOnlyFeature =
  'ingest' | 'embedding-sweep' | 'abandoned-stream' | 'failed-stream' | 'guardrails' | 'retrieval';

/**
 * What AIMeta says of the model that answered; the cost in integer nano-dollars; and, for the log line only,
 * the answering reply's tokens (null when no model ran for it).
 */
export type ModelUse = Pick<ResultMeta, 'provider' | 'model' | 'promptVersion' | 'cached'> & {
  costNanos: number;
  tokens: TokenUsage | null;
};

export const NO_MODEL: ModelUse = {
  provider: null,
  model: null,
  promptVersion: null,
  cached: false,
  costNanos: 0,
  tokens: null,
};

/** What AIMeta says of the model that answered. */
export function modelUseOf(answer: ModelAnswer): ModelUse {
  const { provider, model, promptVersion, cached, costNanos, usage } = answer;
  return { provider, model, promptVersion, cached, costNanos, tokens: usage };
}

/**
 * A tenant's own limit that refused a request, for ai_limit_refusals_total: its spend cap (`budget`: the
 * result's reason is BUDGET_EXCEEDED), its requests or tokens per minute (`rate`: the gateway refused the
 * call), or its concurrent streams (`streams`). Not the operator's per-operation or per-connection bounds
 * (MAX_AI_FIELDS, WS_MAX_STREAMS_PER_CONNECTION): those limit a request's shape, not a tenant.
 */
export type TenantLimit = 'budget' | 'rate' | 'streams';

/**
 * What ai_limit_refusals_total counts besides a tenant's own limits: `overload`, new AI work this replica shed
 * (its event loop lagging past LOAD_SHED_EVENT_LOOP_LAG_MS) or gave up on (its loop ran an attempt out).
 */
export type RefusingLimit = Exclude<TenantLimit, 'budget'> | 'overload';

/** A result with nothing to show and nothing to retry: the request itself cannot be served. */
export function unavailableResult<Full, Degraded>(
  reason: DegradationReason,
  message: string,
): UnmeteredResult<Full, Degraded> {
  return { kind: 'unavailable', reason, message, retryAfterSeconds: null };
}

/** The tenant policy's tier as a metrics label: a bounded set the operator names, `none` when unset. */
export function tierOf(call: FeatureCall): string {
  return call.tenant.policy.tier ?? 'none';
}

export function startClock(): () => number {
  const started = process.hrtime.bigint();
  return () => Math.round(Number(process.hrtime.bigint() - started) / 1e6);
}

/**
 * A feature's result before metering: no latency or request id yet. `rails` is what each guardrail made of
 * the request, for the counter and the log line.
 */
export type UnmeteredResult<Full, Degraded> = (
  | { kind: 'full'; value: Full; model: ModelUse }
  | { kind: 'degraded'; value: Degraded; reason: DegradationReason; model: ModelUse }
  | {
      kind: 'unavailable';
      reason: DegradationReason;
      message: string;
      retryAfterSeconds: number | null;
      /** Model calls made before the request turned out unanswerable: no AIMeta shows them, the ledger does. */
      unreported?: { feature: CostOnlyFeature; costNanos: number };
      /** Set when one of the tenant's rate or stream limits, or this replica's load, refused the request. */
      limit?: RefusingLimit;
    }
) & { rails?: readonly RailOutcome[] };

/**
 * A full result made and paid for earlier (a document's summary kept from its job) served again: a cache hit
 * of the model that made it, costing this request nothing (the job reported, and was charged, its cost).
 */
export function keptResult<Full>({
  value,
  meta,
}: {
  value: Full;
  meta: ResultMeta;
}): UnmeteredResult<Full, never> {
  const { provider, model, promptVersion } = meta;
  return {
    kind: 'full',
    value,
    model: { provider, model, promptVersion, cached: true, costNanos: 0, tokens: null },
  };
}

export async function meterResult<Full, Degraded>(
  deps: FeatureDeps,
  call: FeatureCall,
  feature: FeatureName,
  elapsedMs: () => number,
  unmetered: UnmeteredResult<Full, Degraded>,
): Promise<FeatureResult<Full, Degraded>> {
  const latencyMs = elapsedMs();
  const meta = ({ costNanos, tokens: _tokens, ...model }: ModelUse): ResultMeta => ({
    requestId: call.requestId,
    latencyMs,
    ...model,
    costUsd: usdOfNanos(costNanos),
  });
  let result: FeatureResult<Full, Degraded>;
  switch (unmetered.kind) {
    case 'full':
      result = { kind: 'full', value: unmetered.value, meta: meta(unmetered.model) };
      break;
    case 'degraded':
      result = {
        kind: 'degraded',
        value: unmetered.value,
        reason: unmetered.reason,
        meta: meta(unmetered.model),
      };
      break;
    case 'unavailable': {
      const { reason, message, retryAfterSeconds } = unmetered;
      result = { kind: 'unavailable', reason, message, retryAfterSeconds };
      break;
    }
    default:
      return unreachable(unmetered);
  }
  const reason = result.kind === 'full' ? 'none' : result.reason;
  const model = unmetered.kind === 'unavailable' ? NO_MODEL : unmetered.model;
  deps.metrics.featureDuration.observe({ feature, outcome: result.kind }, latencyMs / 1000);
  deps.metrics.featureRequests.inc({ feature, outcome: result.kind, reason, tier: tierOf(call) });
  if (model.costNanos > 0) deps.metrics.costUsd.inc({ feature }, usdOfNanos(model.costNanos));
  const limit = refusingLimit(unmetered);
  if (limit) deps.metrics.limitRefusals.inc({ limit, tier: tierOf(call) });
  const rails = unmetered.rails ?? [];
  countRails(deps.metrics, rails);
  await recordUsage(deps, call, feature, {
    requests: 1,
    fallback: result.kind !== 'full',
    cacheHit: result.kind !== 'unavailable' && result.meta.cached,
    costNanos: model.costNanos,
  });
  const unreported = unmetered.kind === 'unavailable' ? unmetered.unreported : undefined;
  if (unreported) await recordCost(deps, call, unreported.feature, unreported.costNanos);
  deps.logger.info(
    requestLogFields(call, feature, {
      outcome: result.kind,
      reason,
      latencyMs,
      model,
      costNanos: model.costNanos + (unreported?.costNanos ?? 0),
      rails,
    }),
    'feature served',
  );
  return result;
}

function refusingLimit(unmetered: UnmeteredResult<unknown, unknown>): TenantLimit | 'overload' | null {
  if (unmetered.kind === 'unavailable' && unmetered.limit) return unmetered.limit;
  return unmetered.kind !== 'full' && unmetered.reason === 'BUDGET_EXCEEDED' ? 'budget' : null;
}

/**
 * A stream the client left before its result: counted as a request of its feature (with no fallback, since
 * nothing failed). What the provider had streamed by then (`receivedNanos`, priced by the gateway from the
 * provider's usage or an estimate of the text received) has no result to report it, so the ledger keeps it
 * under `abandoned-stream`. The rails that ran before the client left (input, guard, retrieval, the replies
 * checked so far) are counted as any request's.
 */
export async function meterAbandoned(
  deps: FeatureDeps,
  call: FeatureCall,
  feature: FeatureName,
  elapsedMs: () => number,
  { receivedNanos, rails }: { receivedNanos: number; rails: readonly RailOutcome[] },
): Promise<void> {
  const latencyMs = elapsedMs();
  deps.metrics.featureDuration.observe({ feature, outcome: 'abandoned' }, latencyMs / 1000);
  deps.metrics.featureRequests.inc({ feature, outcome: 'abandoned', reason: 'none', tier: tierOf(call) });
  countRails(deps.metrics, rails);
  await recordUsage(deps, call, feature, { requests: 1, fallback: false, cacheHit: false, costNanos: 0 });
  await recordCost(deps, call, 'abandoned-stream', receivedNanos);
  deps.logger.info(
    requestLogFields(call, feature, {
      outcome: 'abandoned',
      reason: 'none',
      latencyMs,
      model: NO_MODEL,
      costNanos: receivedNanos,
      rails,
    }),
    'stream abandoned by the client',
  );
}

/**
 * A stream that failed on our side (its gateway stream or finish threw, or its preparation did): its client got
 * an error, not a result, yet it was a request, and what it had paid for (`costNanos`: its preparation, what its
 * walk paid for and served to nobody, an outcome that never became a result) was settled against the tenant's
 * spend caps. Counted as a request of its feature (outcome `failed`, a fallback: it was not served); the cost
 * kept in the ledger under `failed-stream`, as an abandoned stream's is under `abandoned-stream`, so that the
 * feature's cost stays the sum of what its results reported; and logged as the request's one line.
 */
export async function meterFailed(
  deps: FeatureDeps,
  call: FeatureCall,
  feature: FeatureName,
  elapsedMs: () => number,
  { costNanos, rails }: { costNanos: number; rails: readonly RailOutcome[] },
): Promise<void> {
  const latencyMs = elapsedMs();
  deps.metrics.featureDuration.observe({ feature, outcome: 'failed' }, latencyMs / 1000);
  deps.metrics.featureRequests.inc({ feature, outcome: 'failed', reason: 'none', tier: tierOf(call) });
  countRails(deps.metrics, rails);
  await recordUsage(deps, call, feature, { requests: 1, fallback: true, cacheHit: false, costNanos: 0 });
  await recordCost(deps, call, 'failed-stream', costNanos);
  deps.logger.info(
    requestLogFields(call, feature, {
      outcome: 'failed',
      reason: 'none',
      latencyMs,
      model: NO_MODEL,
      costNanos,
      rails,
    }),
    'stream failed',
  );
}

/** A feature request, or work done outside one (the embedding sweep): whose ledger, and which request. */
type LedgerCall = FeatureCall | { tenantId: string; requestId: string };

/**
 * A cost with no feature result to carry it, in the tenant's ledger under its own name and in the cost
 * metric; not a request. Nothing is written for a zero cost.
 */
export async function recordCost(
  deps: Pick<FeatureDeps, 'usage' | 'metrics' | 'logger'>,
  call: LedgerCall,
  feature: CostOnlyFeature,
  costNanos: number,
): Promise<void> {
  if (costNanos <= 0) return;
  deps.metrics.costUsd.inc({ feature }, usdOfNanos(costNanos));
  await recordUsage(deps, call, feature, { requests: 0, fallback: false, cacheHit: false, costNanos });
}

/**
 * One event in the tenant's usage ledger; a ledger outage is logged and counted
 * (ai_usage_ledger_writes_unconfirmed_total), never turned into a failed answer. A write the ledger would hold
 * the request for (Redis slow or hung: UsageWriteOutstanding) goes on without it, and is logged and counted
 * when it then fails or times out.
 */
async function recordUsage(
  deps: Pick<FeatureDeps, 'usage' | 'logger' | 'metrics'>,
  call: LedgerCall,
  feature: FeatureName | CostOnlyFeature,
  counts: { requests: 0 | 1; fallback: boolean; cacheHit: boolean; costNanos: number },
): Promise<void> {
  const tenantId = 'tenant' in call ? call.tenant.tenantId : call.tenantId;
  const lost = (error: unknown) => {
    const reason = unconfirmedReasonOf(error);
    deps.metrics.usageLedgerWritesUnconfirmed.inc({ feature, reason });
    deps.logger.error(
      { err: error, requestId: call.requestId, feature, costNanos: counts.costNanos, reason },
      reason === 'failed'
        ? 'usage ledger write failed; the event is lost'
        : 'usage ledger write timed out; the event is lost unless Redis applies it later',
    );
  };
  try {
    await deps.usage.record({ tenantId, feature, ...counts, at: new Date() });
  } catch (error) {
    if (error instanceof UsageWriteOutstanding) error.write.catch(lost);
    else lost(error);
  }
}
