// The whole request's time budget. Each attempt gets min(its own timeout, what is left); the signal aborts
// everything still running when the budget is spent.
export class Deadline {
  private readonly endsAt: number;
  readonly signal: AbortSignal;

  constructor(readonly budgetMs: number) {
    this.endsAt = performance.now() + budgetMs;
    this.signal = AbortSignal.timeout(budgetMs);
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - performance.now());
  }

  expired(): boolean {
    return this.remainingMs() <= 0 || this.signal.aborted;
  }
}
