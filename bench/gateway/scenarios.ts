// The gateway benchmark's steps, against fake providers with a fixed latency: the subgraph's added latency
// over a direct provider call measured side by side, cache hits against a bare Apollo Server, the PostgreSQL
// store, and a hanging primary provider. Each step starts the servers it needs as children of `run.children`.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Child, ChildGroup } from '../support/child-process';
import { generateDocuments } from '../support/corpus';
import { graphqlLabels, runWindow } from '../support/load';
import type { LoadSpec } from '../support/load';
import { measure } from '../support/measure';
import type { Measured, UnderTest } from '../support/measure';
import { histogramMeans } from '../support/metrics';
import type { HistogramMean, MetricsSnapshot } from '../support/metrics';
import { summarizeProfile } from '../support/profile-summary';
import type { ProfileSummary } from '../support/profile-summary';
import type { PromptSample } from '../support/servers/providers-server';
import {
  dropSchema,
  expectMember,
  fakeProviderEnv,
  SERVERS,
  subgraphEnv,
  uniqueSchema,
} from '../support/subgraph';

export const PROVIDER_LATENCY_MS = 50;
export const DEADLINE_MS = 2000;
export const ATTEMPT_TIMEOUT_MS = 500;
/** Connections of the hanging-primary warm-up: enough to warm the JIT, too few to queue for the CPU. */
export const WARMUP_CONNECTIONS = 10;
const SEED = { documents: 24, chars: 3000 };

export interface GatewaySettings {
  connections: number;
  lowConnections: number[];
  durationS: number;
  warmupS: number;
  hangClosedS: number;
  /** Empty: the PostgreSQL comparison is skipped. */
  databaseUrl: string;
  profile: boolean;
}

export interface GatewayRun {
  settings: GatewaySettings;
  children: ChildGroup;
  headers: Record<string, string>;
  providers: Child;
}

/** `field(input: { key })` with the members every completion feature answers with. */
const completionQuery = (field: string, key: string, full: string, degraded: string) =>
  `query Q($value: String!) {
  ${field}(input: { ${key}: $value }) {
    __typename
    ... on ${full} { text meta { provider model cached } }
    ... on ${degraded} { reason meta { provider cached } }
    ... on AIUnavailable { reason }
  }
}`;
const ASK = completionQuery('ask', 'question', 'Answer', 'DegradedAnswer');
const SUMMARIZE = completionQuery('summarize', 'text', 'Summary', 'DegradedSummary');
const QUESTION = 'how do we refund an annual subscription invoice';
const TYPENAME = '{"query":"{ __typename }"}';
// About 2 000 characters: under SMALL_MODEL_MAX_INPUT_CHARS, so summarize takes the small-model chain.
const SUMMARY_TEXT = (generateDocuments(1, 2000, 7)[0]?.body ?? '').slice(0, 2000);

// One sequence for the whole run: warm-up and measured requests never repeat an input.
let sequence = 0;
const bodyOf = (query: string, value: string) => JSON.stringify({ query, variables: { value } });
export const askBody = (unique: boolean) => () =>
  bodyOf(ASK, unique ? `${QUESTION} zq${sequence++}` : QUESTION);
export const summarizeBody = (unique: boolean) => () =>
  bodyOf(SUMMARIZE, unique ? `Ticket zq${sequence++}. ${SUMMARY_TEXT}` : SUMMARY_TEXT);
const directBody = () => JSON.stringify({ n: sequence++ });
const directLabels = (status: number, body: string): string[] =>
  status !== 200 ? [`status:${status}`] : body.includes('"errors"') ? ['errors'] : ['ok'];

export function subgraphSpec(run: GatewayRun, title: string, url: string, body: () => string): LoadSpec {
  const { connections, durationS, warmupS } = run.settings;
  return { title, url, connections, durationS, warmupS, headers: run.headers, body, classify: graphqlLabels };
}

const onSubgraph = (run: GatewayRun, server: Child): UnderTest => ({
  server,
  others: { providers: run.providers },
  subgraph: true,
});

export function startProviders(children: ChildGroup): Promise<Child> {
  return children.start(SERVERS.providers, {
    NODE_ENV: 'production',
    BENCH_PROVIDER_LATENCY_MS: String(PROVIDER_LATENCY_MS),
  });
}

/** The subgraph, seeded so that `ask` retrieves real passages, with both fake providers configured. */
export function startSubgraph(run: GatewayRun, extra: Record<string, string> = {}): Promise<Child> {
  return run.children.start(
    SERVERS.subgraph,
    subgraphEnv({
      ...fakeProviderEnv(run.providers),
      BENCH_SEED_DOCUMENTS: String(SEED.documents),
      BENCH_SEED_CHARS: String(SEED.chars),
      ...extra,
    }),
  );
}

export interface AddedPair {
  name: string;
  direct: Measured;
  subgraph: Measured;
  /** The subgraph's own stage and feature histograms over the subgraph's measured window. */
  breakdown: HistogramMean[];
}

/** The baseline sends exactly the prompt the subgraph sent for `result`, as the fake OpenAI server saw it. */
async function startDirect(run: GatewayRun, result: Record<string, unknown>): Promise<Child> {
  const meta = result.meta as { provider: string; model: string; cached: boolean };
  if (meta.provider !== 'openai' || meta.cached) {
    throw new Error(`expected a fresh answer from openai, got ${JSON.stringify(meta)}`);
  }
  const sample = await run.providers.call<PromptSample | null>('sample', `openai:${meta.model}`);
  if (!sample) throw new Error(`the fake OpenAI server saw no request for ${meta.model}`);
  return run.children.start(SERVERS.direct, {
    NODE_ENV: 'production',
    DIRECT_BASE_URL: String(run.providers.ready.openaiBaseURL),
    DIRECT_MODEL: sample.model,
    DIRECT_SYSTEM: sample.system,
    DIRECT_USER: sample.user,
    DIRECT_MAX_TOKENS: String(sample.maxTokens ?? 700),
  });
}

async function measurePair(
  run: GatewayRun,
  subgraph: Child,
  pair: { name: string; direct: Child; body: () => string; connections: number },
): Promise<AddedPair> {
  const directSpec: LoadSpec = {
    ...subgraphSpec(run, `direct, ${pair.name}-sized call`, String(pair.direct.ready.url), directBody),
    connections: pair.connections,
    headers: {},
    classify: directLabels,
  };
  const direct = await measure(directSpec, { server: pair.direct, others: { providers: run.providers } });
  let before: MetricsSnapshot = [];
  const spec = subgraphSpec(run, `subgraph ${pair.name}`, String(subgraph.ready.url), pair.body);
  const measured = await measure(
    { ...spec, connections: pair.connections },
    onSubgraph(run, subgraph),
    async () => {
      before = await subgraph.call<MetricsSnapshot>('metrics');
    },
  );
  const after = await subgraph.call<MetricsSnapshot>('metrics');
  const series = (histogram: string, kind: string) =>
    histogramMeans(before, after, histogram).map((h) => ({ ...h, series: `${kind} ${h.series}` }));
  return {
    name: pair.name,
    direct,
    subgraph: measured,
    breakdown: [
      ...series('ai_feature_duration_seconds', 'feature'),
      ...series('ai_stage_duration_seconds', 'stage'),
    ],
  };
}

/** a) + b): the direct call and the subgraph, ask and summarize, at the main and the low concurrencies. */
export async function measureAddedLatency(run: GatewayRun, subgraph: Child): Promise<AddedPair[]> {
  const url = String(subgraph.ready.url);
  const ask = await startDirect(run, await expectMember(url, run.headers, askBody(true)(), 'ask', 'Answer'));
  const summarize = await startDirect(
    run,
    await expectMember(url, run.headers, summarizeBody(true)(), 'summarize', 'Summary'),
  );
  const pairs: AddedPair[] = [];
  for (const connections of [run.settings.connections, ...run.settings.lowConnections]) {
    console.log(`a + b) added latency at ${connections} connections`);
    pairs.push(
      await measurePair(run, subgraph, { name: 'ask', direct: ask, body: askBody(true), connections }),
    );
    pairs.push(
      await measurePair(run, subgraph, {
        name: 'summarize (text)',
        direct: summarize,
        body: summarizeBody(true),
        connections,
      }),
    );
  }
  await run.children.stop(ask);
  await run.children.stop(summarize);
  return pairs;
}

/** One more `ask` window (cache miss) with the subgraph's CPU profiler on, summarized by package and function. */
export async function profileAsk(
  run: GatewayRun,
  subgraph: Child,
): Promise<{ file: string; summary: ProfileSummary }> {
  console.log('profiling the subgraph on ask (cache miss)');
  const file = path.join(os.tmpdir(), 'gateway-bench', `ask-miss-${Date.now()}.cpuprofile`);
  mkdirSync(path.dirname(file), { recursive: true });
  let profiling = Promise.resolve<unknown>(null);
  await runWindow(
    subgraphSpec(run, 'subgraph ask (profiled)', String(subgraph.ready.url), askBody(true)),
    () => {
      profiling = subgraph.call('profileStart');
    },
  );
  await profiling;
  await subgraph.call('profileStop', file);
  return { file, summary: summarizeProfile(file) };
}

export interface CacheHits {
  ask: Measured;
  /** A cache hit with no retrieval in front of it: what the cache-hit path costs without the store. */
  summarize: Measured;
  seeded: Record<string, unknown>;
}

/** c) the same ask, and the same summarize text, repeated: every request after the first is a cache hit. */
export async function measureCacheHits(run: GatewayRun, subgraph: Child): Promise<CacheHits> {
  console.log('c) cache hits');
  const url = String(subgraph.ready.url);
  await expectMember(url, run.headers, askBody(false)(), 'ask', 'Answer');
  const ask = await measure(
    subgraphSpec(run, 'subgraph ask, cache hit', url, askBody(false)),
    onSubgraph(run, subgraph),
  );
  await expectMember(url, run.headers, summarizeBody(false)(), 'summarize', 'Summary');
  const summarize = await measure(
    subgraphSpec(run, 'subgraph summarize, cache hit', url, summarizeBody(false)),
    onSubgraph(run, subgraph),
  );
  return { ask, summarize, seeded: subgraph.ready };
}

/** c) the baseline of the cache hits: a bare Apollo Server answering `{ __typename }`. */
export function measureBare(run: GatewayRun): Promise<Measured> {
  return run.children.with(SERVERS.bare, { NODE_ENV: 'production' }, (bare) =>
    measure(
      {
        ...subgraphSpec(run, 'bare Apollo { __typename }', String(bare.ready.url), () => TYPENAME),
        headers: {},
      },
      { server: bare, others: { providers: run.providers } },
    ),
  );
}

export type PostgresRuns = { askMiss: Measured; cacheHit: Measured } | { skipped: string };

/** c) the ask cache hit and miss with the store on the PostgreSQL server, in a schema of its own. */
export async function measurePostgres(run: GatewayRun): Promise<PostgresRuns> {
  const { databaseUrl } = run.settings;
  if (!databaseUrl) return { skipped: '--skip-postgres' };
  console.log('c) the same with the PostgreSQL store');
  const schema = uniqueSchema('bench_gw');
  try {
    const server = await startSubgraph(run, { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema });
    const url = String(server.ready.url);
    await expectMember(url, run.headers, askBody(false)(), 'ask', 'Answer');
    const cacheHit = await measure(
      subgraphSpec(run, 'subgraph ask, cache hit, PostgreSQL', url, askBody(false)),
      onSubgraph(run, server),
    );
    const askMiss = await measure(
      subgraphSpec(run, 'subgraph ask, cache miss, PostgreSQL', url, askBody(true)),
      onSubgraph(run, server),
    );
    await run.children.stop(server);
    return { cacheHit, askMiss };
  } finally {
    await dropSchema(databaseUrl, schema);
  }
}
