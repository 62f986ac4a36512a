// The circuit breaker's two rules: N consecutive failures, or a failure rate over the last `window` calls.
// Each rule is shown opening the circuit on its own, below the other's threshold, and not opening below its
// own; a rate of 1 turns the rate rule off.
import { CircuitState, circuitBreaker, handleAll } from 'cockatiel';
import { EitherBreaker } from '../../subgraph/gateway/resilience/either-breaker';

type Outcome = 'S' | 'F';

/** Feeds outcomes to a closed breaker; the index of the first failure that opens it, or null. */
function firstOpening(breaker: EitherBreaker, outcomes: Outcome[]): number | null {
  for (const [index, outcome] of outcomes.entries()) {
    if (outcome === 'S') breaker.success(CircuitState.Closed);
    else if (breaker.failure(CircuitState.Closed)) return index;
  }
  return null;
}

const pattern = (text: string): Outcome[] => [...text] as Outcome[];

/** After `calls` a closed breaker has not opened; whether one more failure opens it is `opens`. */
function expectNextFailureOpens(
  options: ConstructorParameters<typeof EitherBreaker>[0],
  calls: string,
  opens: boolean,
): void {
  const breaker = new EitherBreaker(options);
  expect(firstOpening(breaker, pattern(calls))).toBeNull();
  expect(breaker.failure(CircuitState.Closed)).toBe(opens);
}

/** A breaker fed `calls`, and a new one with the same options given the first one's saved state. */
function savedAndRestored(options: ConstructorParameters<typeof EitherBreaker>[0], calls: string) {
  const saved = new EitherBreaker(options);
  firstOpening(saved, pattern(calls));
  const restored = new EitherBreaker(options);
  restored.state = saved.state;
  return { saved, restored };
}

describe('EitherBreaker', () => {
  describe('the failure-rate rule', () => {
    it('opens on a failure rate over the window while failures never run consecutively to the threshold', () => {
      const breaker = new EitherBreaker({ consecutiveFailures: 3, failureRate: 0.5, window: 6 });
      // Two failures in a row at most (threshold 3); the sixth call fills the window at 4 of 6 failed.
      expect(firstOpening(breaker, pattern('SFFSFF'))).toBe(5);
    });

    it('opens through a cockatiel circuit: the policy breaks and later calls are refused', async () => {
      const policy = circuitBreaker(handleAll, {
        halfOpenAfter: 60_000,
        breaker: new EitherBreaker({ consecutiveFailures: 5, failureRate: 0.5, window: 4 }),
      });
      const fail = () => policy.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
      const succeed = () => policy.execute(() => Promise.resolve('ok'));
      await fail();
      await succeed();
      await fail();
      expect(policy.state).toBe(CircuitState.Closed);
      await fail(); // 3 of the last 4 failed, never more than one in a row
      expect(policy.state).toBe(CircuitState.Open);
      await expect(succeed()).rejects.toThrow(/circuit/i);
    });

    it('does not open at exactly the rate or below it, however long it runs', () => {
      const atRate = new EitherBreaker({ consecutiveFailures: 3, failureRate: 0.5, window: 6 });
      expect(firstOpening(atRate, pattern('FS'.repeat(50)))).toBeNull();
      const below = new EitherBreaker({ consecutiveFailures: 3, failureRate: 0.5, window: 6 });
      expect(firstOpening(below, pattern('FSS'.repeat(50)))).toBeNull();
    });

    it('waits for a full window before judging the rate', () => {
      // Five of five failed, but the window holds six: only the sixth call may open it.
      expectNextFailureOpens({ consecutiveFailures: 10, failureRate: 0.5, window: 6 }, 'FFFFF', true);
    });

    it('judges only the last window of calls: old failures slide out', () => {
      // FFSS then SS: the window is now SSSS; one new failure is 1 of 4.
      expectNextFailureOpens({ consecutiveFailures: 10, failureRate: 0.5, window: 4 }, 'FSFSSSSS', false);
    });

    it('is off at a rate of 1: any share of failures short of the consecutive threshold keeps it closed', () => {
      const breaker = new EitherBreaker({ consecutiveFailures: 3, failureRate: 1, window: 4 });
      expect(firstOpening(breaker, pattern('FFS'.repeat(50)))).toBeNull();
      expect(breaker.state).toEqual({ consecutive: 0, rate: null });
    });

    it('sees every failure, even one on which the consecutive rule already opened', () => {
      const breaker = new EitherBreaker({ consecutiveFailures: 2, failureRate: 0.5, window: 4 });
      expect(firstOpening(breaker, pattern('FF'))).toBe(1);
      // The window is F F S F: 3 of 4 failed, so the rate rule opens although the consecutive count is 1.
      expect(firstOpening(breaker, pattern('SF'))).toBe(1);
    });
  });

  describe('the consecutive-failure rule', () => {
    it('opens on the Nth failure in a row while the rate over the window is still under the threshold', () => {
      const breaker = new EitherBreaker({ consecutiveFailures: 3, failureRate: 0.9, window: 20 });
      expect(firstOpening(breaker, pattern('SSSSSSSFFF'))).toBe(9);
    });

    it('starts counting again after a success', () => {
      expectNextFailureOpens({ consecutiveFailures: 3, failureRate: 1, window: 4 }, 'FFSFFSFF', true);
    });
  });

  it('a failure of the half-open trial opens the circuit again at once', () => {
    const breaker = new EitherBreaker({ consecutiveFailures: 3, failureRate: 0.5, window: 10 });
    expect(breaker.failure(CircuitState.HalfOpen)).toBe(true);
  });

  it('a success of the half-open trial clears the rate window', () => {
    const breaker = new EitherBreaker({ consecutiveFailures: 10, failureRate: 0.5, window: 4 });
    expect(firstOpening(breaker, pattern('FSF'))).toBeNull();
    breaker.success(CircuitState.HalfOpen);
    // Without the reset the window would be F S F S and one more failure would make 3 of 4.
    expect(firstOpening(breaker, pattern('FSS'))).toBeNull();
  });

  it('restores the consecutive count from a saved state', () => {
    const { saved, restored } = savedAndRestored({ consecutiveFailures: 3, failureRate: 1, window: 4 }, 'FF');
    expect(restored.state).toEqual(saved.state);
    expect(restored.failure(CircuitState.Closed)).toBe(true);
  });

  it('restores the rate window from a saved state', () => {
    const { saved, restored } = savedAndRestored(
      { consecutiveFailures: 10, failureRate: 0.5, window: 4 },
      'FSF',
    );
    expect(restored.state).toEqual(saved.state);
    // F S F carried over: one more failure fills the window at 3 of 4.
    expect(restored.failure(CircuitState.Closed)).toBe(true);
  });
});
