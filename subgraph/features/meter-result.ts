// The last stage of every feature: a result as the feature built it (unmetered) is measured (latency,
// AIMeta) and counted in metrics, the usage ledger and the log. A ledger outage is logged, never turned
// into a failed answer.
import { countRails, railsForLog } from '../guardrails/rail-outcome';
import type { RailOutcome } from '../guardrails/rail-outcome';
import type { DegradationReason, FeatureResult, ResultMeta } from './feature-result';
import type { ModelAnswer } from '../gateway/gateway-call';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import { unreachable } from '../errors/unreachable';

export type FeatureName = 'summarize' | 'search' | 'ask';

export type ModelUse = Pick<ResultMeta, 'provider' | 'model' | 'promptVersion' | 'cached' | 'costUsd'>;

export const NO_MODEL: ModelUse = {
  provider: null,
  model: null,
  promptVersion: null,
  cached: false,
  costUsd: 0,
};

/** What AIMeta says of the model that answered. */
export function modelUseOf({ provider, model, promptVersion, cached, costUsd }: ModelAnswer): ModelUse {
  return { provider, model, promptVersion, cached, costUsd };
}

/** A result with nothing to show and nothing to retry: the request itself cannot be served. */
export function unavailableResult<Full, Degraded>(
  reason: DegradationReason,
  message: string,
): UnmeteredResult<Full, Degraded> {
  return { kind: 'unavailable', reason, message, retryAfterSeconds: null };
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
  | { kind: 'unavailable'; reason: DegradationReason; message: string; retryAfterSeconds: number | null }
) & { rails?: readonly RailOutcome[] };

export async function meterResult<Full, Degraded>(
  deps: FeatureDeps,
  call: FeatureCall,
  feature: FeatureName,
  elapsedMs: () => number,
  unmetered: UnmeteredResult<Full, Degraded>,
): Promise<FeatureResult<Full, Degraded>> {
  const latencyMs = elapsedMs();
  const meta = (model: ModelUse): ResultMeta => ({ requestId: call.requestId, latencyMs, ...model });
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
  const costUsd = result.kind === 'unavailable' ? 0 : result.meta.costUsd;
  deps.metrics.featureDuration.observe({ feature, outcome: result.kind }, latencyMs / 1000);
  deps.metrics.featureRequests.inc({ feature, outcome: result.kind, reason });
  if (costUsd > 0) deps.metrics.costUsd.inc({ feature }, costUsd);
  const rails = unmetered.rails ?? [];
  countRails(deps.metrics, rails);
  await recordUsage(deps, call, feature, {
    fallback: result.kind !== 'full',
    cacheHit: result.kind !== 'unavailable' && result.meta.cached,
    costUsd,
  });
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
 * A stream the client left before its result: counted as a request (the provider may have been called), with
 * no cost known (providers report usage only at the end) and no fallback, since nothing failed.
 */
export async function meterAbandoned(
  deps: FeatureDeps,
  call: FeatureCall,
  feature: FeatureName,
  elapsedMs: () => number,
): Promise<void> {
  const latencyMs = elapsedMs();
  deps.metrics.featureDuration.observe({ feature, outcome: 'abandoned' }, latencyMs / 1000);
  deps.metrics.featureRequests.inc({ feature, outcome: 'abandoned', reason: 'none' });
  await recordUsage(deps, call, feature, { fallback: false, cacheHit: false, costUsd: 0 });
  deps.logger.info(
    { requestId: call.requestId, tenant: call.tenant.tenantId, feature, outcome: 'abandoned', latencyMs },
    'stream abandoned by the client',
  );
}

/** One request in the tenant's usage ledger; a ledger outage is logged, never turned into a failed answer. */
async function recordUsage(
  deps: FeatureDeps,
  call: FeatureCall,
  feature: FeatureName,
  counts: { fallback: boolean; cacheHit: boolean; costUsd: number },
): Promise<void> {
  try {
    await deps.usage.record({ tenantId: call.tenant.tenantId, feature, ...counts, at: new Date() });
  } catch (error) {
    deps.logger.error({ err: error, requestId: call.requestId, feature }, 'usage ledger write failed');
  }
}
