// A model-backed feature (ask, summarize) as one pipeline: prepare (input -> the gateway call, or a result
// needing no model), the model through the gateway, finish (the model's outcome -> the feature's result,
// its floor when the model failed). runPipeline drives it for a query; streamPipeline for a subscription.
// The next layers (guardrails, rate limits, spend reservation) hook into these two drivers once, for every
// feature.
import type { CompletionOutcome, CompletionTask, GatewayCall } from '../gateway/gateway-call';
import { spendCapsOf } from '../gateway/spend-budget';
import { stage } from '../observability/stage';
import type { z } from 'zod';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import type { FeatureResult } from './feature-result';
import { meterAbandoned, meterResult, startClock } from './meter-result';
import type { FeatureName, UnmeteredResult } from './meter-result';
import type { RailOutcome } from '../guardrails/rail-outcome';
import { drawSample } from '../observability/quality/quality-sampler';
import { pipelineSample } from './sampling/sample-of';
import type { SampleSpec } from './sampling/sample-of';

export type Prepared<Source, Full, Degraded> =
  | { kind: 'model'; source: Source; gatewayCall: GatewayCall }
  /** Nothing for a model to do (no such document, nothing relevant): the result is known already. */
  | { kind: 'known'; result: UnmeteredResult<Full, Degraded> };

export interface ModelPipeline<Input, Source, Full, Degraded> {
  feature: FeatureName;
  /** Checked by the drivers before prepare: bad input is BAD_USER_INPUT naming the field, and costs nothing. */
  inputSchema: z.ZodType<Input>;
  /** What a quality sample of the feature records and grades (see sampling/). */
  sample: SampleSpec<Input, Source, Full, Degraded>;
  prepare(call: FeatureCall, input: Input): Promise<Prepared<Source, Full, Degraded>>;
  finish(source: Source, outcome: CompletionOutcome): Promise<UnmeteredResult<Full, Degraded>>;
  /**
   * What the rails made of the request before finish (the input, guard and retrieval rails, the replies
   * checked so far): counted when it ends without finish, refused by a rate limit or left by its client.
   */
  railsBefore(source: Source): RailOutcome[];
  /**
   * The rails prepare decides on the input alone, before it asks a model or a store anything (ask's topics and
   * input rails). Pure: when the caller leaves while prepare waits (the question's embedding, retrieval),
   * prepare rejects with its own outcomes lost, and the driver counts these in their place.
   */
  inputRails?(call: FeatureCall, input: Input): readonly RailOutcome[];
  /**
   * What preparing the model call cost, in nano-dollars (the question's embedding, the guard model's verdict):
   * finish makes it part of the result's cost; a request that ends without finish (refused, or left by its
   * caller) has it recorded with the rest of what it paid for.
   */
  costBefore?(source: Source): number;
}

/**
 * The part of a gateway call that is the same for every feature: who asks (the tenant and its provider
 * policy), which request, which task and prompt, and the deadline. Taken at the start of prepare, so the
 * budget covers retrieval too: it bounds what the caller waits, not just the model call.
 */
export function modelCallFor(
  deps: FeatureDeps,
  call: FeatureCall,
  task: CompletionTask,
): Pick<
  GatewayCall,
  | 'task'
  | 'tenantId'
  | 'requestId'
  | 'promptName'
  | 'deadline'
  | 'allowedProviders'
  | 'redactPii'
  | 'spendCaps'
  | 'signal'
> {
  return {
    task,
    tenantId: call.tenant.tenantId,
    requestId: call.requestId,
    promptName: task,
    deadline: call.deadline ?? deps.gateway.deadlineFor(task),
    allowedProviders: call.tenant.policy.allowedProviders,
    redactPii: call.tenant.policy.guardrails.redactBeforeProvider,
    // Every model call of the request reserves against the caps, the guard model's verdict included.
    spendCaps: spendCapsOf(call.tenant.policy.limits),
    ...(call.signal ? { signal: call.signal } : {}),
  };
}

/** Drives a pipeline for a query, on input its inputSchema has already checked (see budgeted-feature.ts). */
export async function runPipeline<Input, Source, Full, Degraded>(
  deps: FeatureDeps,
  pipeline: ModelPipeline<Input, Source, Full, Degraded>,
  call: FeatureCall,
  input: Input,
): Promise<FeatureResult<Full, Degraded>> {
  const elapsed = startClock();
  let prepared: Prepared<Source, Full, Degraded>;
  try {
    prepared = await pipeline.prepare(call, input);
  } catch (error) {
    // Cancelled while it prepared (a job's question embedded for retrieval): left as during the model call.
    if (call.signal?.aborted) await meterLeftInPrepare(deps, pipeline, call, input, elapsed);
    throw error;
  }
  if (prepared.kind === 'known') {
    const known = await meterResult(deps, call, pipeline.feature, elapsed, prepared.result);
    offerSample(deps, pipeline, call, input, known, prepared, null);
    return known;
  }
  // What the walk of a call its caller left had paid for (replies the output rails refused): no outcome carries it.
  let abandonedNanos = 0;
  const gatewayCall: GatewayCall = {
    ...limitedCall(call, prepared.gatewayCall),
    onAbandoned: (nanos) => {
      abandonedNanos += nanos;
    },
  };
  let outcome: CompletionOutcome;
  try {
    outcome = await stage(deps.metrics, `model.${gatewayCall.task}`, () =>
      deps.gateway.complete(gatewayCall),
    );
  } catch (error) {
    // The call's own signal aborted (a cancelled job): nobody wants a result, counted as a stream left is.
    if (call.signal?.aborted) {
      const rails = pipeline.railsBefore(prepared.source);
      const receivedNanos = (pipeline.costBefore?.(prepared.source) ?? 0) + abandonedNanos;
      await meterAbandoned(deps, call, pipeline.feature, elapsed, { receivedNanos, rails });
    }
    throw error;
  }
  const unmetered =
    refusedResult<Source, Full, Degraded>(outcome, pipeline, prepared.source) ??
    (await pipeline.finish(prepared.source, outcome));
  const result = await meterResult(deps, call, pipeline.feature, elapsed, unmetered);
  offerSample(deps, pipeline, call, input, result, prepared, outcome);
  return result;
}

/**
 * A request its caller left while it prepared, metered as abandoned: what prepare had paid for it recorded
 * itself (ask.ts), and of its rails only those decided on the input alone are known.
 */
export function meterLeftInPrepare<Input, Source, Full, Degraded>(
  deps: FeatureDeps,
  pipeline: ModelPipeline<Input, Source, Full, Degraded>,
  call: FeatureCall,
  input: Input,
  elapsed: () => number,
): Promise<void> {
  const rails = pipeline.inputRails?.(call, input) ?? [];
  return meterAbandoned(deps, call, pipeline.feature, elapsed, { receivedNanos: 0, rails });
}

/**
 * Hands a served request to quality sampling when it is drawn at its tenant's rate; graded and kept in the
 * background, never waited for. A request not drawn costs the one random draw.
 */
export function offerSample<Input, Source, Full, Degraded>(
  deps: FeatureDeps,
  pipeline: ModelPipeline<Input, Source, Full, Degraded>,
  call: FeatureCall,
  input: Input,
  result: FeatureResult<Full, Degraded>,
  prepared: Prepared<Source, Full, Degraded>,
  /** The gateway's outcome; null where no model was called (a known result). */
  outcome: CompletionOutcome | null,
): void {
  if (!drawSample(call.tenant.policy.sampling.rate)) return;
  const leg = prepared.kind === 'model' && outcome ? { source: prepared.source, outcome } : null;
  deps.quality.submit(pipelineSample(pipeline.feature, pipeline.sample, call, input, result, leg));
}

/**
 * The feature's model call under its tenant's rate limits: set here, by the drivers, so that each feature
 * request counts once (the guard model's call within an ask is part of the same request, and carries none).
 */
export function limitedCall(call: FeatureCall, gatewayCall: GatewayCall): GatewayCall {
  const { requestsPerMinute, tokensPerMinute } = call.tenant.policy.limits;
  return { ...gatewayCall, limits: { requestsPerMinute, tokensPerMinute } };
}

/**
 * A call the gateway refused (the tenant's rate limit, this replica's overload) is AIUnavailable with its
 * words, not the feature's floor. What the request had paid for by then (its preparation, and replies the
 * output rails refused before this replica's overload ended the walk) no AIMeta shows: the ledger keeps it
 * under `guardrails`, as for a question a rail refused.
 */
export function refusedResult<Source, Full, Degraded>(
  outcome: CompletionOutcome,
  pipeline: Pick<ModelPipeline<unknown, Source, Full, Degraded>, 'railsBefore' | 'costBefore'>,
  source: Source,
): UnmeteredResult<Full, Degraded> | null {
  if (outcome.kind !== 'failed' || outcome.refusal === undefined) return null;
  const { reason, refusal, retryAfterSeconds, refusedBy } = outcome;
  const paidNanos = (pipeline.costBefore?.(source) ?? 0) + (outcome.costNanos ?? 0);
  return {
    kind: 'unavailable',
    reason,
    message: refusal,
    retryAfterSeconds,
    limit: refusedBy ?? 'rate',
    ...(paidNanos > 0 ? { unreported: { feature: 'guardrails' as const, costNanos: paidNanos } } : {}),
    rails: pipeline.railsBefore(source),
  };
}
