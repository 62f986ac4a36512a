// How busy an event loop has been lately: the share of the last window it spent running code rather than
// waiting (perf_hooks' event loop utilization). The job runner asks before starting another run, so background
// work leaves room for the requests callers are waiting on: this process's loop, and PGlite's thread (whose
// statements a start waits behind) read through its Worker.
// Read lazily, with no timer: a window closes when it is asked about at least `windowMs` after the last one
// closed, so an idle process pays nothing.
import { performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';

/** A thread's cumulative utilization: performance.eventLoopUtilization, or a Worker's performance's. */
export type UtilizationReader = () => EventLoopUtilization;

export interface LoopUtilization {
  /** Share (0..1) of the last closed window the loop ran code. */
  busy(): number;
}

const WINDOW_MS = 100;
const THIS_THREAD: UtilizationReader = () => performance.eventLoopUtilization();

export function watchLoopUtilization(read = THIS_THREAD, windowMs = WINDOW_MS): LoopUtilization {
  let mark = read();
  let closedAt = performance.now();
  let busy = 0;
  return {
    busy() {
      const now = performance.now();
      if (now - closedAt < windowMs) return busy;
      const latest = read();
      const active = latest.active - mark.active;
      const total = active + latest.idle - mark.idle;
      busy = total > 0 ? active / total : 0;
      mark = latest;
      closedAt = now;
      return busy;
    },
  };
}
