// Where AI features start (the query features behind the operation budget, and each stream), the load shed
// gate: when this replica's event loop lags past LOAD_SHED_EVENT_LOOP_LAG_MS, new work answers AIUnavailable
// RATE_LIMITED with retryAfterSeconds before any database or model call. Cache hits are not served either:
// finding one needs the feature's preparation first (a document load, retrieval for ask), which is the work
// being shed. A refusal counts in ai_feature_requests_total and ai_limit_refusals_total{limit="overload"}, and
// skips the usage ledger's write and the per-request log line, which under overload would only add to it.
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import type { Unavailable } from './feature-result';
import { tierOf } from './meter-result';
import type { FeatureName } from './meter-result';

export function shedRefusal(
  deps: Pick<FeatureDeps, 'loadShed' | 'metrics'>,
  call: FeatureCall,
  feature: FeatureName,
): Unavailable | null {
  const shed = deps.loadShed.check();
  if (!shed) return null;
  const tier = tierOf(call);
  deps.metrics.limitRefusals.inc({ limit: 'overload', tier });
  deps.metrics.featureRequests.inc({ feature, outcome: 'unavailable', reason: 'RATE_LIMITED', tier });
  return {
    kind: 'unavailable',
    reason: 'RATE_LIMITED',
    message: shed.message,
    retryAfterSeconds: shed.retryAfterSeconds,
  };
}
