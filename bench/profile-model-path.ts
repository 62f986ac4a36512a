// Where the subgraph's CPU goes on the model path: `summarize(text)` cache misses at a fixed concurrency against
// fake providers answering in 50 ms, with everything bench:latency turns on (bench/latency/setup.ts: default
// guardrails, spend caps and rate limits in Redis, the completion cache in Redis, metrics, traces exported to a
// local OTLP receiver, logs at info to a file), the subgraph's CPU profiler on for the measured window. Prints
// the throughput, the subgraph's CPU per response, self and inclusive time by area and the top functions by
// self time. Not a section of BENCHMARKS.md: a tool to find what need not run per request, and to compare
// before and after a change. `--plain` profiles bench:latency's control instead (logs, tracing, caps off).
//
//   npx tsx bench/profile-model-path.ts [connections=50] [seconds=10] [out.cpuprofile] [--plain]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChildGroup } from './support/child-process';
import { runWindow, summarize } from './support/load';
import { summarizeProfile } from './support/profile-summary';
import { cpuBetween, sampleCpu } from './support/cpu';
import {
  answerLabels,
  isSummary,
  removeTenantKeys,
  requireTracing,
  startFullSubgraph,
  startPlainSubgraph,
  summarizeBody,
  startLatencyRun,
} from './latency/setup';

function printRows(title: string, rows: { share: number; ms: number; name: string }[]): void {
  console.log(`\n${title}:`);
  for (const row of rows)
    console.log(
      `${(row.share * 100).toFixed(1).padStart(6)}%  ${row.ms.toFixed(0).padStart(6)} ms  ${row.name}`,
    );
}

async function main(): Promise<void> {
  const plain = process.argv.includes('--plain');
  const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const [connections = 50, seconds = 10] = positional.slice(0, 2).map(Number);
  const out = positional[2];
  const children = new ChildGroup();
  const logDir = mkdtempSync(path.join(tmpdir(), 'bench-profile-'));
  try {
    const run = await startLatencyRun(children, logDir, {});
    const subgraph = plain ? await startPlainSubgraph(run) : await startFullSubgraph(run, 'profile');
    if (!plain) await requireTracing(subgraph);
    const spec = {
      title: `summarize, cache miss${plain ? ' (plain)' : ''}`,
      url: String(subgraph.ready.url),
      connections,
      durationS: seconds,
      warmupS: 3,
      headers: run.headers,
      body: summarizeBody(true),
      classify: answerLabels,
      verify: isSummary,
    };
    let profiling = Promise.resolve<unknown>(null);
    let cpuStart = sampleCpu([subgraph.pid]);
    const window = await runWindow(spec, () => {
      profiling = subgraph.call('profileStart');
      cpuStart = sampleCpu([subgraph.pid]);
    });
    const cpu = cpuBetween(cpuStart, sampleCpu([subgraph.pid]), { [subgraph.pid]: 'server' });
    await profiling;
    const file = out ?? path.join(logDir, 'summarize.cpuprofile');
    await subgraph.call('profileStop', file);
    const load = summarize(spec, [window]);
    const serverCores = cpu.processes.server ?? NaN;
    console.log(
      `${load.title}, ${connections} connections: ${load.rps.toFixed(0)} req/s, p50 ${load.p50Ms.toFixed(1)} ms, ` +
        `p99 ${load.p99Ms.toFixed(1)} ms, failed ${load.non2xx + load.errors + load.mismatches}; subgraph ` +
        `${((serverCores * 1000) / load.rps).toFixed(3)} CPU ms / response`,
    );
    const answers = Object.entries(load.counts).filter(([label]) => label.startsWith('answer:'));
    console.log(
      `answers: ${answers.map(([label, count]) => `${label.slice('answer:'.length)} ${count}`).join(', ')}`,
    );
    const summary = summarizeProfile(file, 30);
    console.log(`profile: wall ${summary.wallMs.toFixed(0)} ms, busy ${summary.busyMs.toFixed(0)} ms`);
    printRows(
      'self by area',
      summary.selfByArea.map((row) => ({ ...row, name: row.area })),
    );
    printRows(
      'inclusive by area',
      summary.inclusive.map((row) => ({ ...row, name: row.area })),
    );
    printRows(
      'self by function',
      summary.self.map((row) => ({ ...row, name: row.fn })),
    );
  } finally {
    await children.stopAll();
    await removeTenantKeys().catch(() => 0);
    rmSync(logDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
