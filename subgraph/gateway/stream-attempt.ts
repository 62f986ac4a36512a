// One streamed attempt against one target. A stream is bounded by three clocks, not by the request deadline:
// the first token must come within the attempt timeout (what is left of the deadline at most), each later
// token within an idle gap, and the whole answer within a cap. A healthy long answer is never cut at the
// deadline; a hung or stalled one is abandoned, its AbortSignal reaching the SDK. A stream the caller left
// (closed early, or its signal aborted) reports what it received, for the ledger: the provider's usage when it
// sent one, else the output tokens estimated from the text so far. A stream the walk dropped (`drop`: a hedge
// that lost its race) is aborted the same way, but reports nothing: the walk charges it (hedged-attempt.ts).
import type { RenderedPrompt } from './prompts/prompt-library';
import type { ModelProvider, TokenUsage } from './providers/model-provider';
import { ProviderError } from '../errors/provider-error';
import { NO_STALLS } from '../observability/event-loop-lag';
import type { LoopStallClock } from '../observability/event-loop-lag';
import { fromTransportError } from './providers/provider-error';
import { overloadedError, watchTimeout } from './resilience/stalled-timeout';
import { estimateTokens } from './token-estimate';
import { storableDelta, storableText } from '../text/storable-text';

export interface StreamClocks {
  firstTokenMs: number;
  idleMs: number;
  capMs: number;
  /** The loop's stall clock: what excuses a first-token or idle timeout. None: every timeout is the target's. */
  loopStalls?: LoopStallClock;
}

export async function* streamAttempt(
  provider: ModelProvider,
  model: string,
  prompt: RenderedPrompt,
  clocks: StreamClocks,
  callerSignal: AbortSignal | undefined,
  onAbandoned?: (received: TokenUsage) => void,
  drop?: AbortSignal,
): AsyncGenerator<string, { text: string; usage: TokenUsage }, undefined> {
  // One controller and one timer carry all three clocks and the caller's signal: a stream is open for as long as
  // its answer runs, so what it holds meanwhile is multiplied by every open stream (no AbortSignal.timeout, no
  // AbortSignal.any and its registrations, no new timer per token: the idle timer is refreshed in place).
  const controller = new AbortController();
  const signal = controller.signal;
  const stalls = clocks.loopStalls ?? NO_STALLS;
  const capAt = performance.now() + clocks.capMs;
  // The cap is the later clock's bound: whichever of it and the first-token or idle clock comes first fires.
  const until = (ms: number) => Math.max(0, Math.min(ms, capAt - performance.now()));
  let clockMs = until(clocks.firstTokenMs);
  let watch = watchTimeout(stalls);
  // Set when a clock ran out and the loop's own stall explains it: decided as it runs out, before the abort.
  let overloaded = false;
  const abort = () => {
    overloaded = watch.stallExplains(clockMs);
    controller.abort();
  };
  let timer = setTimeout(abort, clockMs);
  let idle = false;
  // The caller's reason travels on, as AbortSignal.any would have passed it.
  const leave = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) leave();
  else callerSignal?.addEventListener('abort', leave, { once: true });
  // A hedge race dropping this attempt (it lost) ends it the same way, with the race's reason.
  const dropped = () => controller.abort(drop?.reason);
  if (drop?.aborted) dropped();
  else drop?.addEventListener('abort', dropped, { once: true });
  let text = '';
  let usage: TokenUsage | null = null;
  // Set when the stream ends on its own (complete, or failed by the provider); otherwise the caller left.
  let ended = false;
  try {
    const chunks = provider.stream({
      model,
      system: prompt.system,
      user: prompt.user,
      maxTokens: prompt.maxTokens,
      signal,
    });
    for await (const chunk of chunks) {
      if (chunk.type === 'usage') {
        usage = chunk.usage;
        continue;
      }
      if (idle && capAt - performance.now() > clocks.idleMs) timer.refresh();
      else {
        clearTimeout(timer);
        clockMs = until(clocks.idleMs);
        timer = setTimeout(abort, clockMs);
        idle = true;
      }
      watch = watchTimeout(stalls);
      const delta = storableDelta(chunk.text);
      text += delta;
      yield delta;
    }
    // The OpenAI and Anthropic SDKs end their stream quietly when its signal aborts, rather than throw: a clock
    // that ran out (or a hedge race that dropped this attempt) is no end of the answer, and what came so far is
    // no reply. Thrown here, it fails like an SDK that throws (below): a timeout, or our own overload.
    if (signal.aborted && !callerSignal?.aborted)
      throw new ProviderError('timeout', 'provider stream went silent or ran past its cap');
    ended = true;
  } catch (error) {
    ended = !callerSignal?.aborted;
    const failure = fromTransportError(error, signal);
    const ours = overloaded && failure.kind === 'timeout' && !callerSignal?.aborted;
    throw ours ? overloadedError() : failure;
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', leave);
    drop?.removeEventListener('abort', dropped);
    // An SDK may end its stream quietly when aborted rather than throw: the caller's signal decides.
    if (callerSignal?.aborted || (!ended && !drop?.aborted))
      onAbandoned?.(usage ?? { inputTokens: 0, outputTokens: estimateTokens(text) });
  }
  // The caller left and the SDK ended its stream quietly: what it received is reported above, never as a reply.
  if (callerSignal?.aborted) throw new ProviderError('cancelled', 'stream abandoned: the caller left');
  if (text.trim() === '') throw new ProviderError('malformed', 'provider streamed no text');
  return { text: storableText(text), usage: usage ?? { inputTokens: 0, outputTokens: 0 } };
}
