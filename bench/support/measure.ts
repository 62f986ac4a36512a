// One measured scenario: the load run, the CPU each of our processes used over its window, and, when the
// server is the subgraph child, the subgraph's own timing of the same responses. Interleaved scenarios run in
// alternating slices so that drift in the machine's background load falls on all of them alike.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Child } from './child-process';
import { combineCpu, cpuBetween, sampleCpu } from './cpu';
import type { CpuSample, CpuUse } from './cpu';
import { failuresOf, runWindow, summarize } from './load';
import type { LoadResult, LoadSpec, LoadWindow } from './load';
import type { HttpTimings } from './servers/subgraph-server';

/** The processes whose CPU a scenario reports: the server under test, and others by name (e.g. providers). */
export interface UnderTest {
  server: Child;
  others?: Record<string, Child>;
  /** The server is the subgraph child, which records its own HTTP timings. */
  subgraph?: boolean;
}

export interface Measured {
  load: LoadResult;
  cpu: CpuUse;
  /** The subgraph's own view of the same responses (request head parsed → response finished), when measured. */
  http?: HttpTimings;
}

const fixed = (value: number | null | undefined, digits = 2) =>
  value !== null && value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : '–';

/** CPU milliseconds the server under test spent per response: robust to what else loads the machine. */
export const cpuMsPerResponse = ({ load, cpu }: Measured): number =>
  load.responses > 0 ? ((cpu.processes.server ?? NaN) * load.durationS * 1000) / load.responses : NaN;

function names(processes: UnderTest): Record<number, string> {
  const named: Record<number, string> = { [process.pid]: 'load', [processes.server.pid]: 'server' };
  for (const [name, child] of Object.entries(processes.others ?? {})) named[child.pid] = name;
  return named;
}

/** A window of `spec` with the CPU of `processes` sampled over exactly that window. */
async function cpuWindow(
  spec: LoadSpec,
  processes: UnderTest,
  onWindow?: () => Promise<void>,
): Promise<{ window: LoadWindow; cpu: CpuUse }> {
  const named = names(processes);
  const pids = Object.keys(named).map(Number);
  const opened: { cpu?: CpuSample; hook: Promise<void> } = { hook: Promise.resolve() };
  const window = await runWindow(spec, () => {
    opened.cpu = sampleCpu(pids);
    opened.hook = (async () => {
      if (processes.subgraph) await processes.server.call('httpTimings');
      await onWindow?.();
    })();
  });
  const end = sampleCpu(pids);
  await opened.hook;
  return { window, cpu: cpuBetween(opened.cpu ?? end, end, named) };
}

function report(measured: Measured): void {
  const { load, cpu, http } = measured;
  console.log(
    `  ${load.title} @${load.connections}: ${load.rps.toFixed(0)} req/s, p50 ${fixed(load.p50Ms)} ms, ` +
      `p99 ${fixed(load.p99Ms)} ms; cores: server ${fixed(cpu.processes.server)}, ` +
      `machine ${fixed(cpu.machine)}, not ours ${fixed(cpu.other)}; ` +
      (http
        ? `in Node p50 ${fixed(http.p50Ms)} p99 ${fixed(http.p99Ms)} max ${fixed(http.maxMs)} ms; `
        : '') +
      JSON.stringify(load.counts) +
      `; slowest ${load.slowest.map((r) => `${r.ms.toFixed(0)} ms @${r.atS.toFixed(1)} s`).join(', ')}`,
  );
}

/**
 * One scenario: `spec.warmupS` of warm-up then `spec.durationS` measured, on the same connections. `onWindow`
 * runs when the measured window opens (a fault to switch on, a metrics snapshot to take) while the load goes on.
 */
export async function measure(
  spec: LoadSpec,
  processes: UnderTest,
  onWindow?: () => Promise<void>,
): Promise<Measured> {
  const { window, cpu } = await cpuWindow(spec, processes, onWindow);
  const http = processes.subgraph ? await processes.server.call<HttpTimings>('httpTimings') : undefined;
  const measured = { load: summarize(spec, [window]), cpu, http };
  report(measured);
  await sleep(500);
  return measured;
}

/**
 * Several scenarios in alternating slices (a b c a b c ...), each getting its `durationS` in total; the first
 * slice of each has its full warm-up, the later ones one second (their connections are new). With `alternate`
 * every other slice runs in reverse order (a b, b a, a b, ...): on this machine the scenario that opens a slice
 * measures a few per cent slower (an A/A run shows it), which a fixed order charges to one scenario only.
 */
export async function measureInterleaved(
  scenarios: readonly { spec: LoadSpec; processes: UnderTest }[],
  slices: number,
  options: { alternate?: boolean } = {},
): Promise<Measured[]> {
  const windows: { window: LoadWindow; cpu: CpuUse }[][] = scenarios.map(() => []);
  for (let slice = 0; slice < slices; slice++) {
    const order = [...scenarios.entries()];
    if (options.alternate && slice % 2 === 1) order.reverse();
    for (const [index, { spec, processes }] of order) {
      const warmupS = slice === 0 ? (spec.warmupS ?? 0) : Math.min(1, spec.warmupS ?? 0);
      const sliceSpec = { ...spec, warmupS, durationS: spec.durationS / slices };
      windows[index]?.push(await cpuWindow(sliceSpec, processes));
    }
  }
  return scenarios.map(({ spec }, index) => {
    const parts = windows[index] ?? [];
    const measured = {
      load: summarize(
        spec,
        parts.map((part) => part.window),
      ),
      cpu: combineCpu(parts.map((part) => part.cpu)),
    };
    report(measured);
    return measured;
  });
}

/** A run with any failed request is no valid measurement: stop the benchmark rather than report it. */
export function requireClean(measured: Measured): Measured {
  const { load } = measured;
  if (failuresOf(load) > 0) {
    throw new Error(
      `${load.title}: ${load.non2xx} non-2xx, ${load.errors} errors (${load.timeouts} timeouts), ` +
        `${load.mismatches} wrong bodies: not a valid measurement`,
    );
  }
  return measured;
}
