// Where the subgraph's CPU goes while it runs background jobs: bench:jobs's setup (fake provider at 50 ms,
// JOB_CONCURRENCY 8, the summary cache off) on one store, the subgraph's CPU profiler on while `starts`
// startSummaryJob calls run one after another and the runner works through them. Prints the start latency,
// the subgraph's CPU per job, and self and inclusive time by area and by function. Not a section of
// BENCHMARKS.md: a tool to find what need not run per job, and to compare before and after a change.
//
//   npx tsx bench/profile-jobs.ts [pglite|postgres] [starts=300] [out.cpuprofile]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChildGroup } from './support/child-process';
import { cpuBetween, sampleCpu } from './support/cpu';
import { allCompleted, jobsSubgraphEnv, startJob } from './support/jobs-run';
import { percentile } from './support/load';
import { summarizeProfile } from './support/profile-summary';
import {
  benchHeaders,
  DEFAULT_DATABASE_URL,
  dropSchema,
  SERVERS,
  subgraphEnv,
  uniqueSchema,
} from './support/subgraph';

async function main(): Promise<void> {
  const positional = process.argv.slice(2);
  const store = positional[0] === 'postgres' ? 'postgres' : 'pglite';
  const starts = Number(positional[1] ?? 300);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-profile-jobs-'));
  const out = positional[2] ?? path.join(dir, 'jobs.cpuprofile');
  const children = new ChildGroup();
  const schema = uniqueSchema('bench_jobs_profile');
  const headers = await benchHeaders();
  try {
    const providers = await children.start(SERVERS.providers, {
      NODE_ENV: 'production',
      BENCH_PROVIDER_LATENCY_MS: '50',
    });
    const subgraph = await children.start(
      SERVERS.subgraph,
      subgraphEnv({
        ...jobsSubgraphEnv(providers, 8),
        ...(store === 'postgres' ? { DATABASE_URL: DEFAULT_DATABASE_URL, DATABASE_SCHEMA: schema } : {}),
      }),
    );
    const url = String(subgraph.ready.url);
    let n = 0;
    for (let i = 0; i < 16; i += 1) await startJob(url, headers, n++);
    await subgraph.call('profileStart');
    const cpuStart = sampleCpu([subgraph.pid]);
    const t0 = performance.now();
    const ids: string[] = [];
    const ms: number[] = [];
    for (let i = 0; i < starts; i += 1) {
      const s0 = performance.now();
      ids.push(await startJob(url, headers, n++));
      ms.push(performance.now() - s0);
    }
    await allCompleted(url, headers, ids.slice(-1));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuBetween(cpuStart, sampleCpu([subgraph.pid]), { [subgraph.pid]: 'server' });
    await subgraph.call('profileStop', out);
    ms.sort((a, b) => a - b);
    const cores = cpu.processes.server ?? NaN;
    console.log(
      `${store}: ${starts} starts, p50 ${percentile(ms, 50).toFixed(2)} ms, p99 ${percentile(ms, 99).toFixed(2)} ms; ` +
        `all done in ${seconds.toFixed(1)} s; subgraph ${((cores * seconds * 1000) / starts).toFixed(2)} CPU ms / job`,
    );
    const summary = summarizeProfile(out, 40);
    console.log(`profile ${out}: wall ${summary.wallMs.toFixed(0)} ms, busy ${summary.busyMs.toFixed(0)} ms`);
    for (const [title, rows] of [
      ['self by area', summary.selfByArea.map((row) => ({ ...row, name: row.area }))],
      ['inclusive by area', summary.inclusive.map((row) => ({ ...row, name: row.area }))],
      ['self by function', summary.self.map((row) => ({ ...row, name: row.fn }))],
    ] as const) {
      console.log(`\n${title}:`);
      for (const row of rows)
        console.log(
          `${(row.share * 100).toFixed(1).padStart(6)}%  ${row.ms.toFixed(0).padStart(6)} ms  ${row.name}`,
        );
    }
  } finally {
    await children.stopAll();
    if (store === 'postgres')
      for (const dropped of [schema, `${schema}_queue`])
        await dropSchema(DEFAULT_DATABASE_URL, dropped).catch(() => undefined);
    if (!positional[2]) rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
