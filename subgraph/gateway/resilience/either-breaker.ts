// A cockatiel breaker that opens on either rule: N consecutive failures, or a failure rate over a window.
import { ConsecutiveBreaker, CountBreaker } from 'cockatiel';
import type { CircuitState, IBreaker } from 'cockatiel';

export class EitherBreaker implements IBreaker {
  private readonly consecutive: ConsecutiveBreaker;
  private readonly rate: CountBreaker;

  constructor(options: { consecutiveFailures: number; failureRate: number; window: number }) {
    this.consecutive = new ConsecutiveBreaker(options.consecutiveFailures);
    this.rate = new CountBreaker({ threshold: options.failureRate, size: options.window });
  }

  get state(): unknown {
    return { consecutive: this.consecutive.state, rate: this.rate.state };
  }

  set state(value: unknown) {
    const saved = value as { consecutive: unknown; rate: unknown };
    this.consecutive.state = saved.consecutive as number;
    this.rate.state = saved.rate;
  }

  success(state: CircuitState): void {
    this.consecutive.success();
    this.rate.success(state);
  }

  failure(state: CircuitState): boolean {
    // Both must see every failure, so neither short-circuits the other.
    const byCount = this.consecutive.failure();
    const byRate = this.rate.failure(state);
    return byCount || byRate;
  }
}
