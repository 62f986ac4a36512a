// The per-target guard with real timers and small values: each attempt is cut at min(its timeout, what is left
// of the deadline) and never started when too little is left; retryable failures are retried within the
// deadline (honouring retry-after), others are not; failures that say the target is unhealthy open its
// circuit, which then refuses calls until the cool-down lets one trial through.
import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderError } from '../../subgraph/errors/provider-error';
import { fromTransportError } from '../../subgraph/gateway/providers/provider-error';
import { Deadline } from '../../subgraph/gateway/resilience/deadline';
import { createTargetGuard, MIN_USEFUL_ATTEMPT_MS } from '../../subgraph/gateway/resilience/target-guard';
import type { ResilienceSettings, TargetGuard } from '../../subgraph/gateway/resilience/target-guard';

const SETTINGS: ResilienceSettings = {
  attemptTimeoutMs: 2_000,
  maxAttempts: 3,
  baseDelayMs: 1,
  maxDelayMs: 5,
  consecutiveFailures: 3,
  failureRate: 1,
  rateWindow: 10,
  cooldownMs: 300,
};

const guardWith = (overrides: Partial<ResilienceSettings> = {}): TargetGuard =>
  createTargetGuard({ ...SETTINGS, ...overrides });

/**
 * A provider call written for the test: answers each attempt from a script (a ProviderError, a text, or
 * 'hang' for no answer at all) and records when it started.
 */
function scriptedProvider(...script: (ProviderError | string)[]) {
  const startedAt: number[] = [];
  const signals: AbortSignal[] = [];
  const call = (signal: AbortSignal): Promise<string> => {
    startedAt.push(performance.now());
    signals.push(signal);
    const step = script[Math.min(startedAt.length - 1, script.length - 1)];
    if (step === 'hang') {
      // Never answers; when the guard aborts it, rejects as the adapters do, through fromTransportError.
      return new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () =>
          reject(fromTransportError(new DOMException('aborted', 'AbortError'), signal)),
        ),
      );
    }
    if (step instanceof ProviderError) return Promise.reject(step);
    return Promise.resolve(step ?? 'ok');
  };
  return { call, startedAt, signals, calls: () => startedAt.length };
}

/** The ProviderError a promise rejects with, failing the test if it resolves or rejects with anything else. */
async function providerErrorOf(work: Promise<unknown>): Promise<ProviderError> {
  try {
    await work;
  } catch (error) {
    if (ProviderError.isInstance(error)) return error;
    throw new Error(`expected a ProviderError, got ${String(error)}`);
  }
  throw new Error('expected the guarded call to fail');
}

/** Fails once with `failure`, answers on the retry; the milliseconds between the two attempts' starts. */
async function retryGap(settings: Partial<ResilienceSettings>, failure: ProviderError): Promise<number> {
  const provider = scriptedProvider(failure, 'later');
  await expect(guardWith(settings).run(new Deadline(5_000), undefined, provider.call)).resolves.toBe('later');
  const [first = 0, second = 0] = provider.startedAt;
  return second - first;
}

const serverError = () => new ProviderError('server', 'upstream 500', 500);
const clientError = () => new ProviderError('client', 'bad request', 400);

describe('target guard', () => {
  describe('attempt budget', () => {
    it.each([
      {
        name: 'cuts an attempt at what is left of the deadline when that is shorter than the attempt timeout',
        deadlineMs: 150,
        attemptMs: 5_000,
        message: undefined,
      },
      {
        name: 'cuts an attempt at its own timeout when that is shorter than the deadline',
        deadlineMs: 5_000,
        attemptMs: 100,
        message: 'provider did not answer in time',
      },
    ])('$name', async ({ deadlineMs, attemptMs, message }) => {
      const cutAtMs = Math.min(deadlineMs, attemptMs);
      const provider = scriptedProvider('hang');
      const started = performance.now();
      const error = await providerErrorOf(
        guardWith().run(new Deadline(deadlineMs), attemptMs, provider.call),
      );
      const elapsed = performance.now() - started;
      expect(error.kind).toBe('timeout');
      if (message !== undefined) expect(error.message).toBe(message);
      expect(elapsed).toBeGreaterThanOrEqual(cutAtMs - 10);
      expect(elapsed).toBeLessThan(1_500);
      expect(provider.signals[0]?.aborted).toBe(true);
      // Our own timeout is not retried on the same target: the next target is a better use of the deadline.
      expect(provider.calls()).toBe(1);
    });

    it('cuts and reports as a timeout a call that ignores its abort signal', async () => {
      const deaf = () => new Promise<string>(() => undefined);
      const started = performance.now();
      const error = await providerErrorOf(guardWith().run(new Deadline(5_000), 100, deaf));
      expect(error.kind).toBe('timeout');
      expect(error.message).toBe('provider did not answer in time');
      expect(performance.now() - started).toBeLessThan(1_500);
    });

    it('uses the configured attempt timeout when the call gives none', async () => {
      const provider = scriptedProvider('hang');
      const started = performance.now();
      await providerErrorOf(
        guardWith({ attemptTimeoutMs: 100 }).run(new Deadline(5_000), undefined, provider.call),
      );
      expect(performance.now() - started).toBeLessThan(1_500);
    });

    it(`does not start an attempt when less than ${MIN_USEFUL_ATTEMPT_MS} ms of the deadline are left`, async () => {
      const provider = scriptedProvider('never reached');
      const error = await providerErrorOf(guardWith().run(new Deadline(10), 5_000, provider.call));
      expect(error.kind).toBe('timeout');
      expect(error.message).toBe('deadline spent before the attempt');
      expect(provider.calls()).toBe(0);
    });

    it(`does not start an attempt whose own timeout is under ${MIN_USEFUL_ATTEMPT_MS} ms`, async () => {
      const provider = scriptedProvider('never reached');
      const error = await providerErrorOf(guardWith().run(new Deadline(5_000), 10, provider.call));
      expect(error.message).toBe('deadline spent before the attempt');
      expect(provider.calls()).toBe(0);
    });

    it(`starts an attempt with exactly ${MIN_USEFUL_ATTEMPT_MS} ms of attempt timeout`, async () => {
      const provider = scriptedProvider('fine');
      await expect(guardWith().run(new Deadline(5_000), MIN_USEFUL_ATTEMPT_MS, provider.call)).resolves.toBe(
        'fine',
      );
    });
  });

  describe('retries', () => {
    it("returns the provider's answer and hands the call a live abort signal", async () => {
      const provider = scriptedProvider('answer');
      await expect(guardWith().run(new Deadline(5_000), undefined, provider.call)).resolves.toBe('answer');
      expect(provider.calls()).toBe(1);
      expect(provider.signals[0]).toBeInstanceOf(AbortSignal);
    });

    it('retries a retryable failure and returns the answer of the attempt that succeeds', async () => {
      const provider = scriptedProvider(serverError(), serverError(), 'third time');
      await expect(guardWith().run(new Deadline(5_000), undefined, provider.call)).resolves.toBe(
        'third time',
      );
      expect(provider.calls()).toBe(3);
    });

    it('makes at most maxAttempts attempts and then fails with the last error', async () => {
      const provider = scriptedProvider(serverError());
      const error = await providerErrorOf(
        guardWith({ consecutiveFailures: 100 }).run(new Deadline(5_000), undefined, provider.call),
      );
      expect(error.kind).toBe('server');
      expect(error.status).toBe(500);
      expect(provider.calls()).toBe(SETTINGS.maxAttempts);
    });

    it('retries network, malformed, rate-limited and 408 failures', async () => {
      for (const failure of [
        new ProviderError('network', 'reset'),
        new ProviderError('malformed', 'bad json'),
        new ProviderError('rate-limited', 'slow down', 429),
        new ProviderError('timeout', 'request timeout', 408),
      ]) {
        const provider = scriptedProvider(failure, 'recovered');
        await expect(guardWith().run(new Deadline(5_000), undefined, provider.call)).resolves.toBe(
          'recovered',
        );
        expect(provider.calls()).toBe(2);
      }
    });

    it('does not retry a client error', async () => {
      const provider = scriptedProvider(clientError(), 'never reached');
      const error = await providerErrorOf(guardWith().run(new Deadline(5_000), undefined, provider.call));
      expect(error.kind).toBe('client');
      expect(provider.calls()).toBe(1);
    });

    it("waits the provider's retry-after before the next attempt", async () => {
      const gap = await retryGap(
        { baseDelayMs: 1, maxDelayMs: 1 },
        new ProviderError('rate-limited', 'slow down', 429, 200),
      );
      expect(gap).toBeGreaterThanOrEqual(190);
    });

    it('waits no more than the capped backoff when the provider gives no retry-after', async () => {
      expect(await retryGap({ baseDelayMs: 5_000, maxDelayMs: 20 }, serverError())).toBeLessThan(500);
    });

    it('never waits past the deadline between tries, whatever the jittered backoff draws', async () => {
      // The longest draw of a 5 s backoff against a 300 ms deadline: the wait is cut to half of what is left
      // beyond a useful attempt, so the retry runs and answers inside the deadline (cockatiel's wait itself
      // ignores the deadline's signal).
      const random = jest.spyOn(Math, 'random').mockReturnValue(0.999);
      try {
        const provider = scriptedProvider(serverError(), 'in time');
        const started = performance.now();
        await expect(
          guardWith({ baseDelayMs: 5_000, maxDelayMs: 5_000 }).run(
            new Deadline(300),
            undefined,
            provider.call,
          ),
        ).resolves.toBe('in time');
        expect(provider.calls()).toBe(2);
        expect(performance.now() - started).toBeLessThan(300);
      } finally {
        random.mockRestore();
      }
    });

    it('ends a retry’s wait at once when the caller leaves, as cancelled, with no further attempt', async () => {
      const provider = scriptedProvider(
        new ProviderError('rate-limited', 'slow down', 429, 2_000),
        'never reached',
      );
      const caller = new AbortController();
      const started = performance.now();
      const run = guardWith().run(new Deadline(5_000), undefined, provider.call, [caller.signal]);
      setTimeout(() => caller.abort(), 50);
      const error = await providerErrorOf(run);
      expect(error.kind).toBe('cancelled');
      expect(provider.calls()).toBe(1);
      expect(performance.now() - started).toBeLessThan(1_000);
    });

    it('does not retry when the retry-after would not leave a useful attempt inside the deadline', async () => {
      const provider = scriptedProvider(
        new ProviderError('rate-limited', 'slow down', 429, 400),
        'never reached',
      );
      const started = performance.now();
      const error = await providerErrorOf(guardWith().run(new Deadline(300), undefined, provider.call));
      expect(error.kind).toBe('rate-limited');
      expect(error.retryAfterMs).toBe(400);
      expect(provider.calls()).toBe(1);
      // Given up at once, not after sleeping into the deadline.
      expect(performance.now() - started).toBeLessThan(200);
    });

    it(`does not retry when the retry-after would leave less than ${MIN_USEFUL_ATTEMPT_MS} ms for the attempt`, async () => {
      // 390 ms fit in a 400 ms deadline, but the attempt after them would have about 10 ms.
      const provider = scriptedProvider(new ProviderError('server', 'busy', 503, 390), 'never reached');
      const error = await providerErrorOf(guardWith().run(new Deadline(400), undefined, provider.call));
      expect(error.kind).toBe('server');
      expect(provider.calls()).toBe(1);
    });

    it('reports a thrown non-provider error as a network failure with its message', async () => {
      const thrower = () => Promise.reject(new TypeError('socket hang up'));
      const error = await providerErrorOf(
        guardWith({ maxAttempts: 1 }).run(new Deadline(5_000), undefined, thrower),
      );
      expect(error.kind).toBe('network');
      expect(error.message).toBe('socket hang up');

      // A rejection that is not an Error at all, as a careless SDK might produce.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      const stringThrower = () => Promise.reject('not an error');
      const other = await providerErrorOf(
        guardWith({ maxAttempts: 1 }).run(new Deadline(5_000), undefined, stringThrower),
      );
      expect(other.kind).toBe('network');
      expect(other.message).toBe('provider call failed');
    });
  });

  describe('circuit', () => {
    it('opens after consecutive unhealthy failures and then refuses calls without reaching the target', async () => {
      const guard = guardWith({ maxAttempts: 1 });
      const provider = scriptedProvider(serverError());
      for (let i = 0; i < SETTINGS.consecutiveFailures; i++) {
        expect(guard.isOpen()).toBe(false);
        await providerErrorOf(guard.run(new Deadline(5_000), undefined, provider.call));
      }
      expect(guard.isOpen()).toBe(true);
      const refused = await providerErrorOf(guard.run(new Deadline(5_000), undefined, provider.call));
      expect(refused.kind).toBe('circuit-open');
      expect(refused.message).toBe('circuit open: target skipped');
      expect(provider.calls()).toBe(SETTINGS.consecutiveFailures);
    });

    it('counts every retried attempt, so one request can open the circuit', async () => {
      const guard = guardWith({ maxAttempts: 3, consecutiveFailures: 3 });
      const provider = scriptedProvider(serverError());
      await providerErrorOf(guard.run(new Deadline(5_000), undefined, provider.call));
      expect(provider.calls()).toBe(3);
      expect(guard.isOpen()).toBe(true);
    });

    it('counts hung attempts cut by the timeout against the circuit', async () => {
      const guard = guardWith({ maxAttempts: 1, consecutiveFailures: 2 });
      const provider = scriptedProvider('hang');
      await providerErrorOf(guard.run(new Deadline(5_000), 40, provider.call));
      expect(guard.isOpen()).toBe(false);
      await providerErrorOf(guard.run(new Deadline(5_000), 40, provider.call));
      expect(guard.isOpen()).toBe(true);
    });

    it('counts an attempt the caller left (or a hedge dropped) as cancelled, never against the circuit', async () => {
      const guard = guardWith({ maxAttempts: 1, consecutiveFailures: 2 });
      for (let i = 0; i < 3; i += 1) {
        const caller = new AbortController();
        const run = guard.run(new Deadline(5_000), 2_000, scriptedProvider('hang').call, [caller.signal]);
        setTimeout(() => caller.abort(), 20);
        expect((await providerErrorOf(run)).kind).toBe('cancelled');
      }
      expect(guard.isOpen()).toBe(false);
    });

    it('does not count client errors or rate limits against the circuit', async () => {
      const guard = guardWith({ maxAttempts: 1, consecutiveFailures: 2 });
      for (const failure of [clientError(), new ProviderError('rate-limited', 'slow', 429), clientError()]) {
        await providerErrorOf(guard.run(new Deadline(5_000), undefined, scriptedProvider(failure).call));
      }
      expect(guard.isOpen()).toBe(false);
    });

    it('after the cool-down lets one trial through: success closes the circuit', async () => {
      const guard = guardWith({ maxAttempts: 1, consecutiveFailures: 1, cooldownMs: 150 });
      await providerErrorOf(guard.run(new Deadline(5_000), undefined, scriptedProvider(serverError()).call));
      expect(guard.isOpen()).toBe(true);
      await sleep(200);
      expect(guard.isOpen()).toBe(false);
      await expect(guard.run(new Deadline(5_000), undefined, scriptedProvider('back').call)).resolves.toBe(
        'back',
      );
      expect(guard.isOpen()).toBe(false);
    });

    it('after the cool-down a failed trial opens the circuit again at once', async () => {
      const guard = guardWith({ maxAttempts: 1, consecutiveFailures: 3, cooldownMs: 150 });
      const failing = scriptedProvider(serverError());
      for (let i = 0; i < 3; i++)
        await providerErrorOf(guard.run(new Deadline(5_000), undefined, failing.call));
      await sleep(200);
      expect(guard.isOpen()).toBe(false);
      await providerErrorOf(guard.run(new Deadline(5_000), undefined, failing.call));
      expect(guard.isOpen()).toBe(true);
      expect(failing.calls()).toBe(4);
    });

    it('record() feeds stream outcomes to the breaker: unhealthy failures open it, a success resets the count', async () => {
      const guard = guardWith({ consecutiveFailures: 2, cooldownMs: 150 });
      await guard.record(serverError());
      await guard.record('success');
      await guard.record(serverError());
      expect(guard.isOpen()).toBe(false);
      await guard.record(clientError());
      expect(guard.isOpen()).toBe(false);
      await guard.record(new ProviderError('timeout', 'stream stalled'));
      expect(guard.isOpen()).toBe(true);
      // A target used only through record() still half-opens after the cool-down.
      await sleep(200);
      expect(guard.isOpen()).toBe(false);
    });

    it('record() never throws, even when the circuit is open', async () => {
      const guard = guardWith({ consecutiveFailures: 1 });
      await expect(guard.record(serverError())).resolves.toBeUndefined();
      expect(guard.isOpen()).toBe(true);
      await expect(guard.record(serverError())).resolves.toBeUndefined();
      await expect(guard.record('success')).resolves.toBeUndefined();
    });

    it('reports every change of its circuit, for the ai_circuit_open gauge', async () => {
      const changes: boolean[] = [];
      const guard = createTargetGuard({ ...SETTINGS, consecutiveFailures: 1, cooldownMs: 50 }, (open) =>
        changes.push(open),
      );
      await guard.record(serverError());
      expect(changes).toEqual([true]);
      await sleep(80);
      const provider = scriptedProvider('ok');
      await guard.run(new Deadline(5_000), undefined, provider.call);
      // Half-open for the trial call, then closed by its success.
      expect(changes).toEqual([true, false, false]);
      expect(guard.isOpen()).toBe(false);
    });
  });
});
