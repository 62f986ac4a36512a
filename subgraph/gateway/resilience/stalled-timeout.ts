// Whose fault a timeout is. A timer measures wall time, and under local overload (our own CPU queueing, a
// long synchronous turn, a GC pause) a healthy provider's answer can sit unread while the attempt's clock
// runs out. Such a timeout is not the provider's: it fails as `overloaded`, which never counts against the
// target's circuit and never reads as PROVIDER_TIMEOUT. A genuinely hung provider, with the loop running
// freely, still times out as `timeout` and opens its circuit.
import { ProviderError } from '../../errors/provider-error';
import type { LoopStallClock } from '../../observability/event-loop-lag';

/**
 * A timeout is the provider's when the loop ran freely for at least this share of the clock's budget: the
 * provider had that long to answer and we were there to read it. Below it, the stall explains the timeout.
 * Half, not all: GC pauses and the odd long turn (tens of milliseconds, here and there) during a hung
 * provider's attempt must not excuse it, while the overload this is for stalls far more, the loop busy for
 * most of each turn. (Under a sustained overload a hung target's timeouts are then excused too: load shedding
 * is what keeps the loop free enough for timeouts to mean something, and LOAD_SHED_EVENT_LOOP_LAG_MS starts
 * it well before.)
 */
const FREE_SHARE_TO_BLAME = 0.5;

/** What a client told to come back is told: about one window of the loop's lag. */
export const OVERLOADED_RETRY_AFTER_MS = 1_000;

export interface TimeoutWatch {
  /**
   * Whether the loop's stall since the watch began explains a timeout of `budgetMs`: without the stall the
   * clock would not yet have run out, with half of it or more still to go.
   */
  stallExplains(budgetMs: number): boolean;
}

export function watchTimeout(clock: LoopStallClock): TimeoutWatch {
  const startedAt = performance.now();
  const stalledAtStart = clock.stalledMs();
  return {
    stallExplains(budgetMs) {
      const elapsed = performance.now() - startedAt;
      const stalled = clock.stalledMs() - stalledAtStart;
      // The share of what actually elapsed, when that is less than the budget: a timer keeps whole
      // milliseconds of the loop's clock, so one armed with a millisecond or two left (a stream's clock near
      // its cap) can fire before the budget has passed by performance.now(), with no stall at all.
      return elapsed - stalled < Math.min(elapsed, budgetMs) * FREE_SHARE_TO_BLAME;
    },
  };
}

export function overloadedError(): ProviderError {
  return new ProviderError(
    'overloaded',
    "the event loop's own lag ran out the attempt's clock; the provider is not blamed",
    null,
    OVERLOADED_RETRY_AFTER_MS,
  );
}
