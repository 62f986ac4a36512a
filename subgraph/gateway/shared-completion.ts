// Identical completions in flight at once share one walk (single-flight), yet each caller keeps its own
// deadline: the flight key holds no deadline, so the leader's walk runs under the leader's. A joiner waits for
// it at most until its own deadline ends. When the walk failed because the leader's deadline ran out while the
// joiner still has time, the joiner does not inherit that failure: it calls again, leading a walk under its own
// deadline (or joining the one a fellow joiner started first), and pays for that walk alone. A joiner whose own
// deadline ends first gets what `timedOut` gives: the ladder's last rungs (a stale entry, else the timeout).
import { SingleFlight } from './cache/single-flight';
import type { CompletionOutcome } from './gateway-call';
import { joinedOutcome } from './gateway-outcomes';
import type { Deadline } from './resilience/deadline';
import { within } from './resilience/within';

/** An outcome and what the cache lookup behind it found, for the per-request metric. */
export interface Looked {
  outcome: CompletionOutcome;
  lookup: 'hit' | 'miss' | 'stale';
}

/** A walk's result, and whether its leader's deadline was spent by its end: a failure then may be the clock's. */
interface Led extends Looked {
  leaderOutOfTime: boolean;
}

export class SharedCompletions {
  private readonly flights = new SingleFlight<Led>();

  /**
   * `walk` led by this caller, or the walk in flight under `key` joined, each bounded by `deadline`; `timedOut`
   * is a joiner's outcome when its deadline ends before the walk does.
   */
  async run(
    key: string,
    deadline: Deadline,
    walk: () => Promise<Looked>,
    timedOut: () => Promise<Looked>,
  ): Promise<Looked> {
    for (;;) {
      const flight = this.flights.run(key, async () => ({
        ...(await walk()),
        leaderOutOfTime: !deadline.leavesUsefulAttempt(),
      }));
      if (!flight.shared) return flight.result;
      const led = await within(flight.result, Math.ceil(deadline.remainingMs()));
      // The joiner's own time is up: the leader's walk goes on, charged to the leader alone.
      if (!led) return timedOut();
      if (!diedOfLeadersClock(led) || !deadline.leavesUsefulAttempt()) {
        return { outcome: joinedOutcome(led.outcome), lookup: led.lookup };
      }
      // The key was freed as the flight settled: this caller leads the next walk, or joins whoever does.
    }
  }
}

/**
 * A failure the leader's deadline explains: any other (every target down, a refusal, which is the limit's
 * answer to the joiner as well) is shared as it is, so that an outage still costs one walk, not one per caller.
 */
function diedOfLeadersClock({ outcome, leaderOutOfTime }: Led): boolean {
  return outcome.kind === 'failed' && outcome.refusedBy === undefined && leaderOutOfTime;
}
