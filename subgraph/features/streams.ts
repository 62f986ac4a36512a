// The streaming forms of ask and summarize: deltas as the model writes, a notice whenever the path changes
// (a provider failed and a fallback took over; text already sent is then discarded by the client), and
// the final result, which is the same union member the non-streaming field would have returned.
import type { GatewayCall, GatewayOutcome, GatewayStreamEvent } from '../gateway/gateway';
import type { DegradationReason } from '../gateway/degradation-reason';
import type { createAskFeature } from './ask';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import type { AskOutcome, SummarizeOutcome } from './feature-result';
import { settle, settleAbandoned, startClock } from './settle';
import type { createSummarizeFeature } from './summarize';
import { unreachable } from '../errors/unreachable';

export type StreamEvent<Result> =
  | { kind: 'delta'; text: string; index: number }
  | { kind: 'notice'; reason: DegradationReason; message: string; restart: boolean }
  | { kind: 'completed'; result: Result };

type Gen<Result> = AsyncGenerator<StreamEvent<Result>, void, undefined>;

/** Relays the gateway's stream as feature events and hands back the gateway's final outcome. */
async function* relay<Result>(
  deps: FeatureDeps,
  call: GatewayCall,
): AsyncGenerator<StreamEvent<Result>, GatewayOutcome, undefined> {
  const stream = deps.gateway.stream(call);
  let index = 0;
  try {
    for (;;) {
      const next = await stream.next();
      if (next.done) return next.value;
      const event: GatewayStreamEvent = next.value;
      switch (event.type) {
        case 'delta':
          yield { kind: 'delta', text: event.text, index: index++ };
          break;
        case 'fallback':
          yield { kind: 'notice', reason: event.reason, message: event.message, restart: event.restart };
          break;
        default:
          return unreachable(event);
      }
    }
  } finally {
    // The client unsubscribed or the stream ended: close the provider stream so its request is aborted.
    await stream.return(undefined as never);
  }
}

export function createStreamFeatures(
  deps: FeatureDeps,
  ask: ReturnType<typeof createAskFeature>,
  summarize: ReturnType<typeof createSummarizeFeature>,
) {
  return {
    async *askStream(call: FeatureCall, rawInput: unknown, signal?: AbortSignal): Gen<AskOutcome> {
      const elapsed = startClock();
      const source = await ask.prepare(call, rawInput);
      if (!source) {
        yield {
          kind: 'completed',
          result: await settle(deps, call, 'ask', elapsed, ask.insufficientContext),
        };
        return;
      }
      let settled = false;
      try {
        const outcome = yield* relay<AskOutcome>(deps, { ...source.gatewayCall, signal });
        if (signal?.aborted) return;
        const result = await settle(deps, call, 'ask', elapsed, ask.finish(source, outcome));
        settled = true;
        yield { kind: 'completed', result };
      } finally {
        if (!settled) await settleAbandoned(deps, call, 'ask', elapsed);
      }
    },

    async *summarizeStream(
      call: FeatureCall,
      rawInput: unknown,
      signal?: AbortSignal,
    ): Gen<SummarizeOutcome> {
      const elapsed = startClock();
      const source = await summarize.prepare(call, rawInput);
      if (!source) {
        yield {
          kind: 'completed',
          result: await settle(deps, call, 'summarize', elapsed, summarize.notFound),
        };
        return;
      }
      let settled = false;
      try {
        const outcome = yield* relay<SummarizeOutcome>(deps, { ...source.gatewayCall, signal });
        if (signal?.aborted) return;
        const result = await settle(
          deps,
          call,
          'summarize',
          elapsed,
          await summarize.finish(source, outcome),
        );
        settled = true;
        yield { kind: 'completed', result };
      } finally {
        if (!settled) await settleAbandoned(deps, call, 'summarize', elapsed);
      }
    },
  };
}
