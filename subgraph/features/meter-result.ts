// The last stage of every feature: a result as the feature built it (unmetered) is measured (latency,
// AIMeta) and counted in metrics, the usage ledger and the log. A ledger outage is logged, never turned
// into a failed answer. Costs travel as integer nano-dollars and become AIMeta's costUsd here, once, so the
// ledger's sum for a feature is exactly the sum of the costUsd its results reported.
import { countRails, railsForLog } from '../guardrails/rail-outcome';
import type { RailOutcome } from '../guardrails/rail-outcome';
import type { DegradationReason, FeatureResult, ResultMeta } from './feature-result';
import type { ModelAnswer } from '../gateway/gateway-call';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import { unreachable } from '../errors/unreachable';
import { usdOfNanos } from '../gateway/pricing';

export type FeatureName = 'summarize' | 'search' | 'ask';

/**
 * Ledger names for costs no feature result carries (see README, "Usage and cost"): an ingest's embeddings,
 * the sweep's re-embeds, what an abandoned stream received, and model calls made for a request that ended
 * unanswered (the guard call on a blocked question, a question's embedding with nothing relevant found).
 */
export type CostOnlyFeature = 'ingest' | 'embedding-sweep' | 'abandoned-stream' | 'guardrails' | 'retrieval';

/** What AIMeta says of the model that answered; the cost in integer nano-dollars. */
export type ModelUse = Pick<ResultMeta, 'provider' | 'model' | 'promptVersion' | 'cached'> & {
  costNanos: number;
};

export const NO_MODEL: ModelUse = {
  provider: null,
  model: null,
  promptVersion: null,
  cached: false,
  costNanos: 0,
};

/** What AIMeta says of the model that answered. */
export function modelUseOf({ provider, model, promptVersion, cached, costNanos }: ModelAnswer): ModelUse {
  return { provider, model, promptVersion, cached, costNanos };
}

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
    }
) & { rails?: readonly RailOutcome[] };

export async function meterResult<Full, Degraded>(
  deps: FeatureDeps,
  call: FeatureCall,
  feature: FeatureName,
  elapsedMs: () => number,
  unmetered: UnmeteredResult<Full, Degraded>,
): Promise<FeatureResult<Full, Degraded>> {
  const latencyMs = elapsedMs();
  const meta = ({ costNanos, ...model }: ModelUse): ResultMeta => ({
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
  const costNanos = unmetered.kind === 'unavailable' ? 0 : unmetered.model.costNanos;
  const costUsd = usdOfNanos(costNanos);
  deps.metrics.featureDuration.observe({ feature, outcome: result.kind }, latencyMs / 1000);
  deps.metrics.featureRequests.inc({ feature, outcome: result.kind, reason, tier: tierOf(call) });
  if (costNanos > 0) deps.metrics.costUsd.inc({ feature }, costUsd);
  const rails = unmetered.rails ?? [];
  countRails(deps.metrics, rails);
  await recordUsage(deps, call, feature, {
    requests: 1,
    fallback: result.kind !== 'full',
    cacheHit: result.kind !== 'unavailable' && result.meta.cached,
    costNanos,
  });
  if (unmetered.kind === 'unavailable' && unmetered.unreported)
    await recordCost(deps, call, unmetered.unreported.feature, unmetered.unreported.costNanos);
  deps.logger.info(
    {
      requestId: call.requestId,
      tenant: call.tenant.tenantId,
      feature,
      outcome: result.kind,
      reason,
      latencyMs,
      costUsd,
      ...(rails.length > 0 ? { rails: railsForLog(rails) } : {}),
    },
    'feature served',
  );
  return result;
}

/**
 * A stream the client left before its result: counted as a request of its feature (with no fallback, since
 * nothing failed). What the provider had streamed by then (`receivedNanos`, priced by the gateway from the
 * provider's usage or an estimate of the text received) has no result to report it, so the ledger keeps it
 * under `abandoned-stream`.
 */
export async function meterAbandoned(
  deps: FeatureDeps,
  call: FeatureCall,
  feature: FeatureName,
  elapsedMs: () => number,
  receivedNanos = 0,
): Promise<void> {
  const latencyMs = elapsedMs();
  deps.metrics.featureDuration.observe({ feature, outcome: 'abandoned' }, latencyMs / 1000);
  deps.metrics.featureRequests.inc({ feature, outcome: 'abandoned', reason: 'none', tier: tierOf(call) });
  await recordUsage(deps, call, feature, { requests: 1, fallback: false, cacheHit: false, costNanos: 0 });
  await recordCost(deps, call, 'abandoned-stream', receivedNanos);
  deps.logger.info(
    {
      requestId: call.requestId,
      tenant: call.tenant.tenantId,
      feature,
      outcome: 'abandoned',
      latencyMs,
      costUsd: usdOfNanos(receivedNanos),
    },
    'stream abandoned by the client',
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

/** One event in the tenant's usage ledger; a ledger outage is logged, never turned into a failed answer. */
async function recordUsage(
  deps: Pick<FeatureDeps, 'usage' | 'logger'>,
  call: LedgerCall,
  feature: FeatureName | CostOnlyFeature,
  counts: { requests: 0 | 1; fallback: boolean; cacheHit: boolean; costNanos: number },
): Promise<void> {
  const tenantId = 'tenant' in call ? call.tenant.tenantId : call.tenantId;
  try {
    await deps.usage.record({ tenantId, feature, ...counts, at: new Date() });
  } catch (error) {
    deps.logger.error({ err: error, requestId: call.requestId, feature }, 'usage ledger write failed');
  }
}
