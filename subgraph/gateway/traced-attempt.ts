// A model attempt observed: one CLIENT span per attempt at a target, named as OpenTelemetry's GenAI
// conventions name it (`chat gpt-4.1-mini`, `embeddings text-embedding-3-small`), with the provider, the
// model asked for and the one that answered, the tokens the provider reported, the time to the first chunk
// and, on failure, the failure kind as error.type; and the same tokens and time to first token as Prometheus
// histograms. Never the prompt or the reply: a span holds names and numbers only. Wraps any TargetAttempt, so
// completions, streams and embeddings are observed alike without the chain walker knowing. A chat's time to
// its first chunk is also the sample its target's latency window keeps for hedging (latency-window.ts). An
// attempt the walk dropped (a hedge that lost its race) ends as cancelled (`ai.attempt.cancelled`), not as an
// error.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from '@opentelemetry/semantic-conventions/incubating';
import { ProviderError } from '../errors/provider-error';
import type { Metrics } from '../observability/metrics';
import { AI_ATTRIBUTES, tracer } from '../observability/tracing/tracer';
import type { ChainStep, TargetAttempt } from './chain-walker';
import type { TokenUsage } from './providers/model-provider';

export interface AttemptTelemetry {
  /** gen_ai.operation.name: `chat` for completions and streams, `embeddings`. */
  operation: 'chat' | 'embeddings';
  metrics: Metrics;
  /** The caller's signal: an attempt it aborted was abandoned, not failed. */
  signal?: AbortSignal;
  /** Steps that call no provider (the query cache holds the vectors): no span, nothing measured. */
  callsNoProvider?(step: ChainStep): boolean;
}

const seconds = (startedMs: number) => (performance.now() - startedMs) / 1000;

export function tracedAttempt<Reply extends { usage: TokenUsage }>(
  attempt: TargetAttempt<Reply>,
  telemetry: AttemptTelemetry,
): TargetAttempt<Reply> {
  const { operation, metrics } = telemetry;
  return async function* (step, repair, drop) {
    if (telemetry.callsNoProvider?.(step)) return yield* attempt(step, repair, drop);
    const { provider, model } = step.target;
    const span = tracer.startSpan(`${operation} ${model}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_GEN_AI_OPERATION_NAME]: operation,
        [ATTR_GEN_AI_PROVIDER_NAME]: provider,
        [ATTR_GEN_AI_REQUEST_MODEL]: model,
        ...(repair === undefined ? {} : { [AI_ATTRIBUTES.attemptRepair]: true }),
      },
    });
    const started = performance.now();
    let firstChunkSeen = false;
    // A chat's first chunk (its whole reply, unstreamed): embeddings have no such moment.
    const firstChunk = () => {
      if (firstChunkSeen || operation !== 'chat') return;
      firstChunkSeen = true;
      const elapsed = seconds(started);
      span.setAttribute(AI_ATTRIBUTES.timeToFirstChunk, elapsed);
      metrics.timeToFirstToken.observe({ provider, model }, elapsed);
      step.latency.record(elapsed * 1000);
    };
    const run = attempt(step, repair, drop);
    let settled = false;
    try {
      let next = await run.next();
      while (!next.done) {
        firstChunk();
        yield next.value;
        next = await run.next();
      }
      settled = true;
      firstChunk();
      recordUsage(span, metrics, step, next.value.usage, operation);
      return next.value;
    } catch (error) {
      settled = true;
      recordFailure(span, error, telemetry.signal, drop);
      throw error;
    } finally {
      // Its consumer left mid-stream: close the provider's stream (a no-op for a finished attempt).
      if (!settled) span.setAttribute(AI_ATTRIBUTES.attemptAbandoned, true);
      await run.return(undefined as never);
      span.end();
    }
  };
}

/** The provider's reported usage; a count of 0 is one it did not report (a stream cut before its usage). */
function recordUsage(
  span: Span,
  metrics: Metrics,
  { target: { provider, model } }: ChainStep,
  usage: TokenUsage,
  operation: AttemptTelemetry['operation'],
): void {
  if (usage.responseModel) span.setAttribute(ATTR_GEN_AI_RESPONSE_MODEL, usage.responseModel);
  if (usage.inputTokens > 0) {
    span.setAttribute(ATTR_GEN_AI_USAGE_INPUT_TOKENS, usage.inputTokens);
    metrics.modelTokens.observe({ provider, model, type: 'input' }, usage.inputTokens);
  }
  if (operation === 'chat' && usage.outputTokens > 0) {
    span.setAttribute(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, usage.outputTokens);
    metrics.modelTokens.observe({ provider, model, type: 'output' }, usage.outputTokens);
  }
}

function recordFailure(
  span: Span,
  error: unknown,
  callerSignal: AbortSignal | undefined,
  drop: AbortSignal | undefined,
): void {
  if (callerSignal?.aborted) {
    span.setAttribute(AI_ATTRIBUTES.attemptAbandoned, true);
    return;
  }
  if (drop?.aborted) {
    span.setAttribute(AI_ATTRIBUTES.attemptCancelled, true);
    return;
  }
  const type = ProviderError.isInstance(error) ? error.kind : error instanceof Error ? error.name : '_OTHER';
  span.setAttribute(ATTR_ERROR_TYPE, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}
