// One streamed attempt against one target. A stream is bounded by three clocks, not by the request deadline:
// the first token must come within the attempt timeout (what is left of the deadline at most), each later
// token within an idle gap, and the whole answer within a cap. A healthy long answer is never cut at the
// deadline; a hung or stalled one is abandoned, its AbortSignal reaching the SDK. The first-token and idle
// clocks measure only the wait on the provider: while the consumer holds a delta it was handed (a slow client,
// its socket full), nothing is asked of the provider, and only the cap runs. A stream that ends without its
// reply reports what the provider billed it, for the ledger and the spend cap: one the caller left (closed
// early, or its signal aborted), and one that failed once its provider had answered (cut mid-answer, a 5xx
// after some text, stopped by our own idle clock or cap). What it reports is the provider's usage when it sent
// one, else a request's received cost as a lost hedge's is reckoned (receivedUsage, token-estimate.ts): the
// prompt (the input tokens the provider named, else estimated) and the text so far; a stream that completes
// without the provider's usage is reckoned the same way. A stream the walk dropped
// (`drop`: a hedge that lost its race) is aborted the same way, but reports nothing: the walk charges it
// (hedged-attempt.ts).
import type { RenderedPrompt } from './prompts/prompt-library';
import type { ModelProvider, TokenUsage } from './providers/model-provider';
import { ProviderError } from '../errors/provider-error';
import { NO_STALLS } from '../observability/event-loop-lag';
import type { LoopStallClock } from '../observability/event-loop-lag';
import { fromTransportError } from './providers/provider-error';
import { overloadedError, watchTimeout } from './resilience/stalled-timeout';
import { receivedUsage } from './token-estimate';
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
  // Set while the consumer holds the delta it was last handed: the wait is its own, not the provider's.
  let held = false;
  // Set when the cap ran out while the consumer held a delta: a client that stopped reading, not the provider.
  let heldPastCap = false;
  const abort = () => {
    const capLeftMs = capAt - performance.now();
    // A first-token or idle clock that runs out while the consumer holds a delta blames nobody: the consumer
    // asks for the next chunk when it is ready, and the idle clock starts again then. The cap still runs, and
    // ends a stream whose client has not read for that long as that client's leaving, never as the target's
    // timeout (which would count against its circuit, for every tenant, and restart on the next target).
    if (held) {
      if (capLeftMs > 0) {
        clockMs = capLeftMs;
        timer = setTimeout(abort, clockMs);
        return;
      }
      heldPastCap = true;
    } else overloaded = watch.stallExplains(clockMs);
    controller.abort();
  };
  let timer = setTimeout(abort, clockMs);
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
  // The prompt's input tokens as the provider counted them before its usage (Anthropic's message_start).
  let inputTokens: number | undefined;
  // Set once the provider has answered at all: a stream that fails after that was billed what it received.
  let answered = false;
  // How the stream ended: complete (with text), failed (by the provider, a clock, or no text), or open still
  // when the caller left or closed it.
  let state: 'open' | 'complete' | 'failed' = 'open';
  // A request already aborted (the caller gone before it started) never reaches the provider: it costs nothing.
  const requested = !signal.aborted;
  try {
    const chunks = provider.stream({
      model,
      system: prompt.system,
      user: prompt.user,
      maxTokens: prompt.maxTokens,
      signal,
    });
    for await (const chunk of chunks) {
      answered = true;
      if (chunk.type === 'usage') {
        usage = chunk.usage;
        continue;
      }
      if (chunk.type === 'input') {
        inputTokens = chunk.inputTokens;
        continue;
      }
      const delta = storableDelta(chunk.text);
      text += delta;
      held = true;
      yield delta;
      held = false;
      // The next chunk is asked for: the idle gap runs from here, however long the consumer held the delta.
      if (clockMs === clocks.idleMs && capAt - performance.now() > clocks.idleMs) timer.refresh();
      else {
        clearTimeout(timer);
        clockMs = until(clocks.idleMs);
        timer = setTimeout(abort, clockMs);
      }
      watch = watchTimeout(stalls);
    }
    // The OpenAI and Anthropic SDKs end their stream quietly when its signal aborts, rather than throw: a clock
    // that ran out (or a hedge race that dropped this attempt) is no end of the answer, and what came so far is
    // no reply. Thrown here, it fails like an SDK that throws (below): a timeout, or our own overload.
    if (heldPastCap) throw heldPastCapError();
    if (signal.aborted && !callerSignal?.aborted)
      throw new ProviderError('timeout', 'provider stream went silent or ran past its cap');
    // No text is no reply (thrown below): a failure, billed what the provider sent.
    state = text.trim() === '' ? 'failed' : 'complete';
  } catch (error) {
    state = 'failed';
    if (heldPastCap) throw heldPastCapError();
    const failure = fromTransportError(error, signal);
    const ours = overloaded && failure.kind === 'timeout' && !callerSignal?.aborted;
    throw ours ? overloadedError() : failure;
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', leave);
    drop?.removeEventListener('abort', dropped);
    // An SDK may end its stream quietly when aborted rather than throw: the caller's signal decides. A stream
    // that failed before its provider answered (a refused request, a first token that never came) cost nothing.
    const left = callerSignal?.aborted === true || heldPastCap;
    const billed = left || (!drop?.aborted && (state === 'open' || (state === 'failed' && answered)));
    if (billed && requested) onAbandoned?.(usage ?? receivedUsage(prompt, text, inputTokens));
  }
  // The caller left and the SDK ended its stream quietly: what it received is reported above, never as a reply.
  if (callerSignal?.aborted) throw new ProviderError('cancelled', 'stream abandoned: the caller left');
  if (text.trim() === '') throw new ProviderError('malformed', 'provider streamed no text');
  // A stream that ended without its usage (a server that ignores stream_options.include_usage) was billed all
  // the same: reckoned as an abandoned one's is, never as nothing.
  return { text: storableText(text), usage: usage ?? receivedUsage(prompt, text, inputTokens) };
}

/**
 * The cap ran out while the consumer held a delta: its client stopped reading (a full socket), so the stream
 * ends as that client's leaving (`cancelled`: no failure of the target, no fallback; target-try.ts).
 */
function heldPastCapError(): ProviderError {
  return new ProviderError('cancelled', 'stream held past its cap: the client stopped reading');
}
