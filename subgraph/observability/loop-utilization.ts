// How busy this process's event loop has been lately: the share of the last window it spent running code
// rather than waiting for I/O (perf_hooks' event loop utilization). The job runner asks before starting
// another run, so background work leaves the loop room for the requests callers are waiting on.
// Read lazily, with no timer: a window closes when it is asked about at least `windowMs` after the last one
// closed, so an idle process pays nothing.
import { performance } from 'node:perf_hooks';

export interface LoopUtilization {
  /** Share (0..1) of the last closed window the event loop ran code. */
  busy(): number;
}

const WINDOW_MS = 100;

export function watchLoopUtilization(windowMs = WINDOW_MS): LoopUtilization {
  let mark = performance.eventLoopUtilization();
  let closedAt = performance.now();
  let busy = 0;
  return {
    busy() {
      const now = performance.now();
      if (now - closedAt < windowMs) return busy;
      const latest = performance.eventLoopUtilization();
      busy = performance.eventLoopUtilization(latest, mark).utilization;
      mark = latest;
      closedAt = now;
      return busy;
    },
  };
}
