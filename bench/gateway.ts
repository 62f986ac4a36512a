// Model gateway benchmark: what the subgraph adds on top of a plain provider call, how fast a cache hit is next
// to a bare Apollo Server, and whether a hanging primary provider keeps every answer inside the deadline. Every
// baseline is measured in the same run as what it is compared with. About 6 minutes with the defaults.
//
//   npm run bench:gateway [-- --duration=10 --warmup=3 --connections=100 --low-connections=1,10
//     --hang-closed=4 --skip-postgres --database-url=postgresql://... --profile --label=... --dry-run]
//                                                                    (npm run bench:gateway -- --help)
//
// One run, against the fake provider servers (test/support/providers) with a fixed 50 ms latency:
//   a) DIRECT: the same chat.completions call made with the openai SDK from a tiny node:http server;
//   b) `ask` and `summarize` through the subgraph with a unique input per request (the cache never hits), and
//      the added latency b − a at p50 and p99, at the main and the low concurrencies;
//   c) a repeated identical `ask` (cache warm) against a bare Apollo Server answering `{ __typename }`, a cache
//      hit with no retrieval in front (the same summarize text), and ask hit and miss on PostgreSQL;
//   d) `ask` with the primary hanging and the secondary healthy (DEADLINE_MS=2000, ATTEMPT_TIMEOUT_MS=500):
//      hedging on and off, each with the default breaker and with one held closed, and a control run with no
//      fault (`--hang-only --dry-run`: this step alone, printed).
// Its results replace the `bench:gateway` block of BENCHMARKS.md (not with --dry-run).
import { runBenchmark } from './support/run-benchmark';
import { DEFAULT_DATABASE_URL } from './support/subgraph';
import { measureHangingPrimary } from './gateway/hanging-primary';
import { renderGateway, renderHangingPrimary } from './gateway/report';
import * as step from './gateway/scenarios';
import type { GatewaySettings } from './gateway/scenarios';

const OPTIONS = {
  connections: { default: 100, help: 'concurrent connections of the main scenarios' },
  'low-connections': { default: '1,10', help: 'the added-latency pairs again at these ("" skips them)' },
  duration: { default: 10, help: 'seconds measured per scenario' },
  warmup: { default: 3, help: 'seconds of warm-up per scenario, on the same connections' },
  'hang-closed': {
    default: 4,
    help: 'seconds of the held-closed breaker run (1000 failures open it in ~5 s)',
  },
  'database-url': { default: DEFAULT_DATABASE_URL, help: 'PostgreSQL server for the store comparison' },
  'skip-postgres': { default: false, help: 'leave out the PostgreSQL store comparison' },
  profile: { default: false, help: 'one more profiled ask window, summarized in the report' },
  label: { default: '', help: 'a note under the heading' },
  'hang-only': { default: false, help: 'only the hanging-primary step, printed (needs --dry-run)' },
};

runBenchmark('gateway', OPTIONS, async ({ options, children, headers, started, command }) => {
  const settings: GatewaySettings = {
    connections: options.connections,
    lowConnections: options['low-connections']
      .split(',')
      .filter((part) => part.trim() !== '')
      .map(Number)
      .filter((value) => Number.isInteger(value) && value > 0 && value !== options.connections),
    durationS: options.duration,
    warmupS: options.warmup,
    hangClosedS: options['hang-closed'],
    databaseUrl: options['skip-postgres'] ? '' : options['database-url'],
    profile: options.profile,
  };
  const run = { settings, children, headers, providers: await step.startProviders(children) };
  if (options['hang-only']) {
    // A partial run must not replace the whole block of BENCHMARKS.md.
    // runBenchmark adds --dry-run to every script's options; this script's own type does not name it.
    if ((options as Record<string, unknown>)['dry-run'] !== true)
      throw new Error('--hang-only prints its step only: add --dry-run');
    return renderHangingPrimary({ started, command, settings, hangs: await measureHangingPrimary(run) });
  }
  const subgraph = await step.startSubgraph(run);
  const pairs = await step.measureAddedLatency(run, subgraph);
  const profile = settings.profile ? await step.profileAsk(run, subgraph) : null;
  const cache = await step.measureCacheHits(run, subgraph);
  await children.stop(subgraph);
  const bare = await step.measureBare(run);
  const postgres = await step.measurePostgres(run);
  const hangs = await measureHangingPrimary(run);
  const report = { started, command, label: options.label, settings, pairs, cache, bare, postgres };
  return renderGateway({ ...report, hangs, profile });
});
