// Observability benchmark (issue 12, Benchmark): throughput of the cache-hit path and of a model call with
// everything an operator turns on (traces exported over OTLP/HTTP to a local receiver, quality sampling with
// content kept, logs at info written to a file, metrics) against everything off, in the same run.
//
//   npm run bench:observability [-- --connections=50 --duration=12 --warmup=3 --slices=4 --dry-run]
//
// Two subgraph children, identical but for the observability settings, take the same load in alternating
// slices (on, off, then off, on, ...), so drift in the machine's load falls on both alike; a third child, a
// twin of "off", gives the A/A ratio: how far two identical children differ here, the noise floor. Fake providers answer
// in 50 ms in their own process; the OTLP receiver is a third. Metrics cannot be switched off (the registry
// is always there): "off" keeps them, so the ratio measures traces, sampling and logs.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { graphqlLabels } from './support/load';
import type { LoadSpec } from './support/load';
import { measureInterleaved, requireClean } from './support/measure';
import type { Measured } from './support/measure';
import { fixed, loadTable, machineLine, met, noisyMachineNote } from './support/report';
import { runBenchmark } from './support/run-benchmark';
import { fakeProviderEnv, SERVERS, subgraphEnv } from './support/subgraph';
import type { Child } from './support/child-process';

const OPTIONS = {
  connections: { default: 50, help: 'requests in flight' },
  duration: { default: 12, help: 'measured seconds of each scenario, split into slices' },
  warmup: { default: 3, help: 'warm-up seconds before the first slice' },
  slices: { default: 4, help: 'alternating slices per pair' },
  parts: {
    default: 'tracing,sampling,logs',
    help: 'what "on" turns on, comma-separated (to find what costs): tracing, sampling, logs',
  },
};

const TARGET_RATIO = 0.9;
const PROVIDER_LATENCY_MS = 50;
/** Sampled requests keep their content: the costliest sampling a tenant can ask for. */
const SAMPLING_ON = JSON.stringify({ default: { sampling: { rate: 0.05, keepContent: true } } });
const SAMPLING_OFF = JSON.stringify({ default: { sampling: { rate: 0 } } });

const SUMMARIZE = `query Q($text: String!) {
  summarize(input: { text: $text }) {
    __typename
    ... on Summary { text meta { provider cached } }
    ... on DegradedSummary { reason meta { provider cached } }
    ... on AIUnavailable { reason }
  }
}`;
const TEXT =
  'The renewal of the Northwind contract moved to March. Finance approved the revised price of the annual ' +
  'plan, and the support team will migrate the remaining accounts before the end of the quarter. Two ' +
  'open questions remain: who owns the data export, and whether the old invoices are credited. ';
let sequence = 0;
const body = (unique: boolean) => () =>
  JSON.stringify({ query: SUMMARIZE, variables: { text: unique ? `${TEXT}Ticket zq${sequence++}.` : TEXT } });

runBenchmark('observability', OPTIONS, async ({ options, children, headers, started, command }) => {
  const logDir = mkdtempSync(path.join(tmpdir(), 'bench-observability-'));
  try {
    const providers = await children.start(SERVERS.providers, {
      NODE_ENV: 'production',
      BENCH_PROVIDER_LATENCY_MS: String(PROVIDER_LATENCY_MS),
    });
    const receiver = await children.start(SERVERS.otlpReceiver, { NODE_ENV: 'production' });
    const common = {
      ...fakeProviderEnv(providers),
    };
    const logFile = path.join(logDir, 'on.log');
    const parts = new Set(options.parts.split(','));
    const on = await children.start(
      SERVERS.subgraph,
      subgraphEnv({
        ...common,
        ...(parts.has('logs') ? { LOG_LEVEL: 'info', BENCH_LOG_FILE: logFile } : { LOG_LEVEL: 'silent' }),
        ...(parts.has('tracing')
          ? {
              OTEL_SERVICE_NAME: 'ai-subgraph-bench',
              OTEL_EXPORTER_OTLP_ENDPOINT: String(receiver.ready.endpoint),
              OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
            }
          : { OTEL_SDK_DISABLED: 'true' }),
        TENANT_POLICIES_JSON: parts.has('sampling') ? SAMPLING_ON : SAMPLING_OFF,
      }),
    );
    const offEnv = subgraphEnv({
      ...common,
      LOG_LEVEL: 'silent',
      OTEL_SDK_DISABLED: 'true',
      TENANT_POLICIES_JSON: SAMPLING_OFF,
    });
    const off = await children.start(SERVERS.subgraph, offEnv);
    // A second "off" child in the same slices: how far two identical children differ here (the A/A ratio) is
    // the noise floor the on/off ratio is read against.
    const offAgain = await children.start(SERVERS.subgraph, offEnv);
    // A run whose "on" child exports nothing (a mistyped variable) would measure nothing: check before load.
    const [onExporting, offExporting] = [await on.call('tracing'), await off.call('tracing')];
    const expected = parts.has('tracing') ? 'otlp http/protobuf' : 'off';
    if (onExporting !== expected || offExporting !== 'off')
      throw new Error(`tracing is ${String(onExporting)} on and ${String(offExporting)} off`);
    const spec = (title: string, server: Child, unique: boolean): LoadSpec => ({
      title,
      url: String(server.ready.url),
      connections: options.connections,
      durationS: options.duration,
      warmupS: options.warmup,
      headers,
      body: body(unique),
      classify: graphqlLabels,
      verify: (status, text) => status === 200 && text.includes('"__typename":"Summary"'),
    });
    const pair = async (name: string, unique: boolean) => {
      const processes = (server: Child) => ({ server, others: { providers }, subgraph: true });
      const [measuredOn, measuredOff, measuredOffAgain] = await measureInterleaved(
        [
          { spec: spec(`${name}, all on`, on, unique), processes: processes(on) },
          { spec: spec(`${name}, all off`, off, unique), processes: processes(off) },
          { spec: spec(`${name}, all off (A/A)`, offAgain, unique), processes: processes(offAgain) },
        ],
        options.slices,
        { alternate: true },
      );
      if (!measuredOn || !measuredOff || !measuredOffAgain)
        throw new Error('the interleaved run lost a scenario');
      return {
        name,
        on: requireClean(measuredOn),
        off: requireClean(measuredOff),
        offAgain: requireClean(measuredOffAgain),
      };
    };
    const exportsBefore = await receiver.call<{ exports: number; bytes: number }>('received');
    const pairs = [await pair('cache hit', false), await pair('model call (cache miss)', true)];
    const exported = await receiver.call<{ exports: number; bytes: number }>('received');
    const logBytes = statSync(logFile, { throwIfNoEntry: false })?.size ?? 0;
    const ratio = ({ on: a, off: b }: { on: Measured; off: Measured }) => a.load.rps / b.load.rps;
    return [
      '## Observability: everything on against everything off (issue 12)',
      '',
      `Run ${started.toISOString()} with \`${command}\`; ${machineLine()}. Two subgraph children take the same ` +
        `load in ${options.slices} alternating slices each (every other slice in reverse order). "All on": traces exported over OTLP/HTTP (protobuf) ` +
        'to a local receiver (its own process), quality sampling at 0.05 with content kept (redacted, stored, ' +
        'graded off the request path), logs at `info` to a file, metrics. "All off": no tracing SDK ' +
        '(`OTEL_SDK_DISABLED`), sampling rate 0, logs silent; metrics stay (they cannot be switched off). ' +
        `Fake providers answer in ${PROVIDER_LATENCY_MS} ms.`,
      '',
      loadTable(
        pairs.flatMap((p) => [
          { name: p.on.load.title, measured: p.on },
          { name: p.off.load.title, measured: p.off },
          { name: p.offAgain.load.title, measured: p.offAgain },
        ]),
      ),
      '',
      ...pairs.map(
        (p) =>
          `- ${p.name}: throughput on/off ${fixed(ratio(p), 3)} (${fixed(p.on.load.rps, 0)} against ` +
          `${fixed(p.off.load.rps, 0)} req/s), target ≥ ${TARGET_RATIO}: ${met(ratio(p) >= TARGET_RATIO)}; ` +
          `p50 ${fixed(p.on.load.p50Ms)} against ${fixed(p.off.load.p50Ms)} ms, p99 ${fixed(p.on.load.p99Ms)} ` +
          `against ${fixed(p.off.load.p99Ms)} ms. A/A (two identical "off" children): ` +
          `${fixed(p.offAgain.load.rps / p.off.load.rps, 3)}, the noise floor of this ratio here.`,
      ),
      `- The receiver took ${exported.exports - exportsBefore.exports} exports ` +
        `(${fixed((exported.bytes - exportsBefore.bytes) / 1e6, 1)} MB); the on-run's log file grew to ` +
        `${fixed(logBytes / 1e6, 1)} MB.`,
      '',
      noisyMachineNote(),
    ].join('\n');
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
});
