// The gateway benchmark's section of BENCHMARKS.md: targets (each a ratio or difference against a baseline
// measured in the same run), the added latency, where the subgraph's time goes, cache hits, the hanging primary.
import os from 'node:os';
import { envSchema } from '../../subgraph/config';
import type { LoadResult } from '../support/load';
import { cpuMsPerResponse } from '../support/measure';
import type { Measured } from '../support/measure';
import type { ProfileSummary } from '../support/profile-summary';
import { fixed, loadTable, machineLine, met, noisyMachineNote } from '../support/report';
import type { HangRun } from './hanging-primary';
import { ATTEMPT_TIMEOUT_MS, DEADLINE_MS, PROVIDER_LATENCY_MS, WARMUP_CONNECTIONS } from './scenarios';
import type { AddedPair, CacheHits, GatewaySettings, PostgresRuns } from './scenarios';

const DEFAULTS = envSchema.parse({});
export const TARGETS = { addedP50Ms: 2, addedP99Ms: 10, cacheRatio: 0.6 };

export interface GatewayReport {
  started: Date;
  command: string;
  label: string;
  settings: GatewaySettings;
  pairs: AddedPair[];
  cache: CacheHits;
  bare: Measured;
  postgres: PostgresRuns;
  hangs: HangRun[];
  profile: { file: string; summary: ProfileSummary } | null;
}

const ms = (value: number | null) => fixed(value);
const cpuPerResponse = cpuMsPerResponse;

function counts(load: LoadResult, prefix: string): string {
  const entries = Object.entries(load.counts)
    .filter(([label]) => label.startsWith(prefix))
    .map(([label, count]) => `${label.slice(prefix.length)} ${count}`);
  return entries.length > 0 ? entries.join(', ') : 'none';
}

const mainPairs = (report: GatewayReport) =>
  report.pairs.filter((pair) => pair.subgraph.load.connections === report.settings.connections);

function header(report: GatewayReport): string[] {
  const { settings: s } = report;
  return [
    ...(report.label ? [`> **${report.label}**`, ''] : []),
    `- Date: ${report.started.toISOString()}`,
    `- Machine: ${machineLine()}`,
    `- Command: \`${report.command}\``,
    `- Load: autocannon (programmatic) in the benchmark process. Each scenario is one run: ${s.warmupS} s of warm-up, then ${s.durationS} s measured on the same, already open connections. Latency: every response to a request sent inside the window, at sub-millisecond resolution; throughput: responses completed inside the window. "unfinished" = requests still open when the run ended (their latency is in no percentile).`,
    `- Servers, each in its own Node process: fake OpenAI (primary) + fake Anthropic (secondary) with ${PROVIDER_LATENCY_MS} ms fixed latency; the subgraph (NODE_ENV=production, LOG_LEVEL=silent, PGlite in memory unless stated, ${String(report.cache.seeded.documents)} documents / ${String(report.cache.seeded.chunks)} chunks for the tenant, memory cache and ledger, HS256 JWT verified on every request); the direct baseline; the bare Apollo server.`,
    "- \"in Node\" = the subgraph's own timing of each response, from Node's `request` event (request head parsed) to `finish`: client latency minus this is time the request waited, already sent, for the busy event loop to read it. Work without I/O waits in between (a cache hit, PGlite's synchronous WebAssembly) runs start to finish in one go, so under CPU saturation the queue forms there, in front of Node.",
    '- "server CPU ms / response" = CPU time of the server process over the window ÷ responses: what one request costs, independent of what else ran on the machine. "cores": what each process used over the window; "others" = the fake providers; "not ours" = cores busy machine-wide that none of the benchmark processes used.',
    '',
    noisyMachineNote(),
    '',
  ];
}

function targets(report: GatewayReport): string[] {
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  const CONNECTIONS = report.settings.connections;
  const cacheRatio = report.cache.ask.load.rps / report.bare.load.rps;
  push('### Targets', '', '| target | measured | result |', '| --- | ---: | --- |');
  for (const pair of mainPairs(report)) {
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
  return lines;
}

function addedLatency(report: GatewayReport): string[] {
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);

  push(
    '### a) + b) Added latency on a cache miss',
    '',
    'Direct = the openai SDK call (maxRetries 0) from a bare node:http server, with the exact system and user prompt the subgraph sent (captured at the fake) plus a per-request counter. Subgraph = authenticated `ask` / `summarize` (text) with a unique input per request, so every request is a cache miss, a retrieval (ask) and a real provider call.',
    '',
    loadTable(
      report.pairs.flatMap((pair) => [
        { name: `${pair.name}: direct`, measured: pair.direct },
        { name: `${pair.name}: subgraph`, measured: pair.subgraph },
      ]),
    ),
  );
  push(
    '',
    '| added (subgraph − direct) | conns | p50 ms | p90 ms | p99 ms | req/s ratio | server CPU ms / response, subgraph − direct |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const pair of report.pairs) {
    const s = pair.subgraph.load;
    const d = pair.direct.load;
    push(
      `| ${pair.name} | ${s.connections} | ${ms(s.p50Ms - d.p50Ms)} | ${ms(s.p90Ms - d.p90Ms)} | ${ms(s.p99Ms - d.p99Ms)} | ${(s.rps / d.rps).toFixed(2)} | ${ms(cpuPerResponse(pair.subgraph) - cpuPerResponse(pair.direct))} |`,
    );
  }
  push('');
  for (const pair of report.pairs) {
    const load = pair.subgraph.load;
    push(
      `- ${pair.name} @${load.connections} responses: ${counts(load, 'typename:')}; provider ${counts(load, 'provider:')}; cached ${counts(load, 'cached:')}; GraphQL errors ${load.counts.errors ?? 0}.`,
    );
  }
  push('');
  return lines;
}

function breakdown(report: GatewayReport): string[] {
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  const all = report.pairs;
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
  return lines;
}

function cacheHits(report: GatewayReport): string[] {
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  const cacheRatio = report.cache.ask.load.rps / report.bare.load.rps;
  push(
    '### c) Cache hits against a bare Apollo Server',
    '',
    'The same authenticated `ask` repeated: the answer is cached after the first call. Its cache key holds the retrieved chunk ids and versions, so retrieval comes first; with the default config the retrieval result itself is remembered per tenant corpus version (`SEARCH_CACHE_MAX_MB`), so a repeated question reaches neither the database nor the provider. Against Apollo Server 5 with the same schema on Express 5, no auth, answering `{ __typename }`.',
    '',
    loadTable([
      { name: 'ask, cache hit (subgraph, PGlite store)', measured: report.cache.ask },
      { name: 'summarize (text), cache hit: no retrieval (subgraph)', measured: report.cache.summarize },
      { name: '`{ __typename }` (bare Apollo)', measured: report.bare },
      ...('skipped' in report.postgres
        ? []
        : [
            { name: 'ask, cache hit (subgraph, PostgreSQL store)', measured: report.postgres.cacheHit },
            { name: 'ask, cache miss (subgraph, PostgreSQL store)', measured: report.postgres.askMiss },
          ]),
    ]),
  );
  if ('skipped' in report.postgres) {
    push('', `- PostgreSQL store comparison: skipped (${report.postgres.skipped}).`);
  } else {
    push(
      '',
      `- With the PostgreSQL store (DATABASE_URL, a schema of its own, pool ${DEFAULTS.DATABASE_POOL_SIZE}) the retrieval runs in the PostgreSQL server, a separate process on the same machine (its CPU is under "not ours"). Cache-hit ratio with it: ${(report.postgres.cacheHit.load.rps / report.bare.load.rps).toFixed(2)}; cache-miss ask added p50 / p99 against the direct run above: ${ms(report.postgres.askMiss.load.p50Ms - (report.pairs[0]?.direct.load.p50Ms ?? NaN))} / ${ms(report.postgres.askMiss.load.p99Ms - (report.pairs[0]?.direct.load.p99Ms ?? NaN))} ms.`,
    );
  }
  push(
    `- Ratio (PGlite store): ${cacheRatio.toFixed(2)} (target ≥ ${TARGETS.cacheRatio}). Cache-hit responses: ${counts(report.cache.ask.load, 'typename:')}; cached ${counts(report.cache.ask.load, 'cached:')}.`,
    `- A cache hit without retrieval (the same \`summarize\` text repeated; its key is the text's hash): ratio ${(report.cache.summarize.load.rps / report.bare.load.rps).toFixed(2)}; responses: ${counts(report.cache.summarize.load, 'typename:')}; cached ${counts(report.cache.summarize.load, 'cached:')}. The gap between it and the ask cache hit is what the (cached) retrieval in front of the completion-cache lookup costs.`,
    '',
  );
  return lines;
}

const callsOf = (calls: Map<string, number>) =>
  [...calls.entries()]
    .map(([series, count]) => `${series.replace(/^ai_model_calls_total/, '')} ${count}`)
    .join('; ') || 'none';

function hangingPrimary(report: GatewayReport): string[] {
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  const { connections: CONNECTIONS, warmupS: WARMUP_S, hangClosedS } = report.settings;
  const HANG_CLOSED_S = Math.min(report.settings.durationS, hangClosedS);
  push(
    '### d) Hanging primary',
    '',
    `The fake OpenAI server (first in the chain) holds every request open without answering; the fake Anthropic server answers in ${PROVIDER_LATENCY_MS} ms. DEADLINE_MS=${DEADLINE_MS}, ATTEMPT_TIMEOUT_MS=${ATTEMPT_TIMEOUT_MS}, otherwise defaults (RETRY_MAX_ATTEMPTS=${DEFAULTS.RETRY_MAX_ATTEMPTS}, CIRCUIT_CONSECUTIVE_FAILURES=${DEFAULTS.CIRCUIT_CONSECUTIVE_FAILURES}, CIRCUIT_FAILURE_RATE=${DEFAULTS.CIRCUIT_FAILURE_RATE} over ${DEFAULTS.CIRCUIT_RATE_WINDOW}, CIRCUIT_COOLDOWN_MS=${DEFAULTS.CIRCUIT_COOLDOWN_MS}). Unique questions, so no cache hit and no single-flight sharing. Each variant gets a fresh subgraph, whose ask path is warmed up for ${WARMUP_S} s at ${WARMUP_CONNECTIONS} connections against the healthy primary (at ${CONNECTIONS} the warm-up alone can open the breakers: see the control). Then the fault is switched on and the measured run opens its ${CONNECTIONS} connections with ${WARMUP_S} s of an authenticated \`{ __typename }\` (no provider, no breaker involved) before every connection switches to \`ask\` as the window opens. The control variant is the same with no fault. The breaker counts attempts and the model-call counter counts requests per target; an attempt that timed out is not retried on the same target (ProviderError.retryable), so each request makes at most one attempt at the hung primary. The held-closed variant runs ${HANG_CLOSED_S} s: 1000 consecutive failures (the most CIRCUIT_CONSECUTIVE_FAILURES allows) would open even that breaker after about 5 s at 100 connections.`,
    '',
    loadTable(report.hangs.map((hang) => ({ name: hang.name, measured: hang.measured }))),
    '',
  );
  for (const hang of report.hangs) {
    const load = hang.measured.load;
    const b = hang.featureBuckets;
    push(
      `- **${hang.name}** (${Object.entries(hang.env)
        .map(([key, value]) => `${key}=${value}`)
        .join(
          ' ',
        )}), ${load.durationS.toFixed(1)} s: ${load.responses} responses (${load.unfinished} unfinished at the end); GraphQL errors ${load.counts.errors ?? 0}, non-2xx ${load.non2xx}, connection errors ${load.errors}, timeouts ${load.timeouts}; by __typename: ${counts(load, 'typename:')}; by provider: ${counts(load, 'provider:')}; reasons: ${counts(load, 'reason:')}.`,
      `  - Server-side ask durations (ai_feature_duration_seconds, including the requests that finished after the window): ${b.total} in all, ${b.le1s} ≤ 1 s, ${b.le2500ms} ≤ 2.5 s, ${b.total - b.le2500ms} over 2.5 s.`,
      `  - Model calls (ai_model_calls_total, same span): ${callsOf(hang.modelCalls)}.`,
      `  - Hedges (ai_hedges_total, same span): ${callsOf(hang.hedges).replaceAll('ai_hedges_total', '') || 'none'}.`,
      `  - Breakers before the window: model calls during the ask warm-up (healthy primary): ${callsOf(hang.warmupCalls)}.`,
      `  - Breakers at the end: model calls of one probe \`ask\` after the window (a target skipped with outcome=circuit-open has an open breaker): ${callsOf(hang.probeCalls)}.`,
    );
  }
  push('');

  return lines;
}

function howToRead(report: GatewayReport): string[] {
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  const CONNECTIONS = report.settings.connections;
  push(
    '### How to read these numbers',
    '',
    `- At ${CONNECTIONS} connections on a ${os.availableParallelism()}-core machine every server here is CPU-bound (the direct baseline's p50 is far above the provider's ${PROVIDER_LATENCY_MS} ms). Then latency ≈ connections ÷ throughput (Little's law), so the "added" latency at ${CONNECTIONS} connections is the difference in CPU cost per request multiplied by the queue length, not a fixed overhead per request. The 1-connection rows are the per-request overhead without queueing; "server CPU ms / response" is the cost that drives both.`,
    '- The load generator, the fake providers and the server under test share the same cores; "not ours" shows how much of the machine something else took during each window. Compare rows of the same run only.',
    '- p99 over a window counts only the responses that came back inside it: up to one request per connection ("unfinished") is still open at the end and is in no percentile. For the hanging-primary runs the server-side histogram, read after those requests finished, covers them.',
    '',
  );

  return lines;
}

function profile(report: GatewayReport): string[] {
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  const { connections: CONNECTIONS, durationS: DURATION_S } = report.settings;
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
  return lines;
}

/** Only the hanging primary (`--hang-only`), under its date, machine and command: printed, never written. */
export function renderHangingPrimary(
  report: Pick<GatewayReport, 'hangs' | 'settings' | 'started' | 'command'>,
): string {
  const { started, command } = report;
  const lines = [`- ${started.toISOString()}, ${machineLine()}, \`${command}\``, ''];
  return [...lines, ...hangingPrimary(report as GatewayReport)].join('\n');
}

export function renderGateway(report: GatewayReport): string {
  return [
    ...header(report),
    ...targets(report),
    ...addedLatency(report),
    ...breakdown(report),
    ...cacheHits(report),
    ...hangingPrimary(report),
    ...howToRead(report),
    ...profile(report),
  ].join('\n');
}
