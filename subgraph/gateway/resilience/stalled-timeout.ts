// Whose fault a timeout is. A timer measures wall time, and under local overload (our own CPU queueing, a
// long synchronous turn, a GC pause) a healthy provider's answer can sit unread while the attempt's clock
// runs out. Such a timeout is not the provider's: it fails as `overloaded`, which never counts against the
// target's circuit and never reads as PROVIDER_TIMEOUT. A genuinely hung provider, with the loop running
// freely, still times out as `timeout` and opens its circuit.
import { ProviderError } from '../../errors/provider-error';
import type { LoopStallClock } from '../../observability/event-loop-lag';

/**
 * The share of a clock's budget the loop may stall without excusing its timeout, and its floor: a few
 * scattered hiccups during a hung provider's attempt do not make it ours. Past that, the provider has not had
 * its budget of running loop, and blaming it would open circuits on healthy targets. (Under a sustained
 * overload nearly every timeout is then excused, a hung target's too: load shedding is what keeps the loop
 * free enough for timeouts to mean something, and LOAD_SHED_EVENT_LOOP_LAG_MS starts it well before.)
 */
const EXCUSED_SHARE = 0.1;
const EXCUSED_FLOOR_MS = 20;

/** What a client told to come back is told: about one window of the loop's lag. */
export const OVERLOADED_RETRY_AFTER_MS = 1_000;

export interface TimeoutWatch {
  /**
   * Whether the loop's stall since the watch began explains a timeout of `budgetMs`: without the stall the
   * clock would not yet have run out (by more than the excused share).
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
      const excused = Math.max(EXCUSED_FLOOR_MS, budgetMs * EXCUSED_SHARE);
      return elapsed - stalled < budgetMs - excused;
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
