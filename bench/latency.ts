// Latency benchmark (issue 13, part 5 and its targets): what the subgraph adds over a direct provider call
// against what the Portkey gateway adds, measured side by side in one run, plus the cache hit against a bare
// Apollo Server, 200 concurrent against a healthy provider, and a hung primary. About 4 minutes by default.
//
//   npm run bench:latency [-- --levels=1,50,100 --duration=6 --warmup=2 --slices=3 --hedge-config='{...}'
//     --subgraph-env='{"NAME":"value"}' --scenarios=added,cache,overload,hung --dry-run]
//                                                                    (npm run bench:latency -- --help)
//
// Needs the Portkey gateway installed apart from the service: `npm ci --prefix bench/peers`. Every server
// runs in its own process (bench/support/servers, bench/latency/portkey.ts); Redis on REDIS_URL or loopback.
// Its results replace the `bench:latency` block of BENCHMARKS.md (not with --dry-run).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Child } from './support/child-process';
import { runBenchmark } from './support/run-benchmark';
import { measureAddedLatency, samplePrompt } from './latency/added-latency';
import { measureCacheHit } from './latency/cache-hit';
import { measureHungPrimary } from './latency/hung-primary';
import { measureOverload } from './latency/overload';
import { requirePortkey, startPortkey } from './latency/portkey';
import { renderLatency } from './latency/report';
import {
  RUN_TENANT,
  removeTenantKeys,
  requireTracing,
  startFullSubgraph,
  startPlainSubgraph,
  startLatencyRun,
} from './latency/setup';

const OPTIONS = {
  levels: { default: '1,50,100', help: 'concurrencies of the added-latency comparison' },
  duration: { default: 6, help: 'measured seconds per path and concurrency (split into slices)' },
  warmup: { default: 2, help: 'warm-up seconds before the first slice of each comparison' },
  slices: { default: 3, help: 'interleaved slices per path' },
  'cache-connections': { default: 50, help: 'concurrency of the cache-hit comparison' },
  'cache-duration': { default: 8, help: 'measured seconds per server of the cache-hit comparison' },
  'overload-connections': { default: 200, help: 'concurrency of the healthy-provider overload run' },
  'overload-duration': { default: 10, help: 'measured seconds of the overload run' },
  'hang-connections': { default: 50, help: 'concurrency of the hung-primary run' },
  'hang-duration': {
    default: 10,
    help: 'measured seconds of the hung-primary run (the hang starts with them)',
  },
  'hedge-config': {
    default: '',
    help: 'JSON set as the summarize route\'s "hedge" in the hung-primary run (reported if refused)',
  },
  plain: {
    default: false,
    help: 'a fourth path in the comparison: the subgraph with logs, tracing, sampling, caps and limits off',
  },
  scenarios: {
    default: 'added,cache,overload,hung',
    help: 'which scenarios to run (added, cache, overload, hung); fewer than all needs --dry-run',
  },
  'subgraph-env': {
    default: '',
    help: 'JSON object of extra environment for every subgraph, e.g. a new setting',
  },
};

function parseEnv(json: string): Record<string, string> {
  if (json === '') return {};
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('--subgraph-env expects a JSON object of strings');
  }
  return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, String(value)]));
}

runBenchmark('latency', OPTIONS, async ({ options, children, started, command }) => {
  const scenarios = new Set(options.scenarios.split(',').map((name) => name.trim()));
  const unknown = [...scenarios].filter((name) => !['added', 'cache', 'overload', 'hung'].includes(name));
  if (unknown.length > 0) throw new Error(`--scenarios: unknown ${unknown.join(', ')}`);
  // A partial run would replace the whole bench:latency block of BENCHMARKS.md with part of it.
  if (scenarios.size < 4 && !options['dry-run'])
    throw new Error('--scenarios with fewer than all needs --dry-run');
  if (scenarios.has('added')) requirePortkey();
  if (options['hedge-config'] !== '') JSON.parse(options['hedge-config']);
  const levels = options.levels
    .split(',')
    .map(Number)
    .filter((value) => Number.isInteger(value) && value > 0);
  const logDir = mkdtempSync(path.join(tmpdir(), 'bench-latency-'));
  let portkey: Child | undefined;
  try {
    const run = await startLatencyRun(children, logDir, parseEnv(options['subgraph-env']));
    const shape = { durationS: options.duration, warmupS: options.warmup, slices: options.slices };
    const shapes = {
      added: shape,
      cache: { ...shape, durationS: options['cache-duration'] },
      overload: { ...shape, durationS: options['overload-duration'] },
      hung: { ...shape, durationS: options['hang-duration'] },
    };
    const subgraph = await startFullSubgraph(run, 'main');
    await requireTracing(subgraph);
    let added: Awaited<ReturnType<typeof measureAddedLatency>> | undefined;
    if (scenarios.has('added')) {
      portkey = await startPortkey();
      const sample = await samplePrompt(run, subgraph);
      const plain = options.plain ? await startPlainSubgraph(run) : undefined;
      added = await measureAddedLatency(run, { subgraph, portkey, plain }, sample, levels, shapes.added);
      await portkey.stop();
      if (plain) await children.stop(plain);
    }
    const cache = scenarios.has('cache')
      ? await measureCacheHit(run, subgraph, options['cache-connections'], shapes.cache)
      : undefined;
    await children.stop(subgraph);
    const overload = scenarios.has('overload')
      ? await measureOverload(run, options['overload-connections'], shapes.overload)
      : undefined;
    const hung = scenarios.has('hung')
      ? await measureHungPrimary(run, options['hang-connections'], options['hedge-config'], shapes.hung)
      : undefined;
    return renderLatency({ started, command, shapes, added, cache, overload, hung });
  } finally {
    await portkey?.stop();
    const removed = await removeTenantKeys().catch((error: unknown) => {
      console.error("could not remove the run tenant's Redis keys:", error);
      return 0;
    });
    console.log(`removed ${removed} Redis keys of tenant ${RUN_TENANT}`);
    rmSync(logDir, { recursive: true, force: true });
  }
});
