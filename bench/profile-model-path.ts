// Where the subgraph's CPU goes on the model path: `summarize(text)` cache misses at a fixed concurrency against
// fake providers answering in 50 ms, with what a deployment turns on (logs at info to a file, traces exported
// to a local OTLP receiver, metrics), the subgraph's CPU profiler on for the measured window. Prints the
// throughput, the subgraph's CPU per response and the top functions by self time. Not a section of
// BENCHMARKS.md: a tool to find what need not run per request, and to compare before and after a change.
//
//   npx tsx bench/profile-model-path.ts [connections=50] [seconds=10] [out.cpuprofile]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChildGroup } from './support/child-process';
import { graphqlLabels, runWindow, summarize } from './support/load';
import { summarizeProfile } from './support/profile-summary';
import { cpuBetween, sampleCpu } from './support/cpu';
import { SERVERS, benchHeaders, subgraphEnv } from './support/subgraph';

const SUMMARIZE = `query Q($text: String!) {
  summarize(input: { text: $text }) { __typename ... on Summary { text } }
}`;
const TEXT =
  'The renewal of the Northwind contract moved to March. Finance approved the revised price of the annual ' +
  'plan, and the support team will migrate the remaining accounts before the end of the quarter. ';

async function main(): Promise<void> {
  const [connections = 50, seconds = 10] = process.argv.slice(2, 4).map(Number);
  const out = process.argv[4];
  const children = new ChildGroup();
  const logDir = mkdtempSync(path.join(tmpdir(), 'bench-profile-'));
  try {
    const providers = await children.start(SERVERS.providers, {
      NODE_ENV: 'production',
      BENCH_PROVIDER_LATENCY_MS: '50',
    });
    const receiver = await children.start(SERVERS.otlpReceiver, { NODE_ENV: 'production' });
    const subgraph = await children.start(
      SERVERS.subgraph,
      subgraphEnv({
        OPENAI_API_KEY: 'bench',
        OPENAI_BASE_URL: String(providers.ready.openaiBaseURL),
        ANTHROPIC_API_KEY: 'bench',
        ANTHROPIC_BASE_URL: String(providers.ready.anthropicBaseURL),
        LOG_LEVEL: 'info',
        BENCH_LOG_FILE: path.join(logDir, 'subgraph.log'),
        OTEL_SERVICE_NAME: 'ai-subgraph-bench',
        OTEL_EXPORTER_OTLP_ENDPOINT: String(receiver.ready.endpoint),
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      }),
    );
    let sequence = 0;
    const spec = {
      title: 'summarize, cache miss',
      url: String(subgraph.ready.url),
      connections,
      durationS: seconds,
      warmupS: 3,
      headers: await benchHeaders(),
      body: () => JSON.stringify({ query: SUMMARIZE, variables: { text: `${TEXT}Ticket zq${sequence++}.` } }),
      classify: graphqlLabels,
      verify: (status: number, text: string) => status === 200 && text.includes('"__typename":"Summary"'),
    };
    let profiling = Promise.resolve<unknown>(null);
    let cpuStart = sampleCpu([subgraph.pid]);
    const window = await runWindow(spec, () => {
      profiling = subgraph.call('profileStart');
      cpuStart = sampleCpu([subgraph.pid]);
    });
    const cpu = cpuBetween(cpuStart, sampleCpu([subgraph.pid]), { [subgraph.pid]: 'server' });
    await profiling;
    const file = out ?? path.join(logDir, 'summarize.cpuprofile');
    await subgraph.call('profileStop', file);
    const load = summarize(spec, [window]);
    const serverCores = cpu.processes.server ?? NaN;
    console.log(
      `${load.title}, ${connections} connections: ${load.rps.toFixed(0)} req/s, p50 ${load.p50Ms.toFixed(1)} ms, ` +
        `p99 ${load.p99Ms.toFixed(1)} ms, failed ${load.non2xx + load.errors + load.mismatches}; subgraph ` +
        `${((serverCores * 1000) / load.rps).toFixed(3)} CPU ms / response`,
    );
    const summary = summarizeProfile(file, 25);
    console.log(`profile: wall ${summary.wallMs.toFixed(0)} ms, busy ${summary.busyMs.toFixed(0)} ms`);
    for (const row of summary.self)
      console.log(
        `${(row.share * 100).toFixed(1).padStart(6)}%  ${row.ms.toFixed(0).padStart(6)} ms  ${row.fn}`,
      );
  } finally {
    await children.stopAll();
    rmSync(logDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
