// Where the subgraph's CPU goes on the cache-hit path: the same `summarize(text)` every time (a hit in the
// Redis completion cache), everything a deployment has on (bench/latency/setup.ts's full subgraph: logs at info
// to a file, traces to a local OTLP receiver, caps and rate limits in Redis, metrics), against a bare Apollo
// Server answering `{ hello }`, in interleaved slices. With --against=<dir> a second subgraph, built from
// another checkout of this repository (e.g. `git archive <commit> | tar -x -C <dir>` with node_modules linked),
// joins the same slices: a before/after of a change from one measurement. With --profile the subgraph's CPU
// profiler runs over one more window of hits and the top functions by self time are printed. Not a section of
// BENCHMARKS.md: a tool to find what need not run per request on a hit.
//
//   npx tsx bench/profile-cache-hit.ts [--connections=50] [--seconds=6] [--slices=3] [--against=<dir>]
//     [--profile=<out.cpuprofile>]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChildGroup } from './support/child-process';
import type { Child } from './support/child-process';
import { graphqlLabels, runWindow } from './support/load';
import type { LoadSpec } from './support/load';
import type { UnderTest } from './support/measure';
import { cpuMsPerResponse, measureInterleaved } from './support/measure';
import { summarizeProfile } from './support/profile-summary';
import { SERVERS, expectMember } from './support/subgraph';
import {
  HELLO_BODY,
  fullSubgraphEnv,
  isSummary,
  removeTenantKeys,
  requireTracing,
  summarizeBody,
  startLatencyRun,
} from './latency/setup';

function option(name: string, fallback: string): string {
  const found = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}

async function fillCache(url: string, headers: Record<string, string>): Promise<void> {
  await expectMember(url, headers, summarizeBody(false)(), 'summarize', 'Summary');
  const again = await expectMember(url, headers, summarizeBody(false)(), 'summarize', 'Summary');
  if ((again.meta as { cached?: boolean } | undefined)?.cached !== true) {
    throw new Error(`the second identical summarize at ${url} was not a cache hit`);
  }
}

async function main(): Promise<void> {
  const connections = Number(option('connections', '50'));
  const seconds = Number(option('seconds', '6'));
  const slices = Number(option('slices', '3'));
  const against = option('against', '');
  const profileFile = option('profile', '');
  const children = new ChildGroup();
  const logDir = mkdtempSync(path.join(tmpdir(), 'bench-hit-'));
  try {
    const run = await startLatencyRun(children, logDir, {});
    const subgraph = await children.start(SERVERS.subgraph, fullSubgraphEnv(run, 'this'));
    await requireTracing(subgraph);
    const baseline: Child | undefined = against
      ? await children.start(
          path.join(path.resolve(against), 'bench/support/servers/subgraph-server.ts'),
          fullSubgraphEnv(run, 'against'),
        )
      : undefined;
    const bare = await children.start(SERVERS.bare, { NODE_ENV: 'production', BENCH_BARE_SCHEMA: 'hello' });
    const common = { connections, durationS: seconds, warmupS: 2, classify: graphqlLabels };
    const hitSpec = (title: string, server: Child): LoadSpec => ({
      ...common,
      title,
      url: String(server.ready.url),
      headers: run.headers,
      body: summarizeBody(false),
      verify: (status, body) => isSummary(status, body) && body.includes('"cached":true'),
    });
    const scenarios: { spec: LoadSpec; processes: UnderTest }[] = [
      {
        spec: {
          ...common,
          title: 'bare Apollo Server { hello }',
          url: String(bare.ready.url),
          body: () => HELLO_BODY,
          verify: (status: number, body: string) => status === 200 && body.includes('"hello":"world"'),
        },
        processes: { server: bare },
      },
    ];
    for (const [title, server] of [
      ['cache hit, this checkout', subgraph],
      ...(baseline ? [[`cache hit, ${against}`, baseline] as const] : []),
    ] as const) {
      await fillCache(String(server.ready.url), run.headers);
      scenarios.push({ spec: hitSpec(title, server), processes: { server } });
    }
    const measured = await measureInterleaved(scenarios, slices, { alternate: true });
    const bareRps = measured[0]?.load.rps ?? NaN;
    for (const result of measured) {
      console.log(
        `${result.load.title}: ${result.load.rps.toFixed(0)} req/s (${(result.load.rps / bareRps).toFixed(2)} ` +
          `of bare), ${cpuMsPerResponse(result).toFixed(3)} server CPU ms / response`,
      );
    }
    if (profileFile) await profileHits(subgraph, hitSpec('cache hit, profiled', subgraph), profileFile);
  } finally {
    await children.stopAll();
    await removeTenantKeys().catch(() => 0);
    rmSync(logDir, { recursive: true, force: true });
  }
}

async function profileHits(subgraph: Child, spec: LoadSpec, file: string): Promise<void> {
  let profiling = Promise.resolve<unknown>(null);
  await runWindow(spec, () => {
    profiling = subgraph.call('profileStart');
  });
  await profiling;
  await subgraph.call('profileStop', path.resolve(file));
  const summary = summarizeProfile(path.resolve(file), 40);
  console.log(`profile ${file}: wall ${summary.wallMs.toFixed(0)} ms, busy ${summary.busyMs.toFixed(0)} ms`);
  console.log('inclusive by area:');
  for (const row of summary.inclusive)
    console.log(`${(row.share * 100).toFixed(1).padStart(6)}%  ${row.area}`);
  console.log('self by function:');
  for (const row of summary.self)
    console.log(
      `${(row.share * 100).toFixed(1).padStart(6)}%  ${row.ms.toFixed(0).padStart(6)} ms  ${row.fn}`,
    );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
