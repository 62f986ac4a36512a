// One span per AI feature call (`ai.ask`, `ai.summarize`, `ai.search`, and `ai.askStream`,
// `ai.summarizeStream` for subscriptions), child of the caller's trace: the tenant, the feature, and once the
// result is known its outcome, reason and prompt version. Retrieval, model and rail spans nest under it. A
// stream's steps are bound to its span's context (see bind-context.ts), so they nest there too.
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { carryRecord } from '../observability/request-record';
import { bindAsyncGenerator } from '../observability/tracing/bind-context';
import { AI_ATTRIBUTES, tracer } from '../observability/tracing/tracer';
import type { FeatureCall } from './feature-call';
import type { FeatureResult } from './feature-result';
import type { FeatureName } from './meter-result';
import type { StreamEvent } from './stream-pipeline';

type AnyResult = FeatureResult<unknown, unknown>;

const callAttributes = (feature: FeatureName, call: FeatureCall): Attributes => ({
  [AI_ATTRIBUTES.feature]: feature,
  [AI_ATTRIBUTES.tenantId]: call.tenant.tenantId,
  [AI_ATTRIBUTES.requestId]: call.requestId,
});

function describeResult(span: Span, result: AnyResult): void {
  span.setAttribute(AI_ATTRIBUTES.outcome, result.kind);
  if (result.kind !== 'full') span.setAttribute(AI_ATTRIBUTES.reason, result.reason);
  if (result.kind === 'unavailable') return;
  span.setAttribute(AI_ATTRIBUTES.cached, result.meta.cached);
  if (result.meta.promptVersion !== null)
    span.setAttribute(AI_ATTRIBUTES.promptVersion, result.meta.promptVersion);
}

/** A thrown error is a bug or bad input (provider failures are results): its class only, never its message. */
function describeFailure(span: Span, error: unknown): void {
  const type = error instanceof Error ? error.name : 'Error';
  span.setAttribute(ATTR_ERROR_TYPE, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

export function tracedFeature<Input, Result extends AnyResult>(
  feature: FeatureName,
  run: (call: FeatureCall, input: Input) => Promise<Result>,
): (call: FeatureCall, input: Input) => Promise<Result> {
  return (call, input) =>
    tracer.startActiveSpan(
      `ai.${feature}`,
      { attributes: callAttributes(feature, call) },
      carryRecord(call.traceContext ?? context.active()),
      async (span) => {
        try {
          const result = await run(call, input);
          describeResult(span, result);
          return result;
        } catch (error) {
          describeFailure(span, error);
          throw error;
        } finally {
          span.end();
        }
      },
    );
}

/** The stream's span ends with its completed event, its failure, or the client leaving (outcome `abandoned`). */
export async function* tracedStream<Result extends AnyResult>(
  field: 'askStream' | 'summarizeStream',
  feature: FeatureName,
  call: FeatureCall,
  stream: AsyncGenerator<StreamEvent<Result>, void, undefined>,
): AsyncGenerator<StreamEvent<Result>, void, undefined> {
  const parent = carryRecord(call.traceContext ?? context.active());
  const span = tracer.startSpan(`ai.${field}`, { attributes: callAttributes(feature, call) }, parent);
  let ended = false;
  try {
    for await (const event of bindAsyncGenerator(trace.setSpan(parent, span), stream)) {
      if (event.kind === 'completed') {
        describeResult(span, event.result);
        ended = true;
      }
      yield event;
    }
  } catch (error) {
    describeFailure(span, error);
    ended = true;
    throw error;
  } finally {
    if (!ended) span.setAttribute(AI_ATTRIBUTES.outcome, 'abandoned');
    span.end();
  }
}
