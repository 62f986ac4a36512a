// Model gateway benchmark: what the subgraph adds on top of a plain provider call, how fast a cache hit is next
// to a bare Apollo Server, and whether a hanging primary provider keeps every answer inside the deadline.
//
//   npx tsx bench/gateway.ts            (about 6 minutes with the defaults)
//
// One run, against the fake provider servers (test/support/providers) with a fixed 50 ms latency:
//   a) DIRECT: the same chat.completions call made with the openai SDK from a tiny node:http server;
//   b) `ask` and `summarize` through the subgraph with a unique input per request (the cache never hits),
//      and the added latency b − a at p50 and p99 (targets ≤ 2 ms and ≤ 10 ms at 100 connections), plus
//      the same pair at low concurrency, where neither side queues for CPU;
//   c) a repeated identical `ask` (cache warm) against a bare Apollo Server 5 answering `{ __typename }`
//      (target: throughput ratio ≥ 0.6), a cache hit with no retrieval in front (the same summarize text), and
//      the ask cache hit and miss with the PostgreSQL store instead of PGlite;
//   d) `ask` with the primary hanging and the secondary healthy, DEADLINE_MS=2000 ATTEMPT_TIMEOUT_MS=500:
//      once with the default circuit breaker (it opens) and once with a breaker held closed, so every request
//      waits on the hang (target: p99 ≤ the deadline, no GraphQL errors, every answer a union member), plus
//      a control run with the same settings and no fault.
// Every server (providers, subgraph, direct, bare) runs in its own process; autocannon runs in this one.
//
// Knobs (environment): BENCH_DURATION_S (10) and BENCH_WARMUP_S (3) per scenario; BENCH_CONNECTIONS (100);
// BENCH_LOW_CONNECTIONS ("1,10"; "" skips the low-concurrency pairs); BENCH_HANG_CLOSED_S (4: how long the
// closed-breaker variant runs, below the ~5 s in which 1000 consecutive failed attempts would open it);
// BENCH_DATABASE_URL (the PostgreSQL server for the store comparison, default the project's
// postgresql://root@127.0.0.1:5432/test; "" skips it); BENCH_CPU_PROF=1 (one more profiled `ask` window,
// summarized in the report); BENCH_LABEL (a note under the heading); BENCH_OUT (bench/results/gateway.md).
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { envSchema } from '../subgraph/config';
import { Client } from 'pg';
import { format, resolveConfig } from 'prettier';
import { POSTGRES_URL, uniqueSchemaName } from '../test/support/stores';
import { TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET } from '../test/support/subgraph';
import { tokenFor } from '../test/support/tokens';
import { startChild } from './gateway-support/child';
import type { Child } from './gateway-support/child';
import { cpuBetween, sampleCpu } from './gateway-support/cpu';
import type { CpuSample, CpuUse } from './gateway-support/cpu';
import { graphqlLabels, runLoad } from './gateway-support/load';
import type { LoadResult, LoadSpec } from './gateway-support/load';
import { delta, histogramMeans } from './gateway-support/metrics';
import type { HistogramMean, MetricsSnapshot } from './gateway-support/metrics';
import { summarizeProfile } from './gateway-support/profile-summary';
import type { ProfileSummary } from './gateway-support/profile-summary';
import type { FaultArgs, PromptSample } from './gateway-support/providers-child';
import type { HttpTimings, TargetRef } from './gateway-support/subgraph-child';
import { generateDocuments } from './support/corpus';

function knob(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} expects a non-negative number`);
  return value;
}

const DURATION_S = knob('BENCH_DURATION_S', 10);
const WARMUP_S = knob('BENCH_WARMUP_S', 3);
const CONNECTIONS = knob('BENCH_CONNECTIONS', 100);
const LOW_CONNECTIONS = (process.env.BENCH_LOW_CONNECTIONS ?? '1,10')
  .split(',')
  .filter((part) => part.trim() !== '')
  .map(Number)
  .filter((value) => Number.isInteger(value) && value > 0 && value !== CONNECTIONS);
const HANG_CLOSED_S = Math.min(DURATION_S, knob('BENCH_HANG_CLOSED_S', 4));
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? POSTGRES_URL;
const PROFILE = process.env.BENCH_CPU_PROF === '1';
const LABEL = process.env.BENCH_LABEL ?? '';
const OUT = process.env.BENCH_OUT ?? 'bench/results/gateway.md';

const PROVIDER_LATENCY_MS = 50;
const DEADLINE_MS = 2000;
const ATTEMPT_TIMEOUT_MS = 500;
const TENANT = 'bench';
/** Connections of the hanging-primary warm-up: enough to warm the JIT, too few to queue for the CPU. */
const WARMUP_CONNECTIONS = 10;
const SEED = { documents: 24, chars: 3000 };
const SUPPORT = path.join(__dirname, 'gateway-support');
const DEFAULTS = envSchema.parse({});
const TARGETS = { addedP50Ms: 2, addedP99Ms: 10, cacheRatio: 0.6 };

const ASK = `query Ask($question: String!) {
  ask(input: { question: $question }) {
    __typename
    ... on Answer { text meta { provider model cached } }
    ... on DegradedAnswer { reason meta { provider cached } }
    ... on AIUnavailable { reason }
  }
}`;
const SUMMARIZE = `query Summarize($text: String!) {
  summarize(input: { text: $text }) {
    __typename
    ... on Summary { text meta { provider model cached } }
    ... on DegradedSummary { reason meta { provider cached } }
    ... on AIUnavailable { reason }
  }
}`;
const QUESTION = 'how do we refund an annual subscription invoice';
const TYPENAME = '{"query":"{ __typename }"}';
// About 2 000 characters: under SMALL_MODEL_MAX_INPUT_CHARS, so summarize takes the small-model chain.
const SUMMARY_TEXT = (generateDocuments(1, 2000, 7)[0]?.body ?? '').slice(0, 2000);

// One sequence for the whole run: warm-up and measured requests never repeat an input.
let sequence = 0;
const askBody = (unique: boolean) => () =>
  JSON.stringify({
    query: ASK,
    variables: { question: unique ? `${QUESTION} zq${sequence++}` : QUESTION },
  });
const summarizeBody = (unique: boolean) => () =>
  JSON.stringify({
    query: SUMMARIZE,
    variables: { text: unique ? `Ticket zq${sequence++}. ${SUMMARY_TEXT}` : SUMMARY_TEXT },
  });
const directBody = () => JSON.stringify({ n: sequence++ });
const directLabels = (status: number, body: string): string[] =>
  status !== 200 ? [`status:${status}`] : body.includes('"errors"') ? ['errors'] : ['ok'];

interface Measured {
  load: LoadResult;
  cpu: CpuUse;
  /** The subgraph's own view of the same responses (request head parsed → response finished), when measured. */
  http?: HttpTimings;
}

/** The processes whose CPU a scenario reports: the server under test and the fake providers. */
interface UnderTest {
  server: Child;
  providers: Child;
  /** The server is a subgraph child, which records its own HTTP timings. */
  subgraph?: boolean;
}

/**
 * One scenario: WARMUP_S of warm-up then DURATION_S measured, on the same connections. `onWindow` runs when
 * the measured window opens (a fault to switch on, a metrics snapshot to take) while the load goes on.
 */
async function measure(
  spec: LoadSpec,
  processes: UnderTest,
  onWindow?: () => Promise<void>,
): Promise<Measured> {
  const names: Record<number, string> = {
    [process.pid]: 'load',
    [processes.server.pid]: 'server',
    [processes.providers.pid]: 'providers',
  };
  const pids = Object.keys(names).map(Number);
  const window: { cpu?: CpuSample; hook: Promise<void> } = { hook: Promise.resolve() };
  const load = await runLoad({ warmupS: WARMUP_S, ...spec }, () => {
    window.cpu = sampleCpu(pids);
    window.hook = (async () => {
      if (processes.subgraph) await processes.server.call('httpTimings');
      await onWindow?.();
    })();
  });
  const end = sampleCpu(pids);
  await window.hook;
  const cpu = cpuBetween(window.cpu ?? end, end, names);
  const http = processes.subgraph ? await processes.server.call<HttpTimings>('httpTimings') : undefined;
  console.log(
    `  ${spec.title} @${spec.connections}: ${load.rps.toFixed(0)} req/s, p50 ${load.p50Ms.toFixed(2)} ms, ` +
      `p99 ${load.p99Ms.toFixed(2)} ms; cores: server ${(cpu.processes.server ?? 0).toFixed(2)}, ` +
      `machine ${cpu.machine.toFixed(2)}, not ours ${cpu.other.toFixed(2)}; ` +
      (http
        ? `in Node p50 ${ms(http.p50Ms)} p99 ${ms(http.p99Ms)} max ${ms(http.maxMs)} ms, ` +
          `${http.connections} connections accepted, accept → first request max ${ms(http.firstRequestWaitMaxMs)} ms; `
        : '') +
      JSON.stringify(load.counts) +
      `; slowest ${load.slowest.map((r) => `${r.ms.toFixed(0)} ms @${r.atS.toFixed(1)} s`).join(', ')}`,
  );
  await sleep(500);
  return { load, cpu, http };
}

function subgraphEnv(providers: Child, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATA_DIR: ':memory:',
    DATABASE_URL: '',
    REDIS_URL: '',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: String(providers.ready.openaiBaseURL),
    ANTHROPIC_API_KEY: 'bench',
    ANTHROPIC_BASE_URL: String(providers.ready.anthropicBaseURL),
    BENCH_TENANT: TENANT,
    BENCH_SEED_DOCUMENTS: String(SEED.documents),
    BENCH_SEED_CHARS: String(SEED.chars),
    ...extra,
  };
}

interface GraphQLReply {
  status: number;
  text: string;
  body: { data?: Record<string, Record<string, unknown> | null>; errors?: unknown[] };
}

async function post(url: string, token: string, body: string): Promise<GraphQLReply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as GraphQLReply['body'] };
}

/** One request of the kind about to be measured, checked for the shape the scenario relies on. */
async function expectResult(
  url: string,
  token: string,
  body: string,
  field: string,
  typename: string,
): Promise<Record<string, unknown>> {
  const reply = await post(url, token, body);
  const result = reply.body.data?.[field];
  if (reply.status !== 200 || reply.body.errors || result?.__typename !== typename) {
    throw new Error(`expected ${field} to answer ${typename}, got ${reply.status} ${reply.text}`);
  }
  return result;
}

/** The prompt the fake OpenAI server last received for the model that produced `result`. */
async function promptSample(providers: Child, result: Record<string, unknown>): Promise<PromptSample> {
  const meta = result.meta as { provider: string; model: string; cached: boolean };
  if (meta.provider !== 'openai' || meta.cached) {
    throw new Error(`expected a fresh answer from openai, got ${JSON.stringify(meta)}`);
  }
  const sample = await providers.call<PromptSample | null>('sample', `openai:${meta.model}`);
  if (!sample) throw new Error(`the fake OpenAI server saw no request for ${meta.model}`);
  return sample;
}

const setFault = (providers: Child, args: FaultArgs) => providers.call('fault', args);

// ---------------------------------------------------------------------------------------------- report

interface AddedPair {
  name: string;
  direct: Measured;
  subgraph: Measured;
  /** The subgraph's own stage and feature histograms over the subgraph's measured window. */
  breakdown: HistogramMean[];
}

interface HangRun {
  name: string;
  /** False for the control run (no fault). */
  hang: boolean;
  env: Record<string, string>;
  measured: Measured;
  modelCalls: Map<string, number>;
  /** Server-side ask durations by bucket, including requests that finished after the window closed. */
  featureBuckets: { le1s: number; le2500ms: number; total: number };
  breakersBefore: { target: string; state: string }[];
  breakers: { target: string; state: string }[];
}

interface Report {
  started: Date;
  pairs: AddedPair[];
  lowPairs: AddedPair[];
  cacheHit: Measured;
  /** A cache hit with no retrieval in front of it: what the cache-hit path costs without the store. */
  summarizeCacheHit: Measured;
  bare: Measured;
  postgres: { askMiss: Measured; cacheHit: Measured } | { skipped: string };
  hangs: HangRun[];
  profile: { file: string; summary: ProfileSummary } | null;
  seeded: Record<string, unknown>;
}

// NaN crosses the IPC channel as null.
const ms = (value: number | null) => (value !== null && Number.isFinite(value) ? value.toFixed(2) : '–');
const met = (ok: boolean) => (ok ? '**met**' : '**missed**');
const cores = (value: number | undefined) =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(2);

/** CPU milliseconds the server under test spent per response: robust to what else loads the machine. */
const cpuPerResponse = ({ load, cpu }: Measured) =>
  load.responses > 0 ? ((cpu.processes.server ?? Number.NaN) * load.durationS * 1000) / load.responses : NaN;

const LOAD_HEADER = [
  '| scenario | conns | responses | unfinished | req/s | mean ms | p50 ms | p90 ms | p99 ms | max ms | in Node p50 / p99 / max ms | non-2xx + errors | server CPU ms / response | cores: load gen / server / providers / not ours |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
];

function loadRow(name: string, measured: Measured): string {
  const { load, cpu } = measured;
  const p = cpu.processes;
  return (
    `| ${name} | ${load.connections} | ${load.responses} | ${load.unfinished} | ${load.rps.toFixed(0)} | ` +
    `${ms(load.meanMs)} | ${ms(load.p50Ms)} | ${ms(load.p90Ms)} | ${ms(load.p99Ms)} | ${ms(load.maxMs)} | ` +
    `${measured.http ? `${ms(measured.http.p50Ms)} / ${ms(measured.http.p99Ms)} / ${ms(measured.http.maxMs)}` : '–'} | ` +
    `${load.non2xx + load.errors} | ${ms(cpuPerResponse(measured))} | ` +
    `${cores(p.load)} / ${cores(p.server)} / ${cores(p.providers)} / ${cores(cpu.other)} |`
  );
}

function counts(load: LoadResult, prefix: string): string {
  const entries = Object.entries(load.counts)
    .filter(([label]) => label.startsWith(prefix))
    .map(([label, count]) => `${label.slice(prefix.length)} ${count}`);
  return entries.length > 0 ? entries.join(', ') : 'none';
}

function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  let nproc = String(os.cpus().length);
  try {
    nproc = execSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // os.cpus() stands in
  }
  const load = os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  return `nproc ${nproc} (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${os.type()} ${os.release()}; load average at the end ${load}`;
}

function render(report: Report): string {
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  push('## Model gateway: overhead, cache hits, hanging primary', '');
  if (LABEL) push(`> **${LABEL}**`, '');
  const knobs = Object.entries(process.env)
    .filter(([key]) => key.startsWith('BENCH_') && key !== 'BENCH_LABEL' && key !== 'BENCH_OUT')
    .map(([key, value]) => `${key}=${value ?? ''}`);
  push(
    `- Date: ${report.started.toISOString()}`,
    `- Machine: ${machineLine()}`,
    '- Command: `npx tsx bench/gateway.ts`' + (knobs.length > 0 ? ` (this run: ${knobs.join(' ')})` : ''),
    `- Load: autocannon (programmatic) in the benchmark process. Each scenario is one run: ${WARMUP_S} s of warm-up, then ${DURATION_S} s measured on the same, already open connections. Latency: every response to a request sent inside the window, at sub-millisecond resolution; throughput: responses completed inside the window. "unfinished" = requests still open when the run ended (their latency is in no percentile).`,
    `- Servers, each in its own Node process: fake OpenAI (primary) + fake Anthropic (secondary) with ${PROVIDER_LATENCY_MS} ms fixed latency; the subgraph (NODE_ENV=production, LOG_LEVEL=silent, PGlite in memory unless stated, ${String(report.seeded.documents)} documents / ${String(report.seeded.chunks)} chunks for the tenant, memory cache and ledger, HS256 JWT verified on every request); the direct baseline; the bare Apollo server.`,
    "- \"in Node\" = the subgraph's own timing of each response, from Node's `request` event (request head parsed) to `finish`: client latency minus this is time the request waited, already sent, for the busy event loop to read it. Work without I/O waits in between (a cache hit, PGlite's synchronous WebAssembly) runs start to finish in one go, so under CPU saturation the queue forms there, in front of Node.",
    '- "server CPU ms / response" = CPU time of the server process over the window ÷ responses: what one request costs, independent of what else ran on the machine. "not ours" = cores busy machine-wide that none of the benchmark processes used.',
    '',
  );

  const cacheRatio = report.cacheHit.load.rps / report.bare.load.rps;
  push('### Targets', '', '| target | measured | result |', '| --- | ---: | --- |');
  for (const pair of report.pairs) {
    const p50 = pair.subgraph.load.p50Ms - pair.direct.load.p50Ms;
    const p99 = pair.subgraph.load.p99Ms - pair.direct.load.p99Ms;
    push(
      `| ${pair.name}: added p50 ≤ ${TARGETS.addedP50Ms} ms at ${CONNECTIONS} conns | ${ms(p50)} ms | ${met(p50 <= TARGETS.addedP50Ms)} |`,
      `| ${pair.name}: added p99 ≤ ${TARGETS.addedP99Ms} ms at ${CONNECTIONS} conns | ${ms(p99)} ms | ${met(p99 <= TARGETS.addedP99Ms)} |`,
    );
  }
  push(
    `| cache-hit ask req/s ÷ bare Apollo \`{ __typename }\` req/s ≥ ${TARGETS.cacheRatio} | ${cacheRatio.toFixed(2)} | ${met(cacheRatio >= TARGETS.cacheRatio)} |`,
  );
  for (const hang of report.hangs.filter((run) => run.hang)) {
    const { load } = hang.measured;
    const members = ['Answer', 'DegradedAnswer', 'AIUnavailable'].reduce(
      (sum, name) => sum + (load.counts[`typename:${name}`] ?? 0),
      0,
    );
    const errors = (load.counts.errors ?? 0) + load.non2xx + load.errors + load.timeouts;
    const ok = load.p99Ms <= DEADLINE_MS && errors === 0 && members === load.responses && load.responses > 0;
    push(
      `| hanging primary (${hang.name}): p99 ≤ ${DEADLINE_MS} ms, 0 errors, every response a union member | p99 ${ms(load.p99Ms)} ms, ${errors} errors, ${members}/${load.responses} union members | ${met(ok)} |`,
    );
  }
  push('');

  push(
    '### a) + b) Added latency on a cache miss',
    '',
    'Direct = the openai SDK call (maxRetries 0) from a bare node:http server, with the exact system and user prompt the subgraph sent (captured at the fake) plus a per-request counter. Subgraph = authenticated `ask` / `summarize` (text) with a unique input per request, so every request is a cache miss, a retrieval (ask) and a real provider call.',
    '',
    ...LOAD_HEADER,
  );
  for (const pair of [...report.pairs, ...report.lowPairs]) {
    push(loadRow(`${pair.name}: direct`, pair.direct), loadRow(`${pair.name}: subgraph`, pair.subgraph));
  }
  push(
    '',
    '| added (subgraph − direct) | conns | p50 ms | p90 ms | p99 ms | req/s ratio | server CPU ms / response, subgraph − direct |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const pair of [...report.pairs, ...report.lowPairs]) {
    const s = pair.subgraph.load;
    const d = pair.direct.load;
    push(
      `| ${pair.name} | ${s.connections} | ${ms(s.p50Ms - d.p50Ms)} | ${ms(s.p90Ms - d.p90Ms)} | ${ms(s.p99Ms - d.p99Ms)} | ${(s.rps / d.rps).toFixed(2)} | ${ms(cpuPerResponse(pair.subgraph) - cpuPerResponse(pair.direct))} |`,
    );
  }
  push('');
  for (const pair of [...report.pairs, ...report.lowPairs]) {
    const load = pair.subgraph.load;
    push(
      `- ${pair.name} @${load.connections} responses: ${counts(load, 'typename:')}; provider ${counts(load, 'provider:')}; cached ${counts(load, 'cached:')}; GraphQL errors ${load.counts.errors ?? 0}.`,
    );
  }
  push('');

  const all = [...report.pairs, ...report.lowPairs];
  const series = [...new Set(all.flatMap((p) => p.breakdown.map((h) => h.series)))].sort();
  push(
    "### Where the subgraph's time goes",
    '',
    "Mean per request over each measured window, from the subgraph's own histograms (ai_feature_duration_seconds, ai_stage_duration_seconds). The feature runs from the resolver's call to its result; `model.*` is the gateway including the provider's 50 ms; the difference between the client's mean and the feature's is HTTP, JSON, Express, Apollo (parse, validate, execute), JWT verification, and queueing for the CPU. At 1 connection nothing queues: those columns are the per-request costs.",
    '',
    `| mean ms | ${all.map((p) => `${p.name} @${p.subgraph.load.connections}`).join(' | ')} |`,
    `| --- | ${all.map(() => '---:').join(' | ')} |`,
    `| client, subgraph | ${all.map((p) => ms(p.subgraph.load.meanMs)).join(' | ')} |`,
    ...series.map(
      (name) =>
        `| ${name} | ${all.map((p) => ms(p.breakdown.find((h) => h.series === name)?.meanMs ?? NaN)).join(' | ')} |`,
    ),
    `| client, direct | ${all.map((p) => ms(p.direct.load.meanMs)).join(' | ')} |`,
    `| server CPU ms / response, subgraph | ${all.map((p) => ms(cpuPerResponse(p.subgraph))).join(' | ')} |`,
    `| server CPU ms / response, direct | ${all.map((p) => ms(cpuPerResponse(p.direct))).join(' | ')} |`,
    '',
  );

  push(
    '### c) Cache hits against a bare Apollo Server',
    '',
    'The same authenticated `ask` repeated: the answer is cached after the first call. Its cache key holds the retrieved chunk ids and versions, so retrieval comes first; with the default config the retrieval result itself is remembered per tenant corpus version (`SEARCH_CACHE_ENTRIES`), so a repeated question reaches neither the database nor the provider. Against Apollo Server 5 with the same schema on Express 5, no auth, answering `{ __typename }`.',
    '',
    ...LOAD_HEADER,
    loadRow('ask, cache hit (subgraph, PGlite store)', report.cacheHit),
    loadRow('summarize (text), cache hit: no retrieval (subgraph)', report.summarizeCacheHit),
    loadRow('`{ __typename }` (bare Apollo)', report.bare),
  );
  if ('skipped' in report.postgres) {
    push('', `- PostgreSQL store comparison: skipped (${report.postgres.skipped}).`);
  } else {
    push(
      loadRow('ask, cache hit (subgraph, PostgreSQL store)', report.postgres.cacheHit),
      loadRow('ask, cache miss (subgraph, PostgreSQL store)', report.postgres.askMiss),
      '',
      `- With the PostgreSQL store (DATABASE_URL, a schema of its own, pool ${DEFAULTS.DATABASE_POOL_SIZE}) the retrieval runs in the PostgreSQL server, a separate process on the same machine (its CPU is under "not ours"). Cache-hit ratio with it: ${(report.postgres.cacheHit.load.rps / report.bare.load.rps).toFixed(2)}; cache-miss ask added p50 / p99 against the direct run above: ${ms(report.postgres.askMiss.load.p50Ms - (report.pairs[0]?.direct.load.p50Ms ?? NaN))} / ${ms(report.postgres.askMiss.load.p99Ms - (report.pairs[0]?.direct.load.p99Ms ?? NaN))} ms.`,
    );
  }
  push(
    `- Ratio (PGlite store): ${cacheRatio.toFixed(2)} (target ≥ ${TARGETS.cacheRatio}). Cache-hit responses: ${counts(report.cacheHit.load, 'typename:')}; cached ${counts(report.cacheHit.load, 'cached:')}.`,
    `- A cache hit without retrieval (the same \`summarize\` text repeated; its key is the text's hash): ratio ${(report.summarizeCacheHit.load.rps / report.bare.load.rps).toFixed(2)}; responses: ${counts(report.summarizeCacheHit.load, 'typename:')}; cached ${counts(report.summarizeCacheHit.load, 'cached:')}. The gap between it and the ask cache hit is what the (cached) retrieval in front of the completion-cache lookup costs.`,
    '',
  );

  push(
    '### d) Hanging primary',
    '',
    `The fake OpenAI server (first in the chain) holds every request open without answering; the fake Anthropic server answers in ${PROVIDER_LATENCY_MS} ms. DEADLINE_MS=${DEADLINE_MS}, ATTEMPT_TIMEOUT_MS=${ATTEMPT_TIMEOUT_MS}, otherwise defaults (RETRY_MAX_ATTEMPTS=${DEFAULTS.RETRY_MAX_ATTEMPTS}, CIRCUIT_CONSECUTIVE_FAILURES=${DEFAULTS.CIRCUIT_CONSECUTIVE_FAILURES}, CIRCUIT_FAILURE_RATE=${DEFAULTS.CIRCUIT_FAILURE_RATE} over ${DEFAULTS.CIRCUIT_RATE_WINDOW}, CIRCUIT_COOLDOWN_MS=${DEFAULTS.CIRCUIT_COOLDOWN_MS}). Unique questions, so no cache hit and no single-flight sharing. Each variant gets a fresh subgraph, whose ask path is warmed up for ${WARMUP_S} s at ${WARMUP_CONNECTIONS} connections against the healthy primary (at ${CONNECTIONS} the warm-up alone can open the breakers: see the control). Then the fault is switched on and the measured run opens its ${CONNECTIONS} connections with ${WARMUP_S} s of an authenticated \`{ __typename }\` (no provider, no breaker involved) before every connection switches to \`ask\` as the window opens. The control variant is the same with no fault. The breaker counts attempts and the model-call counter counts requests per target; an attempt that timed out is not retried on the same target (ProviderError.retryable), so each request makes at most one attempt at the hung primary. The held-closed variant runs ${HANG_CLOSED_S} s: 1000 consecutive failures (the most CIRCUIT_CONSECUTIVE_FAILURES allows) would open even that breaker after about 5 s at 100 connections.`,
    '',
    ...LOAD_HEADER,
    ...report.hangs.map((hang) => loadRow(hang.name, hang.measured)),
    '',
  );
  for (const hang of report.hangs) {
    const load = hang.measured.load;
    const calls = [...hang.modelCalls.entries()]
      .map(([series, count]) => `${series.replace(/^ai_model_calls_total/, '')} ${count}`)
      .join('; ');
    const b = hang.featureBuckets;
    push(
      `- **${hang.name}** (${Object.entries(hang.env)
        .map(([key, value]) => `${key}=${value}`)
        .join(
          ' ',
        )}), ${load.durationS.toFixed(1)} s: ${load.responses} responses (${load.unfinished} unfinished at the end); GraphQL errors ${load.counts.errors ?? 0}, non-2xx ${load.non2xx}, connection errors ${load.errors}, timeouts ${load.timeouts}; by __typename: ${counts(load, 'typename:')}; by provider: ${counts(load, 'provider:')}; reasons: ${counts(load, 'reason:')}.`,
      `  - Server-side ask durations (ai_feature_duration_seconds, including the requests that finished after the window): ${b.total} in all, ${b.le1s} ≤ 1 s, ${b.le2500ms} ≤ 2.5 s, ${b.total - b.le2500ms} over 2.5 s.`,
      `  - Model calls (ai_model_calls_total, same span): ${calls || 'none'}.`,
      `  - Circuit state before the window: ${hang.breakersBefore.map((breaker) => `${breaker.target} ${breaker.state}`).join(', ')}; at the end: ${hang.breakers.map((breaker) => `${breaker.target} ${breaker.state}`).join(', ')}.`,
    );
  }
  push('');

  push(
    '### How to read these numbers',
    '',
    `- At ${CONNECTIONS} connections on a ${os.cpus().length}-core machine every server here is CPU-bound (the direct baseline's p50 is far above the provider's ${PROVIDER_LATENCY_MS} ms). Then latency ≈ connections ÷ throughput (Little's law), so the "added" latency at ${CONNECTIONS} connections is the difference in CPU cost per request multiplied by the queue length, not a fixed overhead per request. The 1-connection rows are the per-request overhead without queueing; "server CPU ms / response" is the cost that drives both.`,
    '- The load generator, the fake providers and the server under test share the same cores; "not ours" shows how much of the machine something else took during each window. Compare rows of the same run only.',
    '- p99 over a window counts only the responses that came back inside it: up to one request per connection ("unfinished") is still open at the end and is in no percentile. For the hanging-primary runs the server-side histogram, read after those requests finished, covers them.',
    '',
  );

  if (report.profile) {
    const { summary, file } = report.profile;
    const table = (title: string, rows: { area: string; share: number }[]) => [
      `| ${title} | share |`,
      '| --- | ---: |',
      ...rows.map((row) => `| ${row.area} | ${(row.share * 100).toFixed(1)} % |`),
      '',
    ];
    push(
      `### CPU profile of the subgraph (ask, cache miss, ${CONNECTIONS} conns, one extra ${DURATION_S} s window)`,
      '',
      `\`${file}\` (Chrome DevTools or speedscope). Wall ${summary.wallMs.toFixed(0)} ms, busy ${summary.busyMs.toFixed(0)} ms. Shares are of busy time; WebAssembly is counted with the package that called it (PGlite's Postgres, undici's HTTP parser).`,
      '',
      ...table('self time, by package or folder', summary.selfByArea.slice(0, 15)),
      ...table('inclusive time, by package or folder', summary.inclusive.slice(0, 15)),
      '| self time, by function | share |',
      '| --- | ---: |',
      ...summary.self
        .slice(0, 15)
        .map((row) => `| \`${row.fn.replace(/\|/g, '\\|')}\` | ${(row.share * 100).toFixed(1)} % |`),
      '',
    );
  }
  return lines.join('\n');
}

// ------------------------------------------------------------------------------------------------ run

function featureBuckets(before: MetricsSnapshot, after: MetricsSnapshot): HangRun['featureBuckets'] {
  const buckets = delta(before, after, 'ai_feature_duration_seconds_bucket{');
  const at = (le: string) =>
    [...buckets.entries()]
      .filter(([key]) => key.includes('feature=ask') && key.includes(`le=${le},`))
      .reduce((sum, [, count]) => sum + count, 0);
  return { le1s: at('1'), le2500ms: at('2.5'), total: at('+Inf') };
}

async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } catch (error) {
    console.error(`could not drop schema ${schema}:`, error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const started = new Date();
  const children = new Set<Child>();
  const start = async (file: string, env: Record<string, string>): Promise<Child> => {
    const child = await startChild(path.join(SUPPORT, file), env);
    children.add(child);
    return child;
  };
  const stop = async (child: Child): Promise<void> => {
    children.delete(child);
    await child.stop();
  };
  const postgresSchema = uniqueSchemaName('bench_gw');
  try {
    console.log('starting the fake providers and the subgraph (PGlite)');
    const providers = await start('providers-child.ts', {
      NODE_ENV: 'production',
      BENCH_PROVIDER_LATENCY_MS: String(PROVIDER_LATENCY_MS),
    });
    const subgraph = await start('subgraph-child.ts', subgraphEnv(providers));
    const url = String(subgraph.ready.url);
    const token = await tokenFor(TENANT);
    const headers = { authorization: `Bearer ${token}` };
    const onSubgraph: UnderTest = { server: subgraph, providers, subgraph: true };
    const subgraphSpec = (title: string, body: () => string, connections: number, at = url): LoadSpec => ({
      title,
      url: at,
      connections,
      durationS: DURATION_S,
      headers,
      body,
      classify: graphqlLabels,
    });

    // The direct baseline sends exactly the prompts the subgraph sent, as the fake OpenAI server saw them.
    const startDirect = async (result: Record<string, unknown>): Promise<Child> => {
      const sample = await promptSample(providers, result);
      return start('direct-child.ts', {
        NODE_ENV: 'production',
        DIRECT_BASE_URL: String(providers.ready.openaiBaseURL),
        DIRECT_MODEL: sample.model,
        DIRECT_SYSTEM: sample.system,
        DIRECT_USER: sample.user,
        DIRECT_MAX_TOKENS: String(sample.maxTokens ?? 700),
      });
    };
    const directAsk = await startDirect(await expectResult(url, token, askBody(true)(), 'ask', 'Answer'));
    const directSummarize = await startDirect(
      await expectResult(url, token, summarizeBody(true)(), 'summarize', 'Summary'),
    );
    const directSpec = (child: Child, title: string, connections: number): LoadSpec => ({
      title,
      url: String(child.ready.url),
      connections,
      durationS: DURATION_S,
      body: directBody,
      classify: directLabels,
    });
    const pair = async (name: string, direct: Child, body: () => string, connections: number) => {
      const d = await measure(directSpec(direct, `direct, ${name}-sized call`, connections), {
        server: direct,
        providers,
      });
      let before: MetricsSnapshot = [];
      const s = await measure(subgraphSpec(`subgraph ${name}`, body, connections), onSubgraph, async () => {
        before = await subgraph.call<MetricsSnapshot>('metrics');
      });
      const after = await subgraph.call<MetricsSnapshot>('metrics');
      const breakdown = [
        ...histogramMeans(before, after, 'ai_feature_duration_seconds').map((h) => ({
          ...h,
          series: `feature ${h.series}`,
        })),
        ...histogramMeans(before, after, 'ai_stage_duration_seconds').map((h) => ({
          ...h,
          series: `stage ${h.series}`,
        })),
      ];
      return { name, direct: d, subgraph: s, breakdown };
    };

    const pairs: AddedPair[] = [];
    const lowPairs: AddedPair[] = [];
    for (const connections of [CONNECTIONS, ...LOW_CONNECTIONS]) {
      console.log(`a + b) added latency at ${connections} connections`);
      const into = connections === CONNECTIONS ? pairs : lowPairs;
      into.push(await pair('ask', directAsk, askBody(true), connections));
      into.push(await pair('summarize (text)', directSummarize, summarizeBody(true), connections));
    }
    await stop(directAsk);
    await stop(directSummarize);

    let profile: Report['profile'] = null;
    if (PROFILE) {
      console.log('profiling the subgraph on ask (cache miss)');
      const file = path.join(os.tmpdir(), 'gateway-bench', `ask-miss-${Date.now()}.cpuprofile`);
      mkdirSync(path.dirname(file), { recursive: true });
      let profiling = Promise.resolve<unknown>(null);
      await runLoad(
        { ...subgraphSpec('subgraph ask (profiled)', askBody(true), CONNECTIONS), warmupS: WARMUP_S },
        () => {
          profiling = subgraph.call('profileStart');
        },
      );
      await profiling;
      await subgraph.call('profileStop', file);
      profile = { file, summary: summarizeProfile(file) };
    }

    console.log('c) cache hits against a bare Apollo Server');
    await expectResult(url, token, askBody(false)(), 'ask', 'Answer');
    const cacheHit = await measure(
      subgraphSpec('subgraph ask, cache hit', askBody(false), CONNECTIONS),
      onSubgraph,
    );
    await expectResult(url, token, summarizeBody(false)(), 'summarize', 'Summary');
    const summarizeCacheHit = await measure(
      subgraphSpec('subgraph summarize, cache hit', summarizeBody(false), CONNECTIONS),
      onSubgraph,
    );
    const seeded = subgraph.ready;
    await stop(subgraph);
    const bareServer = await start('bare-child.ts', { NODE_ENV: 'production' });
    const bare = await measure(
      {
        title: 'bare Apollo { __typename }',
        url: String(bareServer.ready.url),
        connections: CONNECTIONS,
        durationS: DURATION_S,
        body: () => TYPENAME,
        classify: graphqlLabels,
      },
      { server: bareServer, providers },
    );
    await stop(bareServer);

    let postgres: Report['postgres'] = { skipped: 'BENCH_DATABASE_URL is empty' };
    if (DATABASE_URL) {
      console.log('c) the same with the PostgreSQL store');
      const server = await start(
        'subgraph-child.ts',
        subgraphEnv(providers, { DATABASE_URL, DATABASE_SCHEMA: postgresSchema }),
      );
      const at = String(server.ready.url);
      const on: UnderTest = { server, providers, subgraph: true };
      await expectResult(at, token, askBody(false)(), 'ask', 'Answer');
      const pgCacheHit = await measure(
        subgraphSpec('subgraph ask, cache hit, PostgreSQL', askBody(false), CONNECTIONS, at),
        on,
      );
      const askMiss = await measure(
        subgraphSpec('subgraph ask, cache miss, PostgreSQL', askBody(true), CONNECTIONS, at),
        on,
      );
      postgres = { cacheHit: pgCacheHit, askMiss };
      await stop(server);
    }

    console.log('d) hanging primary');
    const hangs: HangRun[] = [];
    const variants: { name: string; env: Record<string, string>; hang: boolean; durationS: number }[] = [
      { name: 'no fault (control)', env: {}, hang: false, durationS: DURATION_S },
      { name: 'hang, default breaker', env: {}, hang: true, durationS: DURATION_S },
      {
        name: 'hang, breaker held closed',
        env: { CIRCUIT_CONSECUTIVE_FAILURES: '1000', CIRCUIT_FAILURE_RATE: '1' },
        hang: true,
        durationS: HANG_CLOSED_S,
      },
    ];
    for (const variant of variants) {
      const env: Record<string, string> = {
        DEADLINE_MS: String(DEADLINE_MS),
        ATTEMPT_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS),
        ...variant.env,
      };
      const server = await start('subgraph-child.ts', subgraphEnv(providers, env));
      const at = String(server.ready.url);
      const on: UnderTest = { server, providers, subgraph: true };
      const healthy = await expectResult(at, token, askBody(true)(), 'ask', 'Answer');
      const targets: TargetRef[] = [
        { provider: 'openai', model: String((healthy.meta as { model: string }).model) },
        { provider: 'anthropic', model: DEFAULTS.ANTHROPIC_MODEL },
      ];
      // At 100 connections this machine's own queueing can push healthy calls past the 500 ms attempt timeout
      // and open both breakers before the fault starts (the control variant measures exactly that). So the
      // ask path is warmed up at low concurrency in a run of its own; the measured run then opens its 100
      // connections with a cheap authenticated `{ __typename }` for WARMUP_S, touching neither providers nor
      // breakers, and switches every connection to `ask` when the window opens. The fault is already on.
      await runLoad({
        ...subgraphSpec(`${variant.name}, warm-up`, askBody(true), WARMUP_CONNECTIONS, at),
        durationS: WARMUP_S,
      });
      await sleep(500);
      const breakersBefore = await server.call<HangRun['breakers']>('breakers', targets);
      if (variant.hang) await setFault(providers, { provider: 'openai', fault: { kind: 'hang' } });
      const before = await server.call<MetricsSnapshot>('metrics');
      const measured = await measure(
        {
          ...subgraphSpec(variant.name, askBody(true), CONNECTIONS, at),
          durationS: variant.durationS,
          warmupBody: () => TYPENAME,
        },
        on,
      );
      // Let the requests still open at the end finish server-side before reading the histograms.
      await sleep(DEADLINE_MS + 1000);
      const after = await server.call<MetricsSnapshot>('metrics');
      hangs.push({
        name: variant.name,
        hang: variant.hang,
        env,
        measured,
        modelCalls: delta(before, after, 'ai_model_calls_total'),
        featureBuckets: featureBuckets(before, after),
        breakersBefore,
        breakers: await server.call('breakers', targets),
      });
      await setFault(providers, { provider: 'openai', fault: null });
      await stop(server);
    }

    const report: Report = {
      started,
      pairs,
      lowPairs,
      cacheHit,
      summarizeCacheHit,
      bare,
      postgres,
      hangs,
      profile,
      seeded,
    };
    // Formatted as `npm run lint` (prettier --check .) expects it.
    const markdown = await format(render(report), {
      ...(await resolveConfig(OUT)),
      parser: 'markdown',
    });
    mkdirSync(path.dirname(OUT), { recursive: true });
    writeFileSync(OUT, markdown);
    console.log(
      `\n${markdown}\n\nwritten to ${OUT} in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`,
    );
  } finally {
    await Promise.allSettled([...children].map((child) => child.stop()));
    if (DATABASE_URL) await dropSchema(DATABASE_URL, postgresSchema);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
