// The one walk down a route chain, shared by complete and stream: skip a target whose circuit is open, stop
// when the deadline cannot fit a useful attempt, try the target, and on failure note it, announce the
// fallback and move on. An attempt yields streamed text (a completion yields none) and returns the whole
// completion; when the walk's consumer stops, the attempt in progress is closed, so its provider request is
// aborted rather than left to its idle timer.
import { ProviderError } from '../errors/provider-error';
import type { GatewayCall, GatewayStreamEvent } from './gateway-call';
import { reasonFor } from './failure-reason';
import type { Completion, ModelProvider } from './providers/model-provider';
import { fromTransportError } from './providers/provider-error';
import { MIN_USEFUL_ATTEMPT_MS } from './resilience/target-guard';
import type { TargetGuard } from './resilience/target-guard';
import type { Target } from './routing/route-config';

export interface ChainStep {
  target: Target;
  provider: ModelProvider;
  guard: TargetGuard;
}

/** One attempt at one target: the text as it streams, then the completion (or a thrown failure). */
export type TargetAttempt = (step: ChainStep) => AsyncGenerator<string, Completion, undefined>;

export interface ChainObserver {
  failed(target: Target, error: ProviderError): void;
  abandoned(target: Target): void;
}

export type WalkResult =
  | { kind: 'answered'; target: Target; completion: Completion }
  | { kind: 'failed'; last: ProviderError | null }
  | { kind: 'abandoned' };

export async function* walkChain(
  call: GatewayCall,
  steps: readonly ChainStep[],
  attempt: TargetAttempt,
  observer: ChainObserver,
): AsyncGenerator<GatewayStreamEvent, WalkResult, undefined> {
  let last: ProviderError | null = null;
  for (const step of steps) {
    if (call.signal?.aborted) return { kind: 'abandoned' };
    if (call.deadline.expired()) break;
    if (step.guard.isOpen()) {
      last = new ProviderError('circuit-open', 'circuit open: target skipped');
      observer.failed(step.target, last);
      yield fallbackEvent(last, false);
      continue;
    }
    // An attempt shorter than this cannot reach a provider: do not charge a failure to its circuit.
    if (call.deadline.remainingMs() < MIN_USEFUL_ATTEMPT_MS) break;
    const run = attempt(step);
    let streamed = false;
    try {
      for (;;) {
        const next = await run.next();
        if (next.done) return { kind: 'answered', target: step.target, completion: next.value };
        streamed = true;
        yield { type: 'delta', text: next.value };
      }
    } catch (error) {
      // The client went away: nothing failed, and nobody is left to hear about a fallback.
      if (call.signal?.aborted) {
        observer.abandoned(step.target);
        return { kind: 'abandoned' };
      }
      last = ProviderError.isInstance(error) ? error : fromTransportError(error, call.deadline.signal);
      observer.failed(step.target, last);
    } finally {
      // A no-op for a finished attempt; for one left mid-stream it closes the provider's stream.
      await run.return(undefined as never);
    }
    yield fallbackEvent(last, streamed);
  }
  return { kind: 'failed', last };
}

function fallbackEvent(error: ProviderError, restart: boolean): GatewayStreamEvent {
  return {
    type: 'fallback',
    reason: reasonFor(error.kind),
    restart,
    message: restart
      ? 'The model failed mid-answer; restarting on a fallback'
      : 'The model was unavailable; trying a fallback',
  };
}
