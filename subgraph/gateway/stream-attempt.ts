// One streamed attempt against one target. A stream is bounded by three clocks, not by the request deadline:
// the first token must come within the attempt timeout (what is left of the deadline at most), each later
// token within an idle gap, and the whole answer within a cap. A healthy long answer is never cut at the
// deadline; a hung or stalled one is abandoned, its AbortSignal reaching the SDK. A stream the caller left
// (closed early, or its signal aborted) reports what it received, for the ledger: the provider's usage when it
// sent one, else the output tokens estimated from the text so far.
import type { RenderedPrompt } from './prompts/prompt-library';
import type { ModelProvider, TokenUsage } from './providers/model-provider';
import { ProviderError } from '../errors/provider-error';
import { NO_STALLS } from '../observability/event-loop-lag';
import type { LoopStallClock } from '../observability/event-loop-lag';
import { fromTransportError } from './providers/provider-error';
import { overloadedError, watchTimeout } from './resilience/stalled-timeout';
import { estimateTokens } from './token-estimate';

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
): AsyncGenerator<string, { text: string; usage: TokenUsage }, undefined> {
  const stall = new AbortController();
  // Set when a clock ran out and the loop's own stall explains it: decided as it runs out, before the abort.
  let overloaded = false;
  const startClock = (ms: number) => {
    const watch = watchTimeout(clocks.loopStalls ?? NO_STALLS);
    return setTimeout(() => {
      overloaded = watch.stallExplains(ms);
      stall.abort();
    }, ms);
  };
  let timer = startClock(clocks.firstTokenMs);
  const signals = [stall.signal, AbortSignal.timeout(clocks.capMs)];
  if (callerSignal) signals.push(callerSignal);
  const signal = AbortSignal.any(signals);
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
      clearTimeout(timer);
      timer = startClock(clocks.idleMs);
      text += chunk.text;
      yield chunk.text;
    }
    ended = true;
  } catch (error) {
    ended = !callerSignal?.aborted;
    const failure = fromTransportError(error, signal);
    const ours = overloaded && failure.kind === 'timeout' && !callerSignal?.aborted;
    throw ours ? overloadedError() : failure;
  } finally {
    clearTimeout(timer);
    // An SDK may end its stream quietly when aborted rather than throw: the caller's signal decides.
    if (!ended || callerSignal?.aborted)
      onAbandoned?.(usage ?? { inputTokens: 0, outputTokens: estimateTokens(text) });
  }
  if (text.trim() === '') throw new ProviderError('malformed', 'provider streamed no text');
  return { text, usage: usage ?? { inputTokens: 0, outputTokens: 0 } };
}
