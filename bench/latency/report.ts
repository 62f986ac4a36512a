// The latency benchmark's section of BENCHMARKS.md: a table per scenario with ✓/✗ against each of issue 13's
// targets (every one a ratio or a difference against a baseline measured in the same run), the load tables
// behind them, and what the figures mean.
import { cpuMsPerResponse } from '../support/measure';
import type { Measured } from '../support/measure';
import { fixed, loadTable, machineLine, markdownTable, noisyMachineNote } from '../support/report';
import type { AddedAt, LoadShape } from './added-latency';
import type { CacheHitRun } from './cache-hit';
import type { HungPrimaryRun } from './hung-primary';
import type { OverloadRun } from './overload';
import { TARGETS, counts, failed, mark, ms } from './report-cells';
import { floorNote, hungSection, overloadSection } from './report-faults';
import { PROVIDER_LATENCY_MS } from './setup';

export interface LatencyReport {
  started: Date;
  command: string;
  shapes: { added: LoadShape; cache: LoadShape; overload: LoadShape; hung: LoadShape };
  /** Each scenario is absent when --scenarios left it out (a --dry-run). */
  added?: AddedAt[];
  cache?: CacheHitRun;
  overload?: OverloadRun;
  hung?: HungPrimaryRun;
}

function addedOf(at: AddedAt) {
  const d = at.direct.load;
  const over = (path: Measured) => ({ p50: path.load.p50Ms - d.p50Ms, p99: path.load.p99Ms - d.p99Ms });
  return { portkey: over(at.portkey), subgraph: over(at.subgraph) };
}

function addedSection(report: LatencyReport, added: AddedAt[]): string[] {
  const { shapes } = report;
  const rows = added.map((at) => {
    const { portkey: p, subgraph: s } = addedOf(at);
    return [
      at.connections,
      ms(p.p50),
      ms(s.p50),
      `${mark(s.p50 <= p.p50)} ${s.p50 <= p.p50 / 2 ? '(≤ half ✓)' : '(half ✗)'}`,
      ms(p.p99),
      ms(s.p99),
      `${mark(s.p99 <= p.p99)} ${s.p99 <= p.p99 / 2 ? '(≤ half ✓)' : '(half ✗)'}`,
      [at.direct, at.portkey, at.subgraph].map((m) => fixed(m.load.rps, 0)).join(' / '),
      failed(at.subgraph.load),
    ];
  });
  return [
    '### 1. Added latency over a direct call: Portkey against the subgraph (cache miss, everything on)',
    '',
    `Fake OpenAI provider answering in ${PROVIDER_LATENCY_MS} ms, the same server for the three paths. Direct = ` +
      'the load generator posts the chat completion the subgraph sends for a summary (its exact model, system ' +
      'and user prompt, captured at the fake, plus a unique tail) to the fake itself; Portkey = the same ' +
      'request through the gateway (`x-portkey-provider: openai`, `x-portkey-custom-host: <fake>/v1`); ' +
      'subgraph = `summarize(input: { text })` with a unique text per request (a cache miss). Added = the ' +
      "path's percentile minus direct's at the same concurrency. The three paths take the load in " +
      `${shapes.added.slices} interleaved slices each (${shapes.added.durationS} s measured per path and ` +
      `concurrency, ${shapes.added.warmupS} s of warm-up first), every other slice in reverse order.`,
    '',
    markdownTable(
      [
        'concurrent',
        'Portkey added p50 ms',
        'subgraph added p50 ms',
        'p50 ≤ Portkey (aim ≤ half)',
        'Portkey added p99 ms',
        'subgraph added p99 ms',
        'p99 ≤ Portkey (aim ≤ half)',
        'req/s direct / Portkey / subgraph',
        'subgraph failed',
      ],
      rows,
    ),
    '',
    loadTable(
      added.flatMap((at) =>
        [at.direct, at.portkey, at.subgraph, ...(at.plain ? [at.plain] : [])].map((measured) => ({
          name: measured.load.title,
          measured,
        })),
      ),
    ),
    '',
    ...added.map(
      (at) =>
        `- @${at.connections} subgraph answers: ${counts(at.subgraph.load, 'typename:')}; ` +
        `provider ${counts(at.subgraph.load, 'provider:')}; reasons ${counts(at.subgraph.load, 'reason:')}.` +
        (at.plain
          ? ` Plain (\`--plain\`: logs, tracing, sampling, caps and limits off; Redis on): added p50 ${ms(at.plain.load.p50Ms - at.direct.load.p50Ms)} ms, p99 ` +
            `${ms(at.plain.load.p99Ms - at.direct.load.p99Ms)} ms, ${fixed(at.plain.load.rps, 0)} req/s.`
          : ''),
    ),
    '',
  ];
}

function cacheSection({ bare, hit, connections }: CacheHitRun): string[] {
  const ratio = hit.load.rps / bare.load.rps;
  return [
    `### 2. Cache hit against a bare Apollo Server (${connections} concurrent)`,
    '',
    "Bare = Apollo Server 5 on express 5 (the subgraph's http framework) answering `{ hello }`, nothing " +
      "else, in its own process; hit = the subgraph's `summarize` with the same text every time (JWT " +
      'verified, validation rules, the completion cache in Redis, tracing, logs, metrics), in interleaved slices.',
    '',
    markdownTable(
      ['target', 'measured', 'result'],
      [
        [
          `cache-hit req/s ÷ bare \`{ hello }\` req/s ≥ ${TARGETS.cacheRatio}`,
          `${fixed(ratio, 3)} (${fixed(hit.load.rps, 0)} / ${fixed(bare.load.rps, 0)})`,
          mark(ratio >= TARGETS.cacheRatio),
        ],
      ],
    ),
    '',
    loadTable([
      { name: bare.load.title, measured: bare },
      { name: hit.load.title, measured: hit },
    ]),
    '',
  ];
}

function meaning(report: LatencyReport): string[] {
  const { added, cache, overload: o, hung } = report;
  const worst = (added ?? []).map((at) => ({ at, ...addedOf(at) }));
  const behind = worst.filter((w) => w.subgraph.p50 > w.portkey.p50 || w.subgraph.p99 > w.portkey.p99);
  const lines = ['### What this means', ''];
  if (added)
    lines.push(
      `- Added latency: ${
        behind.length === 0
          ? 'the subgraph, with every deployment feature on, adds no more than Portkey at any measured concurrency.'
          : `the subgraph adds more than Portkey at ${behind.map((w) => w.at.connections).join(', ')} concurrent: on this 2-core machine added latency under concurrency is mostly CPU per request queued behind other requests, so it tracks "server CPU ms / response" in the load table (issue 13, item 1).`
      }`,
      ...plainMeaning(added),
    );
  if (cache)
    lines.push(
      `- Cache hit: ${fixed(cache.hit.load.rps / cache.bare.load.rps, 2)} of a bare Apollo Server's trivial-query throughput; the gap is the per-request work before the cache (auth, validation, context, tracing, logs) and the Redis round trip.`,
    );
  if (o)
    lines.push(
      `- Under ${o.connections} concurrent a healthy provider ${
        o.circuitOpens.length + o.providerTimeouts + o.attemptTimeouts === 0
          ? 'was never blamed (no circuit opened, no `PROVIDER_TIMEOUT`)'
          : "was blamed for the subgraph's own queueing (item 2: a timeout the event loop's lag explains should count against no target)"
      }; ${o.shed} requests were shed.${floorNote(o)}`,
    );
  if (hung) lines.push(`- Hung primary: ${hungMeaning(hung)}`);
  return [...lines, ''];
}

/** With --plain: how much of the added latency the deployment's features (logs, tracing, caps...) account for. */
function plainMeaning(added: readonly AddedAt[]): string[] {
  const parts = added.flatMap((at) =>
    at.plain
      ? [
          `at ${at.connections} concurrent ${ms(at.plain.load.p50Ms - at.direct.load.p50Ms)} ms p50 ` +
            `(${fixed(cpuMsPerResponse(at.plain), 1)} ms of server CPU per response, against ` +
            `${fixed(cpuMsPerResponse(at.subgraph), 1)} all on)`,
        ]
      : [],
  );
  if (parts.length === 0) return [];
  return [
    `- With logs, tracing, sampling, caps and limits off (\`--plain\`, Redis on) the subgraph adds ${parts.join('; ')}: ` +
      'whatever gap to Portkey remains there is the core path (HTTP, GraphQL, auth, rails, cache, gateway).',
  ];
}

function hungMeaning(h: HungPrimaryRun): string {
  const slow = h.total - h.withinOneSecond;
  const opened =
    h.circuitOpens.length > 0
      ? `the primary's circuit opened (${h.circuitOpens.join(', ')})`
      : 'no circuit opened';
  return slow === 0
    ? `no request waited over 1 s for the hung primary (${opened}).`
    : `${slow} of ${h.total} requests waited over 1 s: each one that met the hang before the breaker opened ` +
        `waited a whole attempt timeout (ATTEMPT_TIMEOUT_MS, 5 s by default) before the secondary was tried; ` +
        `then ${opened}, and each half-open probe (every CIRCUIT_COOLDOWN_MS) costs a user the same again. ` +
        "Hedging (issue 13, item 3) should bound this near the primary's p95.";
}

export function renderLatency(report: LatencyReport): string {
  return [
    '## Latency against the Portkey gateway (issue 13)',
    '',
    `Run ${report.started.toISOString()} with \`${report.command}\`; ${machineLine()}.`,
    '',
    'Every server in its own Node process: the fake providers (OpenAI and Anthropic wire formats, ' +
      `${PROVIDER_LATENCY_MS} ms), the Portkey gateway 1.15.2 (\`bench/peers\`, started with \`--port=N --headless\`), ` +
      'the subgraph, a local OTLP receiver, the bare Apollo Server; the load generator (autocannon) in the ' +
      "benchmark's process. The subgraph has everything a deployment has on: the default guardrails, spend " +
      'caps and rate limits in Redis (a tenant policy with caps and limits far above what the run spends, so ' +
      'every check runs and none refuses), the completion cache in Redis, metrics, traces exported over ' +
      'OTLP/HTTP (protobuf) to the receiver, logs at `info` to a file; NODE_ENV=production, HS256 JWT on ' +
      'every request, PGlite in memory.',
    '',
    noisyMachineNote(),
    '',
    ...(report.added ? addedSection(report, report.added) : []),
    ...(report.cache ? cacheSection(report.cache) : []),
    ...(report.overload ? overloadSection(report.overload, report.shapes.overload) : []),
    ...(report.hung ? hungSection(report.hung, report.shapes.hung) : []),
    ...meaning(report),
  ].join('\n');
}
