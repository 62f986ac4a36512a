// Load shedding: past LOAD_SHED_EVENT_LOOP_LAG_MS of event loop lag, new AI work is refused at once (RATE_LIMITED
// with retryAfterSeconds) instead of being queued behind the lag into timeouts that would blame healthy
// providers. Read where work starts, before any database or model call, so a refusal costs next to nothing.
// The lag read is the monitor's smoothed one (event-loop-lag.ts): it rises within a few hundred milliseconds
// of the loop falling behind and falls as fast once shedding has relieved it. Past the threshold a share of
// new work is shed, growing with the lag, so shedding holds the lag near the threshold rather than refusing
// everything for a whole window.
import type { Logger } from '../observability/logger';
import type { EventLoopLag } from '../observability/event-loop-lag';

export interface Shed {
  message: string;
  retryAfterSeconds: number;
}

export interface LoadShed {
  /** Why new AI work is refused now; null when the loop keeps up (or shedding is off). */
  check(): Shed | null;
}

export function createLoadShed(
  lag: Pick<EventLoopLag, 'lagMs'>,
  /** 0 turns shedding off. */
  thresholdMs: number,
  logger: Logger,
): LoadShed {
  // One log line when shedding starts and one when it stops: a line per refusal would add to the load.
  let shedding = false;
  return {
    check() {
      if (thresholdMs <= 0) return null;
      const lagMs = lag.lagMs();
      const over = lagMs > thresholdMs;
      if (over !== shedding) {
        shedding = over;
        const fields = { lagMs: Math.round(lagMs), thresholdMs };
        if (over) logger.warn(fields, 'event loop lagging: shedding new AI work with RATE_LIMITED');
        else logger.info(fields, 'event loop caught up: no longer shedding AI work');
      }
      // A share, not all: the share rises from none at the threshold to all at twice it. Refusing everything
      // the moment the lag crosses the line lets the refusals alone (each still parsed, authenticated and
      // answered) keep the loop behind, while no real work gets through; a share holds the lag near the
      // threshold with most of the work still served.
      if (!over || Math.random() >= (lagMs - thresholdMs) / thresholdMs) return null;
      // The lag falls within about a second of the work being shed: a client coming back then finds room.
      const retryAfterSeconds = Math.max(1, Math.ceil(lagMs / 1000));
      return {
        message: `This service is overloaded right now; retry in ${retryAfterSeconds} s.`,
        retryAfterSeconds,
      };
    },
  };
}

/** For features built outside the app (benchmarks of one stage): nothing is ever shed. */
export const NEVER_SHED: LoadShed = { check: () => null };
