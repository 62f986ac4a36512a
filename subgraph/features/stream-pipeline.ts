// The streaming form of any model pipeline: deltas as the model writes, a notice whenever the path changes
// (a provider failed and a fallback took over; with restart the client drops the text so far), and the
// final result, the same union member the query would have returned. The caller's signal reaches the
// provider call, so an unsubscribe aborts it at once; a stream left before its result is metered as
// abandoned, not as a failure, and one that fails on our side (an error to its client) is metered as failed,
// never as left: either way once, with everything it had paid for (meter-result.ts).
// A stream opened while this replica sheds load (shed-gate.ts), or one over its connection's or its tenant's
// limit of open streams, opens no provider call: its one event is the completed AIUnavailable RATE_LIMITED.
// An admitted stream counts in ai_open_subscriptions until it ends, however it ends (completed, failed,
// unsubscribed, socket closed: each runs the generator's finally). Every step runs in the request's record
// (request-record.ts), so the stages of a stream reach its log line as a query's do.
import type { GatewayCall, GatewayOutcome } from '../gateway/gateway-call';
import type { DegradationReason } from '../gateway/degradation-reason';
import { unreachable } from '../errors/unreachable';
import { admitStream } from '../limits/stream-admission';
import { shedRefusal } from './shed-gate';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import type { FeatureResult } from './feature-result';
import { parseInput } from './inputs';
import { meterAbandoned, meterFailed, meterResult, startClock } from './meter-result';
import type { UnmeteredResult } from './meter-result';
import type { RailName } from '../guardrails/rail-outcome';
import { limitedCall, meterLeftInPrepare, offerSample, refusedResult } from './model-pipeline';
import type { ModelPipeline, Prepared } from './model-pipeline';
import { newRequestRecord, noteStage, recordedStream } from '../observability/request-record';

/**
 * Why a stream's notice was sent: a fallback's or a rail's reason, or REFORMATTED, a notice's own: the result
 * serves the text the model streamed in another form (its citations renumbered in order, its length capped).
 */
export type NoticeReason = DegradationReason | 'REFORMATTED';

/** The schema's DegradationReason values that only a notice carries: no result is ever degraded for them. */
export const NOTICE_ONLY_REASONS: ReadonlySet<string> = new Set<Exclude<NoticeReason, DegradationReason>>([
  'REFORMATTED',
]);

export type StreamEvent<Result> =
  | { kind: 'delta'; text: string; index: number }
  | { kind: 'notice'; reason: NoticeReason; message: string; restart: boolean }
  | { kind: 'completed'; result: Result };

export function streamPipeline<Input, Source, Full, Degraded>(
  deps: FeatureDeps,
  pipeline: ModelPipeline<Input, Source, Full, Degraded>,
  call: FeatureCall,
  rawInput: unknown,
  signal: AbortSignal,
): AsyncGenerator<StreamEvent<FeatureResult<Full, Degraded>>, void, undefined> {
  return recordedStream(newRequestRecord(), admissionFirst(deps, pipeline, call, rawInput, signal));
}

async function* admissionFirst<Input, Source, Full, Degraded>(
  deps: FeatureDeps,
  pipeline: ModelPipeline<Input, Source, Full, Degraded>,
  call: FeatureCall,
  rawInput: unknown,
  signal: AbortSignal,
): AsyncGenerator<StreamEvent<FeatureResult<Full, Degraded>>, void, undefined> {
  const elapsed = startClock();
  const input = parseInput(pipeline.inputSchema, rawInput);
  const shed = shedRefusal(deps, call, pipeline.feature);
  if (shed) {
    yield { kind: 'completed', result: shed };
    return;
  }
  const admission = await admitStream(deps, call);
  if (!admission.admitted) {
    const refused: UnmeteredResult<Full, Degraded> = {
      kind: 'unavailable',
      reason: 'RATE_LIMITED',
      message: admission.message,
      retryAfterSeconds: null,
      ...(admission.limitOf === 'tenant' ? { limit: 'streams' as const } : {}),
    };
    yield { kind: 'completed', result: await meterResult(deps, call, pipeline.feature, elapsed, refused) };
    return;
  }
  // Released as soon as the client leaves (the provider call is being aborted), so a client that ends one
  // stream and opens the next is not refused in between; the finally covers every other way out.
  const releaseOnAbort = () => void admission.release();
  signal.addEventListener('abort', releaseOnAbort, { once: true });
  const open = { field: `${pipeline.feature}Stream` };
  deps.metrics.openSubscriptions.inc(open);
  try {
    // Left while its admission was decided (the tenant's lease is a Redis round trip): nothing ran, nothing to
    // serve, but a request all the same.
    if (signal.aborted)
      await meterAbandoned(deps, call, pipeline.feature, elapsed, { receivedNanos: 0, rails: [] });
    else yield* admittedStream(deps, pipeline, call, input, signal, elapsed);
  } finally {
    deps.metrics.openSubscriptions.dec(open);
    signal.removeEventListener('abort', releaseOnAbort);
    await admission.release();
  }
}

async function* admittedStream<Input, Source, Full, Degraded>(
  deps: FeatureDeps,
  pipeline: ModelPipeline<Input, Source, Full, Degraded>,
  call: FeatureCall,
  input: Input,
  signal: AbortSignal,
  elapsed: () => number,
): AsyncGenerator<StreamEvent<FeatureResult<Full, Degraded>>, void, undefined> {
  let prepared: Prepared<Source, Full, Degraded>;
  try {
    // The stream's signal bounds its preparation too: a client gone during retrieval aborts the question's
    // embedding and the guard model's call, rather than leaving them to run for an answer nobody reads.
    prepared = await pipeline.prepare({ ...call, signal }, input);
  } catch (error) {
    if (signal.aborted) {
      await meterLeftInPrepare(deps, pipeline, call, input, elapsed);
      return;
    }
    // Failed on our side while it prepared: a request all the same. What prepare had paid for, it recorded itself
    // (ask.ts: the half that finished), so nothing more is recorded here.
    const rails = pipeline.inputRails?.(call, input) ?? [];
    await meterFailed(deps, call, pipeline.feature, elapsed, { costNanos: 0, rails });
    throw error;
  }
  if (prepared.kind === 'known') {
    const known = await meterResult(deps, call, pipeline.feature, elapsed, prepared.result);
    offerSample(deps, pipeline, call, input, known, prepared, null);
    yield { kind: 'completed', result: known };
    return;
  }
  /** Set once the result is handed to meterResult: a stream is metered once, whatever happens after. */
  let metered = false;
  /** Set when the stream fails on our side (the gateway or finish threw): an error to the client, not a leave. */
  let failed = false;
  /**
   * What the walk paid for that no outcome carries: what an attempt it closed had received, the replies it paid
   * for and served to nobody (refused by the output rails, hedges that lost), told when it ends without an
   * outcome (its client left, or it failed) or when its client left just as it ended.
   */
  let receivedNanos = 0;
  const onAbandoned = (nanos: number) => {
    receivedNanos += nanos;
  };
  /** What the walk's outcome cost, once it came: no result reports it when finish (or what follows) throws. */
  let outcomeNanos = 0;
  const railsBefore = () => pipeline.railsBefore(prepared.source);
  const streamed = { text: '' };
  try {
    const outcome = yield* timedRelay<FeatureResult<Full, Degraded>>(
      deps,
      { ...limitedCall(call, prepared.gatewayCall), signal, onAbandoned },
      streamed,
    );
    if (outcome.kind === 'abandoned') return;
    // Left just as the walk ended: no result will report what its outcome cost, so the ledger keeps it here.
    if (signal.aborted) {
      receivedNanos += outcome.costNanos ?? 0;
      return;
    }
    outcomeNanos = outcome.costNanos ?? 0;
    const unmetered =
      refusedResult<Source, Full, Degraded>(outcome, pipeline, prepared.source) ??
      (await pipeline.finish(prepared.source, outcome));
    metered = true;
    const result = await meterResult(deps, call, pipeline.feature, elapsed, unmetered);
    offerSample(deps, pipeline, call, input, result, prepared, outcome);
    // The deltas showed the model's text; the result serves another (the rails changed it or its form, or it is
    // a floor, a refusal, a stale entry), so the client drops it for the result's. Nothing shown (an answer from
    // the cache streams no delta, a notice with restart withdrew it): nothing to drop, and no notice.
    const rewrite = streamed.text !== '' ? rewriteOf(unmetered, streamed.text) : null;
    if (rewrite) yield { kind: 'notice', ...rewrite, restart: true };
    yield { kind: 'completed', result };
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    if (!metered) {
      // What the stream received, what its walk paid for, its outcome and its preparation: no result reports it.
      const paid = {
        receivedNanos: receivedNanos + outcomeNanos + (pipeline.costBefore?.(prepared.source) ?? 0),
        rails: railsBefore(),
      };
      // Left by its client: aborted (an unsubscribe, the socket closed), or returned at an event it was handed.
      // Otherwise it failed on our side: its client gets the error, and the request is metered as failed.
      if (signal.aborted || !failed) await meterAbandoned(deps, call, pipeline.feature, elapsed, paid);
      else
        await meterFailed(deps, call, pipeline.feature, elapsed, {
          costNanos: paid.receivedNanos,
          rails: paid.rails,
        });
    }
  }
}

const OUTPUT_RAILS: ReadonlySet<RailName> = new Set(['citations', 'grounding']);

/** The text a full result serves, where its value has one (an answer, a summary). */
function servedText(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || !('text' in value)) return null;
  return typeof value.text === 'string' ? value.text : null;
}

/**
 * Why the result differs from the text the model streamed: the feature's rails changed or refused it, or it
 * serves that text in another form (citations renumbered in the order they are first cited, the length capped).
 * A client that kept the deltas would otherwise show markers that point at the wrong citations.
 */
function rewriteOf<Full, Degraded>(
  result: UnmeteredResult<Full, Degraded>,
  streamedText: string,
): { reason: NoticeReason; message: string } | null {
  if (result.kind !== 'full') {
    return { reason: result.reason, message: 'The streamed answer was withdrawn; the result replaces it' };
  }
  const changed = (result.rails ?? []).some(
    ({ rail, outcome }) => OUTPUT_RAILS.has(rail) && (outcome === 'fixed' || outcome === 'rejected'),
  );
  if (changed) {
    return {
      reason: 'GUARDRAIL_REJECTED',
      message: 'Parts of the streamed answer were not supported by the sources and were removed',
    };
  }
  const served = servedText(result.value);
  return served !== null && served.trim() !== streamedText.trim()
    ? {
        reason: 'REFORMATTED',
        message: 'The result serves the streamed text in its final form; show it instead',
      }
    : null;
}

/**
 * Relays the gateway's stream as feature events and hands back the gateway's final outcome, its time noted as
 * the stage `model.<task>` of the request's record however it ends: the model's part of a stream yields as it
 * goes, so it cannot be a stage() of its own. One generator, not a timing one around a relaying one: each layer
 * is held, suspended, for as long as the stream is open.
 */
async function* timedRelay<Result>(
  deps: FeatureDeps,
  gatewayCall: GatewayCall,
  /** The text the client has been shown: every delta since the stream began or last restarted. */
  streamed: { text: string },
): AsyncGenerator<StreamEvent<Result>, GatewayOutcome, undefined> {
  const started = performance.now();
  const stream = deps.gateway.stream(gatewayCall);
  let index = 0;
  try {
    for (;;) {
      const next = await stream.next();
      if (next.done) return next.value;
      const event = next.value;
      switch (event.type) {
        case 'delta':
          streamed.text += event.text;
          yield { kind: 'delta', text: event.text, index: index++ };
          break;
        case 'fallback':
          if (event.restart) streamed.text = '';
          yield { kind: 'notice', reason: event.reason, message: event.message, restart: event.restart };
          break;
        default:
          return unreachable(event);
      }
    }
  } finally {
    try {
      // The client unsubscribed or the stream ended: close the gateway's stream, which closes the attempt's.
      await stream.return(undefined as never);
    } finally {
      noteStage(`model.${gatewayCall.task}`, performance.now() - started);
    }
  }
}
