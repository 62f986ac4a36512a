// The two kinds of attempt the chain walker makes at a target. A completion runs inside the target's guard
// (timeout within the deadline, retries, circuit). A stream cannot be retried once text has flowed, so it
// is bounded by its own clocks (first token within the deadline, idle gap, cap) and records its one outcome
// in the circuit; a stream the client abandoned says nothing about the target's health, nor does an attempt
// the walk dropped (a hedge that lost its race): it ends as a `cancelled` failure, outside the circuit. Each
// reports what its provider billed for replies that never became its answer (the ledger's side of a failure).
import type { TargetAttempt } from './chain-walker';
import { ProviderError } from '../errors/provider-error';
import type { LoopStallClock } from '../observability/event-loop-lag';
import type { RenderedPrompt } from './prompts/prompt-library';
import type { TokenUsage } from './providers/model-provider';
import { billedBy } from './providers/provider-error';
import type { Deadline } from './resilience/deadline';
import { deadlineSpentError } from './resilience/target-guard';
import type { Target } from './routing/route-config';
import { streamAttempt } from './stream-attempt';
import { storableText } from '../text/storable-text';

/** The prompt with a repair note after the user's turn: what was wrong with the previous reply. */
export function withRepair(prompt: RenderedPrompt, repair: string | undefined): RenderedPrompt {
  return repair === undefined ? prompt : { ...prompt, user: `${prompt.user}\n\n${repair}` };
}

/**
 * `callerSignal`: the caller's own (a cancelled background job); its abort ends the attempt like a drop.
 * Every reply the provider sent is billed, whatever we made of it: a reply refused as malformed (no text, a
 * refusal, a body that would not parse: a BilledFailure) is retried, and what it was billed is added up across
 * the attempt's tries, as an embedding attempt does. An attempt that answers returns its reply with that added
 * to its usage; one that fails hands it to `billedBeforeFailing` before it throws, so its spend reservation
 * settles to it and the walk's cost carries it (gateway.ts, settle-walk.ts).
 */
export function completionAttempt(
  deadline: Deadline,
  rendered: RenderedPrompt,
  callerSignal?: AbortSignal,
  billedBeforeFailing?: (target: Target, usage: TokenUsage) => void,
): TargetAttempt {
  // eslint-disable-next-line require-yield -- a completion streams nothing; it only returns
  return async function* ({ target, provider, guard }, repair, drop) {
    const prompt = withRepair(rendered, repair);
    /** What the provider billed for the replies of this attempt's tries that were refused. */
    const refused: TokenUsage = { inputTokens: 0, outputTokens: 0 };
    try {
      // The guard's signal ends with the deadline, the caller's leaving and the hedge's drop alike.
      const completion = await guard.run(
        deadline,
        target.timeoutMs,
        async (signal) => {
          try {
            const completion = await provider.complete({
              model: target.model,
              system: prompt.system,
              user: prompt.user,
              maxTokens: prompt.maxTokens,
              signal,
            });
            const text = storableText(completion.text);
            return text === completion.text ? completion : { ...completion, text };
          } catch (error) {
            // Counted inside the guard, try by try: each retry of a refused reply was billed again.
            addUsage(refused, billedBy(error));
            // Not retried, and not counted against the circuit: the target did nothing wrong.
            if (callerSignal?.aborted)
              throw new ProviderError('cancelled', 'attempt abandoned: the caller left');
            if (drop?.aborted)
              throw new ProviderError('cancelled', 'attempt dropped: a hedge answered first');
            throw error;
          }
        },
        [drop, callerSignal],
      );
      if (!billedAny(refused)) return completion;
      const usage = { ...completion.usage };
      addUsage(usage, refused);
      return { ...completion, usage };
    } catch (error) {
      if (billedAny(refused)) billedBeforeFailing?.(target, { ...refused });
      throw error;
    }
  };
}

const billedAny = (usage: TokenUsage): boolean => usage.inputTokens > 0 || usage.outputTokens > 0;

function addUsage(total: TokenUsage, reported: TokenUsage | null): void {
  if (!reported) return;
  total.inputTokens += reported.inputTokens;
  total.outputTokens += reported.outputTokens;
}

export interface StreamLimits {
  attemptTimeoutMs: number;
  streamMaxMs: number;
  /** What excuses a first-token or idle timeout the event loop's own stall explains. */
  loopStalls?: LoopStallClock;
}

export function streamingAttempt(
  deadline: Deadline,
  rendered: RenderedPrompt,
  limits: StreamLimits,
  callerSignal: AbortSignal | undefined,
  /** What an attempt the caller left had received, at which target: for the ledger. */
  onAbandoned?: (target: Target, received: TokenUsage) => void,
): TargetAttempt {
  return async function* ({ target, provider, guard }, repair, drop) {
    // As a guarded completion's: a stream opened with no useful time left (the walk's checks, then a spend
    // reservation, took it) would be cut at once, and its timeout blamed on a healthy target's circuit.
    if (!deadline.leavesUsefulAttempt()) throw deadlineSpentError();
    const prompt = withRepair(rendered, repair);
    const attemptMs = target.timeoutMs ?? limits.attemptTimeoutMs;
    const clocks = {
      firstTokenMs: Math.min(attemptMs, deadline.remainingMs()),
      idleMs: attemptMs,
      capMs: limits.streamMaxMs,
      loopStalls: limits.loopStalls,
    };
    try {
      const completion = yield* streamAttempt(
        provider,
        target.model,
        prompt,
        clocks,
        callerSignal,
        (received) => onAbandoned?.(target, received),
        drop,
      );
      await guard.record('success');
      return completion;
    } catch (error) {
      if (drop?.aborted && !callerSignal?.aborted) {
        throw new ProviderError('cancelled', 'attempt dropped: a hedge streamed first');
      }
      if (ProviderError.isInstance(error) && !callerSignal?.aborted) await guard.record(error);
      throw error;
    }
  };
}
