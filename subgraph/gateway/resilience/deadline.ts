// The whole request's time budget. Each attempt gets min(its own timeout, what is left). A guarded call's
// signal, aborted when the budget is spent, is callSignal(), released when the call settles. `signal` is the
// budget's own, made when first asked for (a stream's failure reads it to tell a timeout from a network
// error): what every request allocates, an open stream holds.
import { callSignal } from './call-signal';
import type { CallSignal } from './call-signal';

/** An attempt shorter than this cannot usefully reach a provider: do not start one. */
export const MIN_USEFUL_ATTEMPT_MS = 25;

export class Deadline {
  private readonly endsAt: number;
  private timeoutSignal: AbortSignal | undefined;

  constructor(readonly budgetMs: number) {
    this.endsAt = performance.now() + budgetMs;
  }

  get signal(): AbortSignal {
    if (this.timeoutSignal) return this.timeoutSignal;
    const left = this.remainingMs();
    // Spent already: aborted now, as the timer's signal would be, not on the timer's next turn.
    this.timeoutSignal =
      left > 0
        ? AbortSignal.timeout(Math.ceil(left))
        : AbortSignal.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    return this.timeoutSignal;
  }

  /**
   * A signal aborted when the budget is spent or one of `sources` aborts, for one call: release() it once the
   * call has settled, so no timer waits for the deadline behind a call that is over (call-signal.ts).
   */
  callSignal(sources: readonly (AbortSignal | undefined)[] = []): CallSignal {
    return callSignal(sources, this.remainingMs());
  }

  /** Whichever of `deadline` and `other` ends first (`deadline` when `other` is absent). */
  static first(deadline: Deadline, other: Deadline | undefined): Deadline {
    return other && other.endsAt < deadline.endsAt ? other : deadline;
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - performance.now());
  }

  /** Whether what is left fits a useful attempt: none is started (nor charged for) when it does not. */
  leavesUsefulAttempt(): boolean {
    return this.remainingMs() >= MIN_USEFUL_ATTEMPT_MS;
  }

  expired(): boolean {
    return this.remainingMs() <= 0 || this.timeoutSignal?.aborted === true;
  }
}
