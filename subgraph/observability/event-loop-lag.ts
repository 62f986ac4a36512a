// How late this process's event loop runs, for two questions it is asked: "how much was the loop stalled
// between time A and time B" (so that an attempt timed out by our own CPU queueing is not blamed on its
// provider), and "how far behind is the loop now" (so that new AI work is shed before it queues into
// timeouts). One light interval timer answers both: whatever it fires later than its period is time the loop
// was busy elsewhere, added to a monotonic stalled-milliseconds counter and to a smoothed lag.
// perf_hooks' monitorEventLoopDelay keeps the histogram of the delay behind the operator's gauge (p99 of the
// last window). The timer is unref'd: it never keeps a process alive; stop() ends both.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';

/** The one question an attempt's timeout asks: read it at the start and at the end, and subtract. */
export interface LoopStallClock {
  /** Milliseconds the loop has been stalled since the monitor started: never decreases. */
  stalledMs(): number;
}

export interface EventLoopLag extends LoopStallClock {
  /**
   * The loop's lag now, smoothed (an exponentially weighted mean of each tick's lateness, time constant
   * SMOOTHING_MS): a burst of load shows within a few hundred milliseconds, a lone hiccup fades as fast.
   */
  lagMs(): number;
  /** p99 of the loop's delay over the last completed window (WINDOW_MS), from monitorEventLoopDelay. */
  recentP99Ms(): number;
  start(): void;
  stop(): void;
}

export interface EventLoopLagOptions {
  /** The timer's period; lateness beyond it (and TOLERANCE_MS) is stall. */
  tickMs?: number;
  /** The histogram's window: its p99 is taken, handed to onWindow, and the histogram starts afresh. */
  windowMs?: number;
  onWindow?: (p99Ms: number) => void;
}

const TICK_MS = 20;
const WINDOW_MS = 1_000;
/**
 * A timer fires a millisecond or two late even on an idle loop (its own granularity, a minor GC): lateness
 * up to this is noise, not stall. Without it an idle loop would count a tenth of its time as stalled.
 */
const TOLERANCE_MS = 5;
/** The smoothed lag's time constant: it reacts within about twice this, well inside a second. */
const SMOOTHING_MS = 300;

/** Lateness of a tick beyond its period and the tolerance. */
const beyond = (elapsedMs: number, tickMs: number) => Math.max(0, elapsedMs - tickMs - TOLERANCE_MS);

export function createEventLoopLag(options: EventLoopLagOptions = {}): EventLoopLag {
  const tickMs = options.tickMs ?? TICK_MS;
  const windowMs = options.windowMs ?? WINDOW_MS;
  let histogram: IntervalHistogram | null = null;
  let timer: NodeJS.Timeout | null = null;
  let lastTick = performance.now();
  let windowStart = lastTick;
  let stalled = 0;
  let smoothed = 0;
  let windowP99 = 0;

  const tick = () => {
    const now = performance.now();
    const elapsed = now - lastTick;
    const late = beyond(elapsed, tickMs);
    stalled += late;
    // Weighted by the time the sample covers: one tick held up by a 2 s block outweighs a hundred on time.
    smoothed += (1 - Math.exp(-elapsed / SMOOTHING_MS)) * (late - smoothed);
    lastTick = now;
    // A late tick leaves the window open for the next one: the histogram's own timer, due in the same block,
    // may not have recorded that block yet, and a reset before it does drops the sample (a reset forgets the
    // time of the last one). Under a loop so busy that every tick is late, the window closes anyway at twice
    // its length.
    const windowAge = now - windowStart;
    if (histogram && windowAge >= windowMs && (late === 0 || windowAge >= 2 * windowMs)) {
      windowP99 = histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
      histogram.reset();
      windowStart = now;
      options.onWindow?.(windowP99);
    }
  };

  return {
    // The tick in progress counts too: a timeout that fires as a long block ends (before this timer's own
    // callback has run) must see that block.
    stalledMs: () => stalled + (timer ? beyond(performance.now() - lastTick, tickMs) : 0),
    // Without the tick in progress: within one busy turn (a burst of requests read together) the last ones
    // would see the turn's own length and be shed, though the turn ends as soon as they are read. A block
    // long enough to matter ends in the timers phase, where this tick runs before any new request is read.
    lagMs: () => smoothed,
    recentP99Ms: () => windowP99,
    start() {
      if (timer) return;
      histogram = monitorEventLoopDelay({ resolution: tickMs });
      histogram.enable();
      lastTick = performance.now();
      windowStart = lastTick;
      timer = setInterval(tick, tickMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      histogram?.disable();
      histogram = null;
      smoothed = 0;
    },
  };
}

/** A clock that never stalls: where no monitor runs (a gateway built alone), every timeout is the target's. */
export const NO_STALLS: LoopStallClock = { stalledMs: () => 0 };
