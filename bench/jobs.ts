// Background AI jobs benchmark (issue 14, Benchmark): summary jobs completed per second with the fake provider
// answering after 50 ms and JOB_CONCURRENCY 8, on PGlite (in memory) and on PostgreSQL; and what
// startSummaryJob itself adds to its caller: the mutation's round trip, sequential, p50/p99 (target p99 ≤ 20 ms).
//
//   npm run bench:jobs [-- --jobs=400 --starts=1000 --concurrency=8 --latency=50 --layouts=pglite,postgres,split --dry-run]
//
// Each runs on PGlite, on PostgreSQL, and on PostgreSQL with two replicas: the mutations sent to one that runs no
// jobs (JOB_CONCURRENCY=0), the jobs run by the other, the layout that keeps a runner off the request path.
//
// Throughput: `--jobs` jobs are queued at once (20 mutations in flight), and the clock runs from the first
// queued to the last completed (seen by polling the oldest unfinished jobs, 16 reads every 100 ms). Each job's
// text is distinct and the summary cache is off, so every job makes its model call. The start latency is
// measured first, on an idle runner (its jobs queued behind nothing but themselves).
import { allCompleted, jobsSubgraphEnv, startJob } from './support/jobs-run';
import type { HttpTimings } from './support/servers/subgraph-server';
import { percentile } from './support/load';
import { fixed, machineLine, markdownTable, met } from './support/report';
import { runBenchmark } from './support/run-benchmark';
import { DEFAULT_DATABASE_URL, dropSchema, SERVERS, subgraphEnv, uniqueSchema } from './support/subgraph';

const OPTIONS = {
  jobs: { default: 400, help: 'jobs queued for the throughput run, per store' },
  starts: { default: 1000, help: 'sequential startSummaryJob calls timed, per store' },
  concurrency: { default: 8, help: 'JOB_CONCURRENCY of the subgraph' },
  latency: { default: 50, help: "the fake provider's latency, ms" },
  layouts: { default: 'pglite,postgres,split', help: 'which layouts run, comma-separated' },
};

const P99_TARGET_MS = 20;
interface StoreRun {
  store: string;
  jobsPerSecond: number;
  jobs: number;
  startP50Ms: number;
  startP99Ms: number;
  /** The same calls as the API replica's HTTP server saw them, from the parsed request to the last byte. */
  inNode: HttpTimings;
  starts: number;
}

runBenchmark('jobs', OPTIONS, async ({ options, command, started, children, headers }) => {
  const providers = await children.start(SERVERS.providers, {
    NODE_ENV: 'production',
    BENCH_PROVIDER_LATENCY_MS: String(options.latency),
  });
  const base = jobsSubgraphEnv(providers, options.concurrency);
  const runs: StoreRun[] = [];
  // PGlite, PostgreSQL, then PostgreSQL with the starts on a replica that runs no jobs (JOB_CONCURRENCY=0) and
  // the jobs run by a second replica on the same schema: the layout that keeps a runner off the request path.
  const layouts = pickLayouts(options.layouts);
  for (const { store, split } of layouts) {
    const schema = uniqueSchema('bench_jobs');
    const env = subgraphEnv(
      store === 'PGlite' ? base : { ...base, DATABASE_URL: DEFAULT_DATABASE_URL, DATABASE_SCHEMA: schema },
    );
    // With `split`, this one is the worker replica; the API replica starts once it has migrated the schema.
    // A replica that serves no callers need not leave its loop room for them (README, "Background jobs").
    const subgraph = await children.start(
      SERVERS.subgraph,
      split ? { ...env, JOB_MAX_LOOP_UTILIZATION: '1', JOB_MAX_DATABASE_UTILIZATION: '1' } : env,
    );
    const api = split ? await children.start(SERVERS.subgraph, { ...env, JOB_CONCURRENCY: '0' }) : subgraph;
    try {
      const url = `${String(api.ready.url)}`;
      let n = 0;
      // Warm-up: the first jobs pay for connections and compiled paths.
      await allCompleted(
        url,
        headers,
        await Promise.all(Array.from({ length: 16 }, () => startJob(url, headers, n++))),
      );
      const startMs: number[] = [];
      const started: string[] = [];
      await api.call('httpTimings');
      for (let i = 0; i < options.starts; i += 1) {
        const t0 = performance.now();
        started.push(await startJob(url, headers, n++));
        startMs.push(performance.now() - t0);
      }
      const inNode = await api.call<HttpTimings>('httpTimings');
      await allCompleted(url, headers, started);
      startMs.sort((a, b) => a - b);
      const t0 = performance.now();
      const ids: string[] = [];
      for (let i = 0; i < options.jobs; i += 20) {
        const width = Math.min(20, options.jobs - i);
        ids.push(...(await Promise.all(Array.from({ length: width }, () => startJob(url, headers, n++)))));
      }
      await allCompleted(url, headers, ids);
      const seconds = (performance.now() - t0) / 1000;
      runs.push({
        store,
        jobs: options.jobs,
        jobsPerSecond: options.jobs / seconds,
        starts: options.starts,
        startP50Ms: percentile(startMs, 50),
        startP99Ms: percentile(startMs, 99),
        inNode,
      });
      console.log(runs.at(-1));
    } finally {
      if (api !== subgraph) await children.stop(api);
      await children.stop(subgraph);
      // pg-boss's schema beside the app's (queueSchemaOf) goes too.
      if (store !== 'PGlite') {
        for (const dropped of [schema, `${schema}_queue`])
          await dropSchema(DEFAULT_DATABASE_URL, dropped).catch(() => undefined);
      }
    }
  }
  const ideal = (options.concurrency * 1000) / options.latency;
  const table = markdownTable(
    [
      'store',
      'jobs',
      'jobs completed / s',
      `startSummaryJob p50 (ms)`,
      `p99 (ms)`,
      `p99 ≤ ${P99_TARGET_MS} ms`,
      'in Node p50 / p99 / max (ms)',
    ],
    runs.map((run) => [
      run.store,
      run.jobs,
      fixed(run.jobsPerSecond, 1),
      fixed(run.startP50Ms),
      fixed(run.startP99Ms),
      met(run.startP99Ms <= P99_TARGET_MS),
      `${fixed(run.inNode.p50Ms)} / ${fixed(run.inNode.p99Ms)} / ${fixed(run.inNode.maxMs)}`,
    ]),
  );
  return [
    `Run ${started.toISOString()} with \`${command}\`; ${machineLine()}. The subgraph and the fake providers ` +
      `are separate processes on this machine; the provider answers each call after ${options.latency} ms, so ` +
      `${options.concurrency} workers could complete at most ${fixed(ideal, 0)} jobs/s. startSummaryJob is timed ` +
      `by the client over loopback HTTP, ${options.starts} calls one after another, with the runner busy on them; ` +
      '"in Node" is the same calls timed by the HTTP server of the replica that took them, from the parsed ' +
      'request to the last byte handed to the socket (the rest is the kernel, waiting for the event loop to ' +
      'read the request, and the client).',
    '',
    table,
  ].join('\n');
});

const LAYOUTS = {
  pglite: { store: 'PGlite', split: false },
  postgres: { store: 'PostgreSQL', split: false },
  split: { store: 'PostgreSQL, API replica + worker replica', split: true },
} as const;

function pickLayouts(names: string): (typeof LAYOUTS)[keyof typeof LAYOUTS][] {
  return names.split(',').map((name) => {
    if (!(name in LAYOUTS))
      throw new Error(`--layouts: unknown layout "${name}" (${Object.keys(LAYOUTS).join(', ')})`);
    return LAYOUTS[name as keyof typeof LAYOUTS];
  });
}
