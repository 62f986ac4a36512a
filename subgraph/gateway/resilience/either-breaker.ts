// A cockatiel breaker that opens on either rule: N consecutive failures, or a failure rate over a window.
import { ConsecutiveBreaker, CountBreaker } from 'cockatiel';
import type { CircuitState, IBreaker } from 'cockatiel';

export class EitherBreaker implements IBreaker {
  private readonly consecutive: ConsecutiveBreaker;
  /** Null when the rate is 1: a failure rate can never exceed 1 (and CountBreaker rejects a threshold of 1). */
  private readonly rate: CountBreaker | null;

  constructor(options: { consecutiveFailures: number; failureRate: number; window: number }) {
    this.consecutive = new ConsecutiveBreaker(options.consecutiveFailures);
    this.rate =
      options.failureRate < 1
        ? new CountBreaker({ threshold: options.failureRate, size: options.window })
        : null;
  }

  get state(): unknown {
    return { consecutive: this.consecutive.state, rate: this.rate?.state ?? null };
  }

  set state(value: unknown) {
    const saved = value as { consecutive: unknown; rate: unknown };
    this.consecutive.state = saved.consecutive as number;
    if (this.rate) this.rate.state = saved.rate;
  }

  success(state: CircuitState): void {
    this.consecutive.success();
    this.rate?.success(state);
  }

  failure(state: CircuitState): boolean {
    // Both must see every failure, so neither short-circuits the other.
    const byCount = this.consecutive.failure();
    const byRate = this.rate ? this.rate.failure(state) : false;
    return byCount || byRate;
  }
}
