// Timeouts our own event loop explains, at the two clocks that cut provider calls: the target guard's attempt
// timeout (completions, embeddings) and a stream's first-token and idle clocks. A provider that would answer
// in time, but whose answer cannot be read while the loop is blocked past the clock (Atomics.wait holds the
// thread as a long synchronous turn would), fails as `overloaded`: not retried, and not counted by the
// circuit however often it happens. The same provider hung, with the loop free, still times out as `timeout`
// and opens the circuit: timeouts are not switched off.
import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderError } from '../../subgraph/errors/provider-error';
import { fromTransportError } from '../../subgraph/gateway/providers/provider-error';
import type { ModelProvider, StreamChunk } from '../../subgraph/gateway/providers/model-provider';
import { Deadline } from '../../subgraph/gateway/resilience/deadline';
import { createTargetGuard } from '../../subgraph/gateway/resilience/target-guard';
import type { ResilienceSettings } from '../../subgraph/gateway/resilience/target-guard';
import { watchTimeout } from '../../subgraph/gateway/resilience/stalled-timeout';
import { streamAttempt } from '../../subgraph/gateway/stream-attempt';
import { createEventLoopLag, NO_STALLS } from '../../subgraph/observability/event-loop-lag';
import type { EventLoopLag } from '../../subgraph/observability/event-loop-lag';

const ATTEMPT_MS = 150;
const FAILURES_TO_OPEN = 3;
const SETTINGS: ResilienceSettings = {
  attemptTimeoutMs: ATTEMPT_MS,
  maxAttempts: 3,
  baseDelayMs: 1,
  maxDelayMs: 5,
  consecutiveFailures: FAILURES_TO_OPEN,
  failureRate: 1,
  rateWindow: 1_000,
  cooldownMs: 60_000,
};

function blockLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * An answer sent in time is read in the loop's poll phase, after its timers: when a block ends with both the
 * answer and the clock due, the clock runs first. setImmediate (the check phase, also after the timers) stands
 * in for the socket read.
 */
async function readLikeASocket(signal: AbortSignal): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  signal.throwIfAborted();
}

/**
 * A provider call that answers after `answerMs` (aborted as the adapters abort: a timeout ProviderError), or
 * never when answerMs is null; when `blockMs` is given, the loop is blocked that long 20 ms into the call.
 */
function providerCall(answerMs: number | null, blockMs?: number) {
  let calls = 0;
  const call = async (signal: AbortSignal): Promise<string> => {
    calls += 1;
    if (blockMs !== undefined) setTimeout(() => blockLoop(blockMs), 20);
    try {
      await sleep(answerMs ?? 60_000, undefined, { signal });
      await readLikeASocket(signal);
    } catch (error) {
      throw fromTransportError(error, signal);
    }
    return 'answer';
  };
  return { call, calls: () => calls };
}

async function failureOf(work: Promise<unknown>): Promise<ProviderError> {
  try {
    await work;
  } catch (error) {
    if (ProviderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

let monitor: EventLoopLag;
beforeEach(async () => {
  monitor = createEventLoopLag();
  monitor.start();
  await sleep(30);
});
afterEach(() => monitor.stop());

describe('the target guard’s attempt timeout', () => {
  it('fails as overloaded, once and unretried, when the loop was blocked past the timeout of a provider answering in time', async () => {
    const guard = createTargetGuard(SETTINGS, undefined, monitor);
    const provider = providerCall(100, 400);
    const failure = await failureOf(guard.run(new Deadline(5_000), undefined, provider.call));
    expect(failure.kind).toBe('overloaded');
    expect(failure.retryAfterMs).toBeGreaterThan(0);
    expect(provider.calls()).toBe(1);
  });

  it('never opens the circuit on overloaded attempts, however many', async () => {
    const opened: boolean[] = [];
    const guard = createTargetGuard(SETTINGS, (open) => opened.push(open), monitor);
    for (let i = 0; i < FAILURES_TO_OPEN + 2; i += 1) {
      const failure = await failureOf(guard.run(new Deadline(5_000), undefined, providerCall(100, 400).call));
      expect(failure.kind).toBe('overloaded');
    }
    expect(guard.isOpen()).toBe(false);
    expect(opened).toEqual([]);
    // Still closed: the healthy provider is asked, and answers.
    await expect(guard.run(new Deadline(5_000), undefined, providerCall(10).call)).resolves.toBe('answer');
  });

  it('times a hung provider out as a timeout, with the loop free, and opens its circuit', async () => {
    const guard = createTargetGuard(SETTINGS, undefined, monitor);
    for (let i = 0; i < FAILURES_TO_OPEN; i += 1) {
      const failure = await failureOf(guard.run(new Deadline(5_000), undefined, providerCall(null).call));
      expect(failure.kind).toBe('timeout');
    }
    expect(guard.isOpen()).toBe(true);
  });

  it('blames the provider when no monitor is given, blocked loop or not (the old behaviour)', async () => {
    const guard = createTargetGuard(SETTINGS);
    const failure = await failureOf(guard.run(new Deadline(5_000), undefined, providerCall(100, 400).call));
    expect(failure.kind).toBe('timeout');
  });
});

/**
 * A provider whose stream sends a delta after `gapMs` (never when null), the loop blocked `blockMs` meanwhile;
 * with `opening`, a first delta at once, so the gap runs on the idle clock rather than the first-token one.
 */
function streamingProvider(gapMs: number | null, blockMs?: number, opening = false): ModelProvider {
  return {
    name: 'openai',
    complete: () => Promise.reject(new Error('not used')),
    stream: (request) =>
      (async function* (): AsyncGenerator<StreamChunk> {
        if (opening) yield { type: 'delta', text: 'opening' };
        if (blockMs !== undefined) setTimeout(() => blockLoop(blockMs), 20);
        await sleep(gapMs ?? 60_000, undefined, { signal: request.signal });
        await readLikeASocket(request.signal);
        yield { type: 'delta', text: 'late but healthy' };
      })(),
  };
}

const PROMPT = { version: 'answer.v1', maxTokens: 64, system: 'Be brief.', user: 'Why?' };
const CLOCKS = { firstTokenMs: ATTEMPT_MS, idleMs: ATTEMPT_MS, capMs: 10_000 };

async function streamFailure(provider: ModelProvider, withMonitor: boolean): Promise<ProviderError> {
  const clocks = withMonitor ? { ...CLOCKS, loopStalls: monitor } : CLOCKS;
  return failureOf(
    (async () => {
      for await (const _text of streamAttempt(provider, 'm', PROMPT, clocks, undefined)) void _text;
    })(),
  );
}

describe('a stream’s first-token clock', () => {
  it('fails as overloaded when the loop was blocked past it while a healthy provider was about to answer', async () => {
    expect((await streamFailure(streamingProvider(100, 400), true)).kind).toBe('overloaded');
  });

  it('times a hung provider out as a timeout, with the loop free', async () => {
    expect((await streamFailure(streamingProvider(null), true)).kind).toBe('timeout');
  });

  it('blames the provider when no monitor is given (the old behaviour)', async () => {
    expect((await streamFailure(streamingProvider(100, 400), false)).kind).toBe('timeout');
  });
});

describe('a stream’s idle clock', () => {
  it('fails as overloaded when the loop was blocked past it between two deltas of a healthy provider', async () => {
    expect((await streamFailure(streamingProvider(100, 400, true), true)).kind).toBe('overloaded');
  });

  it('times a provider that stalls mid-answer out as a timeout, with the loop free', async () => {
    expect((await streamFailure(streamingProvider(null, undefined, true), true)).kind).toBe('timeout');
  });
});

describe('a clock that fires before its budget has passed by performance.now()', () => {
  // A timer keeps whole milliseconds of the loop's clock: a stream's clock armed with a millisecond or two left
  // before its cap can fire a fraction of a millisecond later. A clean-clone CI run saw such a cap read as
  // `overloaded` with no stall clock at all (stream-attempt.test.ts, 'abandons a stream still flowing at capMs').
  it('is not read as a stall when the loop did not stall', () => {
    const watch = watchTimeout(NO_STALLS);
    expect(watch.stallExplains(1.8)).toBe(false);
    expect(watch.stallExplains(150)).toBe(false);
  });

  it('is still read as a stall when the loop stalled for most of what elapsed', () => {
    let stalled = 0;
    const watch = watchTimeout({ stalledMs: () => stalled });
    blockLoop(40);
    stalled = 35;
    expect(watch.stallExplains(150)).toBe(true);
  });
});
