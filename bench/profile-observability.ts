// Where observability's CPU goes: the "all on" and "all off" subgraph children of bench/observability.ts
// (same settings). Without --profile they take cache hits and model calls in interleaved slices and their
// throughput and server CPU per response are printed; with --against=<dir> an "all on" child built from another
// checkout (`git archive <commit> | tar -x -C <dir>`, node_modules linked) joins the slices, a before/after of a
// change measured on one loaded machine. With --profile each child is profiled over one window of each path,
// and the busy time per response by area and by function is printed. --sampling=<rate> sets the "on" child's
// quality sampling rate (0.05, content kept, as bench:observability). With --threads each child takes one window
// of each path and its CPU per response is split by thread (main, the three busiest others, the rest). Not a
// section of BENCHMARKS.md.
//
//   npx tsx bench/profile-observability.ts [--connections=20] [--seconds=6] [--slices=4] [--against=<dir>]
//     [--profile | --threads] [--sampling=0.05] [--out=<dir>]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChildGroup } from './support/child-process';
import type { Child } from './support/child-process';
import { graphqlLabels, runWindow } from './support/load';
import { cpuBetween, sampleCpu } from './support/cpu';
import type { LoadSpec } from './support/load';
import { cpuMsPerResponse, measureInterleaved } from './support/measure';
import { summarizeProfile } from './support/profile-summary';
import { countThreadCpu } from './support/thread-cpu';
import { benchHeaders, fakeProviderEnv, SERVERS, subgraphEnv } from './support/subgraph';

function option(name: string, fallback: string): string {
  const found = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}

const SUMMARIZE = `query Q($text: String!) { summarize(input: { text: $text }) { __typename ... on Summary { text } } }`;
const TEXT = 'The renewal of the Northwind contract moved to March. Finance approved the revised price. ';
let sequence = 0;

async function main(): Promise<void> {
  const connections = Number(option('connections', '20'));
  const seconds = Number(option('seconds', '6'));
  const logDir = mkdtempSync(path.join(tmpdir(), 'bench-obs-profile-'));
  const out = option('out', logDir);
  const children = new ChildGroup();
  try {
    const headers = await benchHeaders();
    const providers = await children.start(SERVERS.providers, {
      NODE_ENV: 'production',
      BENCH_PROVIDER_LATENCY_MS: '50',
    });
    const receiver = await children.start(SERVERS.otlpReceiver, { NODE_ENV: 'production' });
    const onEnv = (name: string) =>
      subgraphEnv({
        ...fakeProviderEnv(providers),
        LOG_LEVEL: 'info',
        BENCH_LOG_FILE: path.join(out, `${name}.log`),
        OTEL_SERVICE_NAME: 'ai-subgraph-bench',
        OTEL_EXPORTER_OTLP_ENDPOINT: String(receiver.ready.endpoint),
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        TENANT_POLICIES_JSON: JSON.stringify({
          default: { sampling: { rate: Number(option('sampling', '0.05')), keepContent: true } },
        }),
      });
    const on = await children.start(SERVERS.subgraph, onEnv('on'));
    const against = option('against', '');
    const before = against
      ? await children.start(
          path.join(path.resolve(against), 'bench/support/servers/subgraph-server.ts'),
          onEnv('against'),
        )
      : undefined;
    const off = await children.start(
      SERVERS.subgraph,
      subgraphEnv({
        ...fakeProviderEnv(providers),
        OTEL_SDK_DISABLED: 'true',
        TENANT_POLICIES_JSON: JSON.stringify({ default: { sampling: { rate: 0 } } }),
      }),
    );
    const spec = (title: string, child: Child, unique: boolean): LoadSpec => ({
      title,
      url: String(child.ready.url),
      connections,
      durationS: seconds,
      warmupS: 2,
      headers,
      classify: graphqlLabels,
      body: () =>
        JSON.stringify({ query: SUMMARIZE, variables: { text: unique ? `${TEXT}zq${sequence++}` : TEXT } }),
      verify: (status, text) => status === 200 && text.includes('"Summary"'),
    });
    const named: [string, Child][] = [
      ['on', on],
      ...(before ? [['on, against', before] as [string, Child]] : []),
      ['off', off],
    ];
    for (const unique of [false, true]) {
      const pathName = unique ? 'model call' : 'cache hit';
      if (process.argv.includes('--threads')) {
        for (const [name, child] of named) await threads(child, spec(`${pathName}, ${name}`, child, unique));
        continue;
      }
      if (process.argv.includes('--profile')) {
        for (const [name, child] of named)
          await profile(
            child,
            path.join(out, `${unique ? 'miss' : 'hit'}-${name}.cpuprofile`),
            spec(`${pathName}, ${name}`, child, unique),
          );
        continue;
      }
      const measured = await measureInterleaved(
        named.map(([name, child]) => ({
          spec: spec(`${pathName}, ${name}`, child, unique),
          processes: { server: child },
        })),
        Number(option('slices', '4')),
        { alternate: true },
      );
      for (const result of measured)
        console.log(
          `${result.load.title.padEnd(24)} ${result.load.rps.toFixed(0).padStart(5)} req/s  ` +
            `${cpuMsPerResponse(result).toFixed(3)} server CPU ms/response  (not ours ${result.cpu.other.toFixed(2)} cores)`,
        );
    }
  } finally {
    await children.stopAll();
    if (out !== logDir) rmSync(logDir, { recursive: true, force: true });
  }
}

/** CPU per response of the main thread and of the other threads, busiest first (all threads' sum last). */
async function threads(child: Child, spec: LoadSpec): Promise<void> {
  let stop = countThreadCpu(child.pid);
  const window = await runWindow(spec, () => {
    stop = countThreadCpu(child.pid);
  });
  const { mainMs, othersMs } = stop();
  const per = (ms: number) => (ms / window.completed).toFixed(3);
  const rest = othersMs.slice(3).reduce((sum, ms) => sum + ms, 0);
  const all = othersMs.reduce((sum, ms) => sum + ms, mainMs);
  console.log(
    `${spec.title.padEnd(24)} ${(window.completed / window.durationS).toFixed(0).padStart(5)} req/s  main ` +
      `${per(mainMs)}  next three ${othersMs.slice(0, 3).map(per).join(' ')}  rest ${per(rest)}  ` +
      `all ${per(all)} ms/response`,
  );
}

async function profile(child: Child, file: string, spec: LoadSpec): Promise<void> {
  let started: Promise<unknown> = Promise.resolve();
  let cpuStart = sampleCpu([child.pid]);
  const window = await runWindow(spec, () => {
    cpuStart = sampleCpu([child.pid]);
    started = child.call('profileStart');
  });
  const cpu = cpuBetween(cpuStart, sampleCpu([child.pid]), { [child.pid]: 'server' });
  await started;
  await child.call('profileStop', file);
  const summary = summarizeProfile(file, 25);
  const perResponse = ((cpu.processes.server ?? NaN) * window.durationS * 1000) / window.completed;
  console.log(
    `\n## ${spec.title}: ${window.completed} responses, ${(window.completed / window.durationS).toFixed(0)} req/s, ` +
      `${perResponse.toFixed(3)} CPU ms/response; profile busy ${summary.busyMs.toFixed(0)} ms ` +
      `(${(summary.busyMs / window.completed).toFixed(3)} ms/response), ${file}`,
  );
  console.log('inclusive by area (ms/response):');
  for (const row of summary.inclusive.slice(0, 18))
    console.log(`  ${(row.ms / window.completed).toFixed(3).padStart(7)}  ${row.area}`);
  console.log('self by function (ms/response):');
  for (const row of summary.self)
    console.log(`  ${(row.ms / window.completed).toFixed(4).padStart(7)}  ${row.fn}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
