// Streams benchmark (issue 13, part 4): the subgraph's memory per open askStream, and what the subgraph adds
// between the provider's first chunk and the client's first delta.
//
//   npm run bench:streams [-- --counts=400,1000 --per-connection=1 --snapshot --dry-run]
//
// The fake providers (their own process) answer a streamed chat with its first delta and then hold the stream
// open, writing nothing more, until the client leaves; so every stream stays open at the provider, in the
// subgraph (its SDK stream, socket, timers, our iterators) and over graphql-ws. For each count a fresh subgraph
// child (PGlite in memory, a small seeded corpus, started with --expose-gc) first runs a warm-up of streams
// opened and closed, then: full GC, memory; `count` streams opened from this process, each tagged; once every
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
import { SERVERS, subgraphEnv } from './support/subgraph';
import type { FaultArgs } from './support/servers/providers-server';
import { percentile } from './hybrid/service-time';
import { openStreams } from './streams/open-streams';

const OPTIONS = {
  counts: {
    default: '400,1000',
    help: 'open streams to hold, one fresh subgraph per count, comma-separated',
  },
  'per-connection': { default: 1, help: 'streams on each graphql-ws connection' },
  warmup: { default: 100, help: 'streams opened and closed before the first memory reading' },
  documents: { default: 20, help: 'documents seeded, so ask has passages to ground on' },
  snapshot: {
    default: false,
    help: 'one more pass at the largest count, with heap snapshots before and after: growth by constructor',
  },
  'snapshot-dir': {
    default: '',
    help: 'keep the snapshots in this folder (default: a temporary one, removed)',
  },
};

const TARGET_BYTES_PER_STREAM = 30 * 1024;
const TARGET_FIRST_DELTA_P50_MS = 1;
const QUESTION = 'How does the billing team settle an invoice refund for a subscription plan?';

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

interface CountRun {
  count: number;
  before: Memory;
  open: Memory;
  closed: Memory;
  overheadsMs: number[];
  matched: number;
  endedEarly: Map<string, number>;
  /** Heap growth per stream by constructor, on a snapshot pass. */
  growth: HeapGroup[] | null;
}

async function settledMemory(subgraph: Child): Promise<Memory> {
  // Twice: finalizers and weak callbacks of the first collection free more in the second.
  await subgraph.call('gc');
  await sleep(200);
  await subgraph.call('gc');
  return subgraph.call<Memory>('memory');
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
      OPENAI_API_KEY: 'bench',
      OPENAI_BASE_URL: String(providers.ready.openaiBaseURL),
      ANTHROPIC_API_KEY: 'bench',
      ANTHROPIC_BASE_URL: String(providers.ready.anthropicBaseURL),
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
        const warm = open(options.warmup);
        await warm.allStarted(60_000);
        await warm.close();
        await sleep(1_000);
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
        const sent = await providers.call<Record<string, number>>('firstDeltas');
        const overheadsMs: number[] = [];
        for (const [tag, received] of streams.firstDeltaAt) {
          const at = sent[tag];
          if (at !== undefined) overheadsMs.push(received - at);
        }
        overheadsMs.sort((a, b) => a - b);
        await streams.close();
        await sleep(2_000);
        const closed = await settledMemory(subgraph);
        return {
          count,
          before,
          open: held,
          closed,
          overheadsMs,
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
    return report(runs, growth, { perConnection, warmup: options.warmup, started, command });
  } finally {
    if (!keep) rmSync(snapshots, { recursive: true, force: true });
  }
});

const kb = (bytes: number) => fixed(bytes / 1024, 1);

function report(
  runs: CountRun[],
  growth: HeapGroup[] | null,
  context: { perConnection: number; warmup: number; started: Date; command: string },
): string {
  const perStream = (run: CountRun, key: keyof Memory) => (run.open[key] - run.before[key]) / run.count;
  const table = markdownTable(
    [
      'open streams',
      'RSS KB / stream',
      'heap used KB / stream',
      'external KB / stream',
      'first delta overhead p50 / p99 / max ms',
      'matched',
      'ended early',
      'RSS before / open / after close MB',
    ],
    runs.map((run) => [
      run.count,
      kb(perStream(run, 'rss')),
      kb(perStream(run, 'heapUsed')),
      kb(perStream(run, 'external')),
      `${fixed(percentile(run.overheadsMs, 50))} / ${fixed(percentile(run.overheadsMs, 99))} / ` +
        fixed(run.overheadsMs.at(-1)),
      run.matched,
      [...run.endedEarly].map(([why, n]) => `${n} ${why}`).join('; ') || '0',
      [run.before, run.open, run.closed].map((memory) => fixed(memory.rss / 2 ** 20, 0)).join(' / '),
    ]),
  );
  const largest = runs.reduce((a, b) => (b.count > a.count ? b : a));
  const bytes = perStream(largest, 'rss');
  const p50 = percentile(largest.overheadsMs, 50);
  return [
    '## Streams: memory per open stream and first-delta overhead (issue 13)',
    '',
    `Run ${context.started.toISOString()} with \`${context.command}\`; ${machineLine()}. A fresh subgraph ` +
      `per count; ${context.perConnection} stream(s) per graphql-ws connection; ${context.warmup} streams ` +
      'opened and closed first. The fake OpenAI server streams the first delta of each answer, then holds the ' +
      'stream open. Memory after two full GCs, before and with every stream open (its first delta received). ' +
      'Each stream asks its own question, so the search and query-vector caches are off (they would hold one ' +
      'bounded entry per question, which is cache, not stream).',
    '',
    table,
    '',
    `- At ${largest.count} open streams: ${kb(bytes)} KB RSS per stream, target ≤ ` +
      `${TARGET_BYTES_PER_STREAM / 1024} KB: ${bytes <= TARGET_BYTES_PER_STREAM ? '**met**' : '**missed**'}; ` +
      `first-delta overhead p50 ${fixed(p50)} ms, target ≤ ${TARGET_FIRST_DELTA_P50_MS} ms: ` +
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
