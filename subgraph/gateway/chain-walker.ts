// The one walk down a route chain, shared by complete, stream and embed: skip a target whose circuit is open,
// stop when the deadline cannot fit a useful attempt, try the target, and on failure note it, announce the
// fallback and move on. An attempt yields streamed text (a completion or an embedding yields none) and returns
// its reply (a completion, vectors); when the walk's consumer stops, the attempt in progress is closed, so its
// provider request is aborted rather than left to its idle timer.
import { ProviderError } from '../errors/provider-error';
import type { GatewayStreamEvent } from './gateway-call';
import { reasonFor } from './failure-reason';
import type { Completion, ModelProvider } from './providers/model-provider';
import { fromTransportError } from './providers/provider-error';
import { MIN_USEFUL_ATTEMPT_MS } from './resilience/target-guard';
import type { TargetGuard } from './resilience/target-guard';
import type { Deadline } from './resilience/deadline';
import type { Target } from './routing/route-config';

export interface ChainStep {
  target: Target;
  provider: ModelProvider;
  guard: TargetGuard;
}

/** One attempt at one target: the text as it streams, then its reply (or a thrown failure). */
export type TargetAttempt<Reply = Completion> = (step: ChainStep) => AsyncGenerator<string, Reply, undefined>;

/** What the walk needs of a call: its budget, and the caller's signal where leaving abandons the walk. */
export interface WalkedCall {
  deadline: Deadline;
  signal?: AbortSignal;
}

export interface ChainObserver {
  failed(target: Target, error: ProviderError): void;
  abandoned(target: Target): void;
}

export type WalkResult<Reply = Completion> =
  | { kind: 'answered'; target: Target; reply: Reply }
  | { kind: 'failed'; last: ProviderError | null }
  | { kind: 'abandoned' };

export async function* walkChain<Reply>(
  call: WalkedCall,
  steps: readonly ChainStep[],
  attempt: TargetAttempt<Reply>,
  observer: ChainObserver,
): AsyncGenerator<GatewayStreamEvent, WalkResult<Reply>, undefined> {
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
        if (next.done) return { kind: 'answered', target: step.target, reply: next.value };
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

/** The walk run to its end for a caller that reads no events (a completion, an embedding). */
export async function walkToEnd<Reply>(
  walk: AsyncGenerator<GatewayStreamEvent, WalkResult<Reply>, undefined>,
): Promise<WalkResult<Reply>> {
  let next = await walk.next();
  while (!next.done) next = await walk.next();
  return next.value;
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
