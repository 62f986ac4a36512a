// A streamed attempt at a target is not opened when the deadline has no useful time left for it (a guarded
// completion is refused the same way): the stream would be cut on its first tick, and the timeout recorded
// against a target that did nothing wrong. Here the circuit opens on one recorded failure, so a recorded
// timeout would show.
import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderError } from '../../subgraph/errors/provider-error';
import { LatencyWindow } from '../../subgraph/gateway/latency-window';
import type { RenderedPrompt } from '../../subgraph/gateway/prompts/prompt-library';
import type { ModelProvider } from '../../subgraph/gateway/providers/model-provider';
import { Deadline } from '../../subgraph/gateway/resilience/deadline';
import { createTargetGuard, MIN_USEFUL_ATTEMPT_MS } from '../../subgraph/gateway/resilience/target-guard';
import { streamingAttempt } from '../../subgraph/gateway/target-attempts';

const PROMPT: RenderedPrompt = { version: 'answer.v1', maxTokens: 64, system: 'Be brief.', user: 'Why?' };

function recordingProvider() {
  const streams: number[] = [];
  const provider: ModelProvider = {
    name: 'openai',
    complete: () => Promise.reject(new Error('not used')),
    stream(request) {
      streams.push(performance.now());
      return (async function* () {
        // A provider's first chunk takes a moment on the wire; aborted by the request's signal, as an SDK is.
        await sleep(10, undefined, { signal: request.signal });
        yield { type: 'delta' as const, text: 'an answer' };
      })();
    },
  };
  return { provider, streams };
}

const guardOpeningOnFirstFailure = () =>
  createTargetGuard({
    attemptTimeoutMs: 2_000,
    maxAttempts: 1,
    baseDelayMs: 1,
    maxDelayMs: 5,
    consecutiveFailures: 1,
    failureRate: 1,
    rateWindow: 10,
    cooldownMs: 60_000,
  });

async function attemptWith(deadline: Deadline) {
  const { provider, streams } = recordingProvider();
  const guard = guardOpeningOnFirstFailure();
  const attempt = streamingAttempt(
    deadline,
    PROMPT,
    { attemptTimeoutMs: 2_000, streamMaxMs: 10_000 },
    undefined,
  );
  const generator = attempt({
    target: { provider: 'openai', model: 'gpt-test' },
    provider,
    guard,
    latency: new LatencyWindow(),
  });
  const yielded: string[] = [];
  let error: unknown;
  try {
    for (let next = await generator.next(); !next.done; next = await generator.next())
      yielded.push(next.value);
  } catch (thrown) {
    error = thrown;
  }
  return { yielded, error, streams, guard };
}

describe('a streamed attempt and the deadline', () => {
  it(`is not opened with less than ${MIN_USEFUL_ATTEMPT_MS} ms left, and nothing is held against the target`, async () => {
    const deadline = new Deadline(MIN_USEFUL_ATTEMPT_MS - 5);
    const { error, streams, guard } = await attemptWith(deadline);
    expect(ProviderError.isInstance(error) && error.kind).toBe('timeout');
    expect(streams).toHaveLength(0);
    expect(guard.isOpen()).toBe(false);
  });

  it('is opened and streams when the deadline leaves time for it', async () => {
    const { yielded, error, streams, guard } = await attemptWith(new Deadline(5_000));
    expect(error).toBeUndefined();
    expect(yielded).toEqual(['an answer']);
    expect(streams).toHaveLength(1);
    expect(guard.isOpen()).toBe(false);
  });

  it('is not opened on a deadline already spent, so its timeout is not recorded against the target', async () => {
    const deadline = new Deadline(1);
    await sleep(5);
    const { error, streams, guard } = await attemptWith(deadline);
    expect(ProviderError.isInstance(error) && error.kind).toBe('timeout');
    expect(streams).toHaveLength(0);
    expect(guard.isOpen()).toBe(false);
  });
});
