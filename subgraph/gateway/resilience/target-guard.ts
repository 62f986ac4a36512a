// Per-target resilience with cockatiel: a circuit breaker shared by all requests to the target, and, per
// request, retries with jittered exponential backoff (or the provider's retry-after) inside the deadline,
// each attempt bounded by a timeout whose AbortSignal reaches the SDK call. A timeout the event loop's own stall
// explains fails as `overloaded` (stalled-timeout.ts), which the breaker does not count.
import {
  BrokenCircuitError,
  CircuitState,
  DelegateBackoff,
  IsolatedCircuitError,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
} from 'cockatiel';
import type { IRetryBackoffContext } from 'cockatiel';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderError } from '../../errors/provider-error';
import { NO_STALLS } from '../../observability/event-loop-lag';
import type { LoopStallClock } from '../../observability/event-loop-lag';
import { MIN_USEFUL_ATTEMPT_MS } from './deadline';
import type { Deadline } from './deadline';
import { EitherBreaker } from './either-breaker';
import { overloadedError, watchTimeout } from './stalled-timeout';

export interface ResilienceSettings {
  attemptTimeoutMs: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  consecutiveFailures: number;
  failureRate: number;
  rateWindow: number;
  cooldownMs: number;
}

export { MIN_USEFUL_ATTEMPT_MS };

/** What an attempt the deadline has no useful time left for fails with, before it starts. */
export const deadlineSpentError = (): ProviderError =>
  new ProviderError('timeout', 'deadline spent before the attempt');

export interface TargetGuard {
  isOpen(): boolean;
  /**
   * `leave`: signals that end the run as `cancelled` (the caller left, a hedge answered first): an attempt in
   * flight is aborted, and a retry's wait ends at once instead of holding the caller or the job's slot.
   */
  run<T>(
    deadline: Deadline,
    attemptTimeoutMs: number | undefined,
    call: (signal: AbortSignal) => Promise<T>,
    leave?: readonly (AbortSignal | undefined)[],
  ): Promise<T>;
  /** For streams, which cannot be retried once text has flowed: records one outcome in the breaker. */
  record(outcome: 'success' | ProviderError): Promise<void>;
}

/**
 * A run its caller left (or a hedge dropped): the attempt's own error where it already clears the target (its
 * `cancelled`, an embedding's `client`), else `cancelled`, never a timeout the race of the leaving made.
 */
function cancelled(error: unknown): ProviderError {
  return ProviderError.isInstance(error) && !error.retryable && !error.countsAgainstCircuit
    ? error
    : new ProviderError('cancelled', 'attempt abandoned: the caller left or a hedge answered first');
}

/** A failure of any shape as the ProviderError the gateway reasons about. */
function normalize(error: unknown, deadline: Deadline): ProviderError {
  if (ProviderError.isInstance(error)) return error;
  if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
    return new ProviderError('circuit-open', 'circuit open: target skipped');
  }
  if (error instanceof TaskCancelledError || deadline.expired()) {
    return new ProviderError('timeout', 'provider did not answer in time');
  }
  return new ProviderError('network', error instanceof Error ? error.message : 'provider call failed');
}

/**
 * Retries of retryable failures with full-jitter backoff, or the provider's retry-after, inside the deadline.
 * The wait before a retry is handed to `waitBeforeRetry` and cockatiel itself waits 0: its wait between tries
 * watches no signal, so the guard sleeps it, ended by the deadline or by the caller leaving.
 */
function retryPolicy(
  settings: ResilienceSettings,
  deadline: Deadline,
  waitBeforeRetry: (ms: number) => void,
) {
  const delayFor = (error: unknown, attempt: number): number => {
    const hinted = ProviderError.isInstance(error) ? error.retryAfterMs : null;
    if (hinted !== null) return hinted;
    // Full jitter: spreads the retries of many clients hitting the same failing provider. Never more than half
    // of what the deadline leaves beyond a useful attempt: a longer wait would leave the retry too little.
    const jittered = Math.random() * Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
    return Math.min(jittered, Math.max(0, (deadline.remainingMs() - MIN_USEFUL_ATTEMPT_MS) / 2));
  };
  return retry(
    handleWhen((error) => {
      if (!ProviderError.isInstance(error) || !error.retryable) return false;
      // Never retry past the deadline: the provider's retry-after must fit in what is left.
      const wait = error.retryAfterMs ?? 0;
      return wait + MIN_USEFUL_ATTEMPT_MS < deadline.remainingMs();
    }),
    {
      maxAttempts: settings.maxAttempts - 1,
      backoff: new DelegateBackoff((context: IRetryBackoffContext<unknown>) => {
        waitBeforeRetry('error' in context.result ? delayFor(context.result.error, context.attempt) : 0);
        return 0;
      }),
    },
  );
}

export function createTargetGuard(
  settings: ResilienceSettings,
  onCircuitChange: (open: boolean) => void = () => undefined,
  loopStalls: LoopStallClock = NO_STALLS,
): TargetGuard {
  const circuit = circuitBreaker(
    handleWhen((error) => ProviderError.isInstance(error) && error.countsAgainstCircuit),
    {
      halfOpenAfter: settings.cooldownMs,
      breaker: new EitherBreaker({
        consecutiveFailures: settings.consecutiveFailures,
        failureRate: settings.failureRate,
        window: settings.rateWindow,
      }),
    },
  );

  // cockatiel leaves the state Open after the cool-down until the next execute() half-opens it, so isOpen()
  // must check the cool-down itself, or a target used only through record() (streams) would never half-open.
  let openedAt = 0;
  circuit.onBreak(() => {
    openedAt = Date.now();
    onCircuitChange(true);
  });
  circuit.onReset(() => onCircuitChange(false));
  circuit.onHalfOpen(() => onCircuitChange(false));

  return {
    isOpen: () => circuit.state === CircuitState.Open && Date.now() - openedAt < settings.cooldownMs,

    async run(deadline, attemptTimeoutMs, call, leave = []) {
      const perAttempt = attemptTimeoutMs ?? settings.attemptTimeoutMs;
      let waitMs = 0;
      const retries = retryPolicy(settings, deadline, (ms) => (waitMs = ms));
      // Ends the run at the deadline or when the caller leaves: cuts an attempt and a retry's wait, and stops
      // further tries. Released when the run settles.
      const expiry = deadline.callSignal(leave);
      const left = () => leave.some((signal) => signal?.aborted);
      try {
        return await retries.execute(async () => {
          if (waitMs > 0) {
            const ms = waitMs;
            waitMs = 0;
            await sleep(ms, undefined, { signal: expiry.signal });
          }
          const budget = Math.min(perAttempt, deadline.remainingMs());
          if (budget < MIN_USEFUL_ATTEMPT_MS) throw deadlineSpentError();
          // The timeout sits inside the breaker, translated first, so a hung target counts as a failure, and
          // one our own stalled loop ran out does not.
          return circuit.execute(async () => {
            const watch = watchTimeout(loopStalls);
            try {
              // Not aborted on return: the call has settled by then (the race ends it on timeout), and an abort
              // per call costs a DOMException and the SDK's abort listeners for nothing.
              return await timeout(budget, {
                strategy: TimeoutStrategy.Aggressive,
                abortOnReturn: false,
              }).execute(({ signal }) => call(signal), expiry.signal);
            } catch (error) {
              // The caller left or a hedge answered: the timeout's race may end first, but it is no timeout.
              if (left()) throw cancelled(error);
              const failure = normalize(error, deadline);
              // status null: our clock, not a provider's 408.
              const ours = failure.kind === 'timeout' && failure.status === null;
              throw ours && watch.stallExplains(budget) ? overloadedError() : failure;
            }
          });
        }, expiry.signal);
      } catch (error) {
        // Left while waiting to retry: the target did nothing wrong.
        if (left()) throw cancelled(error);
        throw normalize(error, deadline);
      } finally {
        expiry.release();
      }
    },

    async record(outcome) {
      await circuit
        .execute(async () => {
          if (outcome !== 'success') throw outcome;
        })
        .catch(() => undefined);
    },
  };
}
