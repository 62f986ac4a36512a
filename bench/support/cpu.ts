// CPU accounting for one scenario on Linux: how many cores each of our processes used, and how many the
// whole machine used, so that a result taken while something else loaded the machine says so.
import { readFileSync } from 'node:fs';

export const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every mainstream Linux build

export interface CpuSample {
  at: number;
  perPid: Map<number, number>;
  machineBusy: number;
}

/** User and system CPU ticks from a `stat` file of /proc (a process's, or one thread's under task/). */
export function statTicks(statPath: string): number {
  const stat = readFileSync(statPath, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function processTicks(pid: number): number {
  try {
    return statTicks(`/proc/${pid}/stat`);
  } catch {
    return Number.NaN;
  }
}

function machineBusyTicks(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, ...values] = line.trim().split(/\s+/);
    const ticks = values.map(Number);
    // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
    const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
    return total - (ticks[3] ?? 0) - (ticks[4] ?? 0);
  } catch {
    return Number.NaN;
  }
}

export function sampleCpu(pids: readonly number[]): CpuSample {
  return {
    at: performance.now(),
    perPid: new Map(pids.map((pid) => [pid, processTicks(pid)])),
    machineBusy: machineBusyTicks(),
  };
}

export interface CpuUse {
  /** Cores used by each named process over the interval. */
  processes: Record<string, number>;
  /** Cores busy machine-wide; `other` is what none of our processes used. */
  machine: number;
  other: number;
  /** Length of the interval, seconds. */
  seconds: number;
}

export function cpuBetween(before: CpuSample, after: CpuSample, names: Record<number, string>): CpuUse {
  const seconds = (after.at - before.at) / 1000;
  const processes: Record<string, number> = {};
  let ours = 0;
  for (const [pid, ticks] of after.perPid) {
    const used = (ticks - (before.perPid.get(pid) ?? Number.NaN)) / TICKS_PER_SECOND / seconds;
    processes[names[pid] ?? String(pid)] = used;
    if (Number.isFinite(used)) ours += used;
  }
  const machine = (after.machineBusy - before.machineBusy) / TICKS_PER_SECOND / seconds;
  return { processes, machine, other: Math.max(0, machine - ours), seconds };
}

/** The average use over several intervals (the slices of an interleaved run), weighted by their length. */
export function combineCpu(uses: readonly CpuUse[]): CpuUse {
  const seconds = uses.reduce((total, use) => total + use.seconds, 0);
  const mean = (pick: (use: CpuUse) => number) =>
    uses.reduce((total, use) => total + pick(use) * use.seconds, 0) / seconds;
  const names = [...new Set(uses.flatMap((use) => Object.keys(use.processes)))];
  return {
    processes: Object.fromEntries(names.map((name) => [name, mean((use) => use.processes[name] ?? NaN)])),
    machine: mean((use) => use.machine),
    other: mean((use) => use.other),
    seconds,
  };
}
