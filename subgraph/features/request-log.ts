// The one log line of a feature request ('feature served', 'stream abandoned by the client', or 'stream failed'
// for a stream that failed on our side, its client given an error): what an operator needs to follow one
// request, and to add figures up per tenant, which metrics never label. Ids, names and numbers only, never the
// tenant's text: the question, the document and the answer stay out, and the logger's redaction
// (observability/logger.ts) still meets every value.
import { usdOfNanos } from '../gateway/pricing';
import { railsForLog } from '../guardrails/rail-outcome';
import type { RailOutcome } from '../guardrails/rail-outcome';
import { activeTraceId, currentRequestRecord, stageTimings } from '../observability/request-record';
import type { FeatureCall } from './feature-call';
import type { DegradationReason } from './feature-result';
import type { FeatureName, ModelUse } from './meter-result';

/** A result's kind; `abandoned`: a stream its client left; `failed`: a stream that failed on our side. */
export type LoggedOutcome = 'full' | 'degraded' | 'unavailable' | 'abandoned' | 'failed';

export interface RequestLogFields {
  requestId: string;
  /** The W3C trace id of the request's trace; null when it ran outside one. */
  traceId: string | null;
  tenant: string;
  feature: FeatureName;
  outcome: LoggedOutcome;
  reason: DegradationReason | 'none';
  latencyMs: number;
  /** Milliseconds per stage of the path (retrieval.lexical, model.answer, ...), each as the stage metric sees it. */
  stagesMs: Record<string, number>;
  /** The model that answered (the embedding model for search); null when none did. */
  provider: string | null;
  model: string | null;
  promptVersion: string | null;
  cached: boolean;
  /** The answering reply's tokens as the provider reported them; null when no model ran for the result. */
  tokens: { input: number; output: number } | null;
  /** Everything the request cost: its result's cost, or what was spent before it ended unanswered or left. */
  costUsd: number;
  rails?: Record<string, string>;
}

export interface ServedRequest {
  outcome: LoggedOutcome;
  reason: DegradationReason | 'none';
  latencyMs: number;
  model: ModelUse;
  costNanos: number;
  rails: readonly RailOutcome[];
}

export function requestLogFields(
  call: FeatureCall,
  feature: FeatureName,
  { outcome, reason, latencyMs, model, costNanos, rails }: ServedRequest,
): RequestLogFields {
  const record = currentRequestRecord();
  return {
    requestId: call.requestId,
    traceId: activeTraceId() ?? record?.traceId ?? null,
    tenant: call.tenant.tenantId,
    feature,
    outcome,
    reason,
    latencyMs,
    stagesMs: stageTimings(record),
    provider: model.provider,
    model: model.model,
    promptVersion: model.promptVersion,
    cached: model.cached,
    tokens: model.tokens ? { input: model.tokens.inputTokens, output: model.tokens.outputTokens } : null,
    costUsd: usdOfNanos(costNanos),
    ...(rails.length > 0 ? { rails: railsForLog(rails) } : {}),
  };
}
