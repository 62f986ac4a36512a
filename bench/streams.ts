// Streams benchmark (issue 13, part 4): the subgraph's memory per open askStream, and what the subgraph adds
// between the provider's first chunk and the client's first delta.
//
//   npm run bench:streams [-- --counts=400,1000 --per-connection=1 --snapshot --dry-run]
//
// The fake providers (their own process) answer a streamed chat with its first delta and then hold the stream
// open, writing nothing more, until the client leaves; so every stream stays open at the provider, in the
// subgraph (its SDK stream, socket, timers, our iterators) and over graphql-ws. For each count a fresh subgraph
// child (PGlite in memory, a small seeded corpus, started with --expose-gc) first rehearses: as many streams
// opened and closed; then: full GC, memory; `count` streams opened from this process, each tagged; once every
// one has its first delta, full GC, memory again. The difference over the count is the memory per open stream.
// The first-delta overhead is this process's receipt of a stream's first AnswerDelta minus the provider's
// handing of that chunk to its socket (both epoch clocks of one machine, sub-millisecond). With --snapshot the
// largest count runs once more with a heap snapshot before and after, and the report lists what grew, by
// constructor.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Child } from './support/child-process';
import { heapGrowth } from './support/heap-summary';
import type { HeapGroup } from './support/heap-summary';
import { fixed, machineLine, markdownTable, noisyMachineNote } from './support/report';
import { runBenchmark } from './support/run-benchmark';
import { fakeProviderEnv, SERVERS, subgraphEnv } from './support/subgraph';
import type { FaultArgs } from './support/servers/providers-server';
import { percentile } from './hybrid/service-time';
import { openStreams } from './streams/open-streams';

const OPTIONS = {
  counts: {
    default: '400,1000',
    help: 'open streams to hold, one fresh subgraph per count, comma-separated',
  },
  'per-connection': { default: 1, help: 'streams on each graphql-ws connection' },
  documents: { default: 20, help: 'documents seeded, so ask has passages to ground on' },
  probes: {
    default: 20,
    help: 'streams opened one at a time while the others are held: their first-delta overhead',
  },
  snapshot: {
    default: false,
    help: 'one more pass at the largest count, with heap snapshots before and after: growth by constructor',
  },
  'snapshot-dir': {
    default: '',
    help: 'keep the snapshots in this folder (default: a temporary one, removed)',
  },
};

const SETTLE_MS = 10_000;
const TARGET_BYTES_PER_STREAM = 30 * 1024;
const TARGET_FIRST_DELTA_P50_MS = 1;
const QUESTION = 'How does the billing team settle an invoice refund for a subscription plan?';

interface Memory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

interface CountRun {
  count: number;
  before: Memory;
  open: Memory;
  closed: Memory;
  /** First-delta overheads of the streams opened together, ascending. */
  overheadsMs: number[];
  /** Of the probes, opened one at a time while the count was held, ascending. */
  probesMs: number[];
  matched: number;
  endedEarly: Map<string, number>;
  /** Heap growth per stream by constructor, on a snapshot pass. */
  growth: HeapGroup[] | null;
}

async function settledMemory(subgraph: Child): Promise<Memory> {
  // Twice: finalizers and weak callbacks of the first collection free more in the second. Then a quiet
  // moment and once more: V8 gives back the pages a burst made it commit only when allocation has calmed
  // (its memory reducer), and both readings should be of a settled heap, not of the burst before them.
  await subgraph.call('gc');
  await sleep(200);
  await subgraph.call('gc');
  await sleep(SETTLE_MS);
  await subgraph.call('gc');
  return subgraph.call<Memory>('memory');
}

interface MetricJson {
  name: string;
  values: { value: number }[];
}

/**
 * Waits until the subgraph counts no open stream (ai_open_subscriptions), then a moment for the sockets: a
 * reading taken while closed streams still unwind would count them as held.
 */
async function drained(subgraph: Child, timeoutMs = 60_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const metrics = await subgraph.call<MetricJson[]>('metrics');
    const open = metrics
      .find((metric) => metric.name === 'ai_open_subscriptions')
      ?.values.reduce((sum, { value }) => sum + value, 0);
    if (open === 0) break;
    if (performance.now() > until) throw new Error(`${open ?? '?'} streams still open after ${timeoutMs} ms`);
    await sleep(250);
  }
  await sleep(1_000);
}

/** Client receipt minus provider send of each stream's first delta, for the tags both sides noted; ascending. */
function overheads(received: Map<string, number>, sent: Record<string, number>): number[] {
  const ms: number[] = [];
  for (const [tag, at] of received) {
    const sentAt = sent[tag];
    if (sentAt !== undefined) ms.push(at - sentAt);
  }
  return ms.sort((a, b) => a - b);
}

runBenchmark('streams', OPTIONS, async ({ options, children, headers, started, command }) => {
  const counts = options.counts.split(',').map(Number);
  if (counts.some((count) => !Number.isInteger(count) || count < 1))
    throw new Error(`--counts takes positive integers, got ${options.counts}`);
  const perConnection = Math.max(1, options['per-connection']);
  const keep = options['snapshot-dir'];
  const snapshots = keep || mkdtempSync(path.join(tmpdir(), 'bench-streams-'));
  const token = headers.authorization ?? '';
  let nextTag = 0;
  try {
    const providers = await children.start(SERVERS.providers, {
      NODE_ENV: 'production',
      BENCH_PROVIDER_LATENCY_MS: '0',
    });
    const hold: FaultArgs = {
      provider: 'openai',
      fault: { kind: 'stream-hold', afterChunks: 1 },
      path: '/v1/chat/completions',
    };
    await providers.call('fault', hold);
    const env = subgraphEnv({
      ...fakeProviderEnv(providers),
      OTEL_SDK_DISABLED: 'true',
      BENCH_SEED_DOCUMENTS: String(options.documents),
      // Held streams send nothing after their first delta: no clock may end them while they are measured.
      ATTEMPT_TIMEOUT_MS: '120000',
      DEADLINE_MS: '120000',
      STREAM_MAX_MS: '600000',
      ASK_MIN_SIMILARITY: '-1',
      // Every stream asks its own question (the tag): the search and query-vector caches would fill with one
      // entry per stream, bounded memory that is not the streams'. Off, so the delta is the streams alone.
      SEARCH_CACHE_MAX_MB: '0',
      EMBED_CACHE_MAX_MB: '0',
      WS_MAX_STREAMS_PER_CONNECTION: String(Math.max(100, perConnection)),
      // A thousand subscribes at once lag the loop past the shedding threshold, and the streams shed would
      // count in the per-stream figures as if they were open: the bench measures streams held, not admission.
      LOAD_SHED_EVENT_LOOP_LAG_MS: '0',
      // The default tenant limit is 1,000 open streams: the probes come on top of the largest count.
      TENANT_POLICIES_JSON: JSON.stringify({ default: { limits: { maxConcurrentStreams: 10_000 } } }),
    });
    const largest = Math.max(...counts);
    const measure = async (count: number, snapshot: boolean): Promise<CountRun> => {
      const subgraph = await children.start(SERVERS.subgraph, env, { nodeFlags: ['--expose-gc'] });
      try {
        const wsUrl = String(subgraph.ready.url).replace(/^http/, 'ws');
        const open = (n: number) =>
          openStreams(wsUrl, token, {
            count: n,
            perConnection,
            firstTag: (nextTag += n) - n,
            question: QUESTION,
          });
        // A rehearsal of the same count, opened and closed, before the first reading: what a burst grows once
        // and keeps (PGlite's WebAssembly memory under as many searches at once, V8's heap reservations, code)
        // is then in both readings, and the difference is what the open streams hold.
        const warm = open(count);
        await warm.allStarted(120_000);
        await warm.close();
        await drained(subgraph);
        await providers.call('firstDeltas');
        // A snapshot takes memory of its own (RSS stays up after it): a snapshot pass reports no memory.
        const before = await settledMemory(subgraph);
        const beforeFile = path.join(snapshots, `before-${count}.heapsnapshot`);
        if (snapshot) await subgraph.call('heapSnapshot', beforeFile);
        const streams = open(count);
        await streams.allStarted(120_000);
        await sleep(1_000);
        const held = await settledMemory(subgraph);
        const afterFile = path.join(snapshots, `after-${count}.heapsnapshot`);
        if (snapshot) await subgraph.call('heapSnapshot', afterFile);
        const overheadsMs = overheads(streams.firstDeltaAt, await providers.call('firstDeltas'));
        // One at a time, the others held: the overhead of a stream that does not open in a burst of its peers.
        const probeArrivals = new Map<string, number>();
        for (let i = 0; i < options.probes; i += 1) {
          const probe = open(1);
          await probe.allStarted(30_000);
          for (const [tag, at] of probe.firstDeltaAt) probeArrivals.set(tag, at);
          await probe.close();
        }
        const probesMs = overheads(probeArrivals, await providers.call('firstDeltas'));
        await streams.close();
        await drained(subgraph);
        const closed = await settledMemory(subgraph);
        return {
          count,
          before,
          open: held,
          closed,
          overheadsMs,
          probesMs,
          matched: overheadsMs.length,
          endedEarly: streams.endedEarly,
          growth: snapshot ? heapGrowth(beforeFile, afterFile, count) : null,
        };
      } finally {
        await children.stop(subgraph);
      }
    };
    const runs: CountRun[] = [];
    for (const count of counts) runs.push(await measure(count, false));
    const growth = options.snapshot ? (await measure(largest, true)).growth : null;
    return report(runs, growth, { perConnection, started, command });
  } finally {
    if (!keep) rmSync(snapshots, { recursive: true, force: true });
  }
});

const kb = (bytes: number) => fixed(bytes / 1024, 1);

function report(
  runs: CountRun[],
  growth: HeapGroup[] | null,
  context: { perConnection: number; started: Date; command: string },
): string {
  const perStream = (run: CountRun, key: keyof Memory) => (run.open[key] - run.before[key]) / run.count;
  const table = markdownTable(
    [
      'open streams',
      'RSS KB / stream',
      'heap used KB / stream',
      'heap total KB / stream',
      'external KB / stream',
      'first delta overhead p50 / p99 / max ms (opened together)',
      'probes: p50 / p99 ms',
      'matched',
      'ended early',
      'RSS before / open / after close MB',
    ],
    runs.map((run) => [
      run.count,
      kb(perStream(run, 'rss')),
      kb(perStream(run, 'heapUsed')),
      kb(perStream(run, 'heapTotal')),
      kb(perStream(run, 'external')),
      `${fixed(percentile(run.overheadsMs, 50))} / ${fixed(percentile(run.overheadsMs, 99))} / ` +
        fixed(run.overheadsMs.at(-1)),
      `${fixed(percentile(run.probesMs, 50))} / ${fixed(percentile(run.probesMs, 99))}`,
      run.matched,
      [...run.endedEarly].map(([why, n]) => `${n} ${why}`).join('; ') || '0',
      [run.before, run.open, run.closed].map((memory) => fixed(memory.rss / 2 ** 20, 0)).join(' / '),
    ]),
  );
  const largest = runs.reduce((a, b) => (b.count > a.count ? b : a));
  const bytes = perStream(largest, 'rss');
  const p50 = percentile(largest.probesMs, 50);
  return [
    '## Streams: memory per open stream and first-delta overhead (issue 13)',
    '',
    `Run ${context.started.toISOString()} with \`${context.command}\`; ${machineLine()}. A fresh subgraph ` +
      `per count; ${context.perConnection} stream(s) per graphql-ws connection; as many streams as measured ` +
      'opened and closed first (a rehearsal: what a burst grows once is in both readings). The fake OpenAI server streams the first delta of each answer, then holds the ' +
      'stream open. Memory after two full GCs, before and with every stream open (its first delta received). ' +
      'Each stream asks its own question, so the search and query-vector caches are off (they would hold one ' +
      'bounded entry per question, which is cache, not stream).',
    '',
    table,
    '',
    `- At ${largest.count} open streams: ${kb(bytes)} KB RSS per stream, target ≤ ` +
      `${TARGET_BYTES_PER_STREAM / 1024} KB: ${bytes <= TARGET_BYTES_PER_STREAM ? '**met**' : '**missed**'}; ` +
      `first-delta overhead of a stream opened while they are held, p50 ${fixed(p50)} ms, target ≤ ` +
      `${TARGET_FIRST_DELTA_P50_MS} ms: ` +
      `${p50 <= TARGET_FIRST_DELTA_P50_MS ? '**met**' : '**missed**'}.`,
    ...(growth
      ? [
          '',
          `Heap growth per open stream at ${largest.count} streams, by constructor (self sizes, snapshot ` +
            'with the streams open minus the one before them):',
          '',
          markdownTable(
            ['constructor', 'bytes / stream', 'objects / stream'],
            growth.map((group) => [group.name, fixed(group.bytes, 0), fixed(group.count, 2)]),
          ),
        ]
      : []),
    '',
    noisyMachineNote(),
  ].join('\n');
}
