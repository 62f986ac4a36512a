// Overload benchmark (issue 13, "no false outages"): 200 requests in flight against a healthy provider
// answering in 50 ms, on this 2-core machine, where the subgraph's own CPU is the bottleneck. Counted per run,
// from the subgraph's own metrics: circuits opened, PROVIDER_TIMEOUT (results and attempts), attempts its own
// event loop ran out (`overloaded`, RATE_LIMITED, never counted against a circuit), and the share of requests
// shed (AIUnavailable RATE_LIMITED) — once with load shedding at LOAD_SHED_EVENT_LOOP_LAG_MS and once off.
//
//   npm run bench:overload [-- --connections=200 --duration=20 --warmup=3 --threshold=N --dry-run]
//
// Each summarize is a cache miss (a unique text). Targets: zero circuit opens, zero PROVIDER_TIMEOUT, at most
// 5% shed. The circuit cool-down (CIRCUIT_COOLDOWN_MS, 30 s) outlasts a run, so a circuit opened during it is
// still open at its end, where the gauge is read.
import { randomBytes } from 'node:crypto';
import { envSchema } from '../subgraph/config/env-schema';
import { graphqlLabels } from './support/load';
import { measure } from './support/measure';
import type { Measured } from './support/measure';
import { delta, histogramMeans } from './support/metrics';
import type { MetricsSnapshot } from './support/metrics';
import { fixed, machineLine, markdownTable, met, noisyMachineNote } from './support/report';
import { runBenchmark } from './support/run-benchmark';
import { fakeProviderEnv, SERVERS, subgraphEnv } from './support/subgraph';

const DEFAULT_THRESHOLD_MS = envSchema.shape.LOAD_SHED_EVENT_LOOP_LAG_MS.parse(undefined);
const OPTIONS = {
  connections: { default: 200, help: 'requests in flight' },
  duration: { default: 20, help: 'measured seconds of each run' },
  warmup: { default: 3, help: 'warm-up seconds before each run' },
  redis: {
    default: 'redis://127.0.0.1:6379/13',
    help: "REDIS_URL of the subgraph (usage ledger, caches, limits), as deployed; '' keeps them in PGlite and memory",
  },
  threshold: {
    default: DEFAULT_THRESHOLD_MS,
    help: 'LOAD_SHED_EVENT_LOOP_LAG_MS of the shedding run (the default is the configured default)',
  },
};

const PROVIDER_LATENCY_MS = 50;
const MAX_SHED_SHARE = 0.05;
const SUMMARIZE = `query Q($text: String!) {
  summarize(input: { text: $text }) {
    __typename
    ... on Summary { meta { provider cached } }
    ... on DegradedSummary { reason meta { provider cached } }
    ... on AIUnavailable { reason retryAfterSeconds }
  }
}`;
const TEXT =
  'The renewal of the Northwind contract moved to March. Finance approved the revised price of the annual ' +
  'plan, and the support team will migrate the remaining accounts before the end of the quarter. ';
// A run of its own in every text: a Redis cache outlives the process, and an earlier run's entries would hit.
const RUN = randomBytes(4).toString('hex');
let sequence = 0;
const body = () =>
  JSON.stringify({ query: SUMMARIZE, variables: { text: `${TEXT}Ticket ${RUN}q${sequence++}.` } });

interface Outcome {
  name: string;
  measured: Measured;
  circuitsOpen: number;
  providerTimeoutResults: number;
  timeoutAttempts: number;
  overloadedAttempts: number;
  circuitSkips: number;
  shed: number;
  lagP99Ms: number;
  /** Mean of the feature, and of its model stage (cache, admission, the attempts): where the time went. */
  featureMeanMs: number;
  modelStageMeanMs: number;
}

/** Sums the series of `name` (any labels) in a delta, optionally those whose key contains `having`. */
function total(changes: Map<string, number>, name: string, having = ''): number {
  let sum = 0;
  for (const [key, value] of changes) if (key.startsWith(`${name}{`) && key.includes(having)) sum += value;
  return sum;
}

/** The mean (ms) of a seconds histogram's series whose labels contain `having`, between two snapshots. */
function meanOf(before: MetricsSnapshot, after: MetricsSnapshot, histogram: string, having: string): number {
  return histogramMeans(before, after, histogram).find((m) => m.series.includes(having))?.meanMs ?? NaN;
}

runBenchmark('overload', OPTIONS, async ({ options, children, headers, started, command }) => {
  const providers = await children.start(SERVERS.providers, {
    NODE_ENV: 'production',
    BENCH_PROVIDER_LATENCY_MS: String(PROVIDER_LATENCY_MS),
  });
  const common = {
    ...fakeProviderEnv(providers),
    OTEL_SDK_DISABLED: 'true',
    REDIS_URL: options.redis,
    // Every text is new: nothing is read back, so the entries need not outlive the run by much.
    CACHE_TTL_SUMMARIZE_SECONDS: '60',
  };
  const run = async (name: string, thresholdMs: number): Promise<Outcome> => {
    const server = await children.start(
      SERVERS.subgraph,
      subgraphEnv({ ...common, LOAD_SHED_EVENT_LOOP_LAG_MS: String(thresholdMs) }),
    );
    const metrics = () => server.call<MetricsSnapshot>('metrics');
    const before = await metrics();
    const measured = await measure(
      {
        title: name,
        url: String(server.ready.url),
        connections: options.connections,
        durationS: options.duration,
        warmupS: options.warmup,
        headers,
        body,
        classify: graphqlLabels,
      },
      { server, others: { providers }, subgraph: true },
    );
    const after = await metrics();
    const changes = delta(before, after, 'ai_');
    const gauge = (metric: string) =>
      after.find((m) => m.name === metric)?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
    const outcome: Outcome = {
      name,
      measured,
      circuitsOpen: gauge('ai_circuit_open'),
      providerTimeoutResults: total(changes, 'ai_feature_requests_total', 'reason=PROVIDER_TIMEOUT'),
      timeoutAttempts: total(changes, 'ai_model_calls_total', 'outcome=timeout'),
      overloadedAttempts: total(changes, 'ai_model_calls_total', 'outcome=overloaded'),
      circuitSkips: total(changes, 'ai_model_calls_total', 'outcome=circuit-open'),
      shed: total(changes, 'ai_limit_refusals_total', 'limit=overload'),
      lagP99Ms: gauge('ai_event_loop_lag_seconds') * 1000,
      featureMeanMs: meanOf(before, after, 'ai_feature_duration_seconds', 'outcome=full'),
      modelStageMeanMs: meanOf(before, after, 'ai_stage_duration_seconds', 'stage=model.summarize'),
    };
    await children.stop(server);
    return outcome;
  };
  const runs = [
    await run(`shedding at ${options.threshold} ms`, options.threshold),
    await run('shedding off', 0),
  ];
  const share = (o: Outcome) => o.measured.load.counts['typename:AIUnavailable'] ?? 0;
  const responses = (o: Outcome) => o.measured.load.responses;
  const [shedding] = runs;
  const sheddingOk =
    shedding !== undefined &&
    shedding.circuitsOpen === 0 &&
    shedding.providerTimeoutResults === 0 &&
    shedding.timeoutAttempts === 0 &&
    share(shedding) / responses(shedding) <= MAX_SHED_SHARE;
  return [
    '## Overload: no false outages at 200 concurrent (issue 13)',
    '',
    `Run ${started.toISOString()} with \`${command}\`; ${machineLine()}. ${options.connections} requests in ` +
      `flight, each a \`summarize\` cache miss, against fake providers answering in ${PROVIDER_LATENCY_MS} ms ` +
      `(their own process); the subgraph production-like (logs silent, no tracing, PGlite, ` +
      `${options.redis ? 'Redis' : 'no Redis: the usage ledger in PGlite'}), restarted for each run. ` +
      'Counts are over the whole run (warm-up included) from its own metrics; ' +
      '"shed" is `ai_limit_refusals_total{limit="overload"}` (requests refused at the door, and attempts ' +
      "the subgraph's own event loop ran out), its share that of AIUnavailable responses in the window.",
    '',
    markdownTable(
      [
        'run',
        'req/s',
        'p50 ms',
        'p99 ms',
        'circuits open',
        'PROVIDER_TIMEOUT results',
        'timeout attempts',
        'overloaded attempts',
        'circuit-open skips',
        'shed',
        'shed share',
        'loop lag p99 ms (last s)',
        'served mean ms (model stage)',
      ],
      runs.map((o) => [
        o.name,
        fixed(o.measured.load.rps, 0),
        fixed(o.measured.load.p50Ms, 1),
        fixed(o.measured.load.p99Ms, 1),
        o.circuitsOpen,
        o.providerTimeoutResults,
        o.timeoutAttempts,
        o.overloadedAttempts,
        o.circuitSkips,
        o.shed,
        `${fixed((100 * share(o)) / Math.max(1, responses(o)), 2)}%`,
        fixed(o.lagP99Ms, 1),
        `${fixed(o.featureMeanMs, 0)} (${fixed(o.modelStageMeanMs, 0)})`,
      ]),
    ),
    '',
    `- Target with shedding on (zero circuits opened, zero PROVIDER_TIMEOUT, at most ` +
      `${100 * MAX_SHED_SHARE}% shed): ${met(sheddingOk)}.`,
    '',
    noisyMachineNote(),
  ].join('\n');
});
