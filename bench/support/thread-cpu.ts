// CPU per thread of one process (Linux, /proc/<pid>/task): which of a Node process's threads did the work, the
// main thread (its tid is the pid) against worker threads, libuv's pool and V8's helpers, which a CPU profile
// of the main thread does not see. Node names none of them, so threads are told apart by id and ranked by use.
import { readdirSync } from 'node:fs';
import { statTicks, TICKS_PER_SECOND } from './cpu';

function threadTicks(pid: number): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ticks.set(Number(tid), statTicks(`/proc/${pid}/task/${tid}/stat`));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ticks;
}

export interface ThreadCpu {
  /** Milliseconds of CPU of the main thread. */
  mainMs: number;
  /** Milliseconds of CPU of every other thread, busiest first. */
  othersMs: number[];
}

/** Starts counting; the returned function gives each thread's CPU since. */
export function countThreadCpu(pid: number): () => ThreadCpu {
  const before = threadTicks(pid);
  return () => {
    const used = [...threadTicks(pid)].map(
      ([tid, ticks]) => [tid, ((ticks - (before.get(tid) ?? 0)) * 1000) / TICKS_PER_SECOND] as const,
    );
    return {
      mainMs: used.find(([tid]) => tid === pid)?.[1] ?? 0,
      othersMs: used
        .filter(([tid]) => tid !== pid)
        .map(([, ms]) => ms)
        .sort((a, b) => b - a),
    };
  };
}
