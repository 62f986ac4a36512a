// The hybrid benchmark's section of BENCHMARKS.md: the corpus and how it was loaded, ingest throughput,
// service times on both stores, recall, growth, the stream's delta gaps, and each target's verdict.
import { fixed, machineLine, markdownTable, met, noisyMachineNote } from '../support/report';
import type { Recall } from './recall';
import type { HybridSettings, ServiceRow, StoreRun } from './steps';
import type { StreamGapRun } from './stream-gaps';

export interface HybridResults {
  started: Date;
  command: string;
  settings: HybridSettings;
  pglite: StoreRun & { recall: Recall };
  growth: { chunks: number; row: ServiceRow };
  postgres: StoreRun | null;
  stream: StreamGapRun | null;
}

const TARGET_MS = 20;
const TARGET_RECALL = 0.95;

const rate = (chunks: number, ms: number) => fixed((chunks / ms) * 1000, 0);

function ingestTable(results: HybridResults): string {
  const stores: [string, StoreRun][] = [['PGlite', results.pglite]];
  if (results.postgres) stores.push(['PostgreSQL (no vectors)', results.postgres]);
  return markdownTable(
    [
      'store',
      'bulk load: chunks',
      'load s',
      'chunks/s',
      'HNSW build s',
      'VACUUM ANALYZE s',
      'putDocument sample: chunks',
      'chunks/s (normal path)',
    ],
    stores.map(([name, run]) => [
      name,
      run.seeded.chunks,
      fixed(run.seeded.ms / 1000, 1),
      rate(run.seeded.chunks, run.seeded.ms),
      run.indexMs > 0 ? fixed(run.indexMs / 1000, 1) : '–',
      fixed(run.analyzeMs / 1000, 1),
      run.sample.chunks,
      fixed(run.sample.chunksPerSecond, 0),
    ]),
    ['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:'],
  );
}

function serviceTable(rows: readonly ServiceRow[]): string {
  return markdownTable(
    [
      'store',
      'path',
      'tenant (chunks)',
      'callers',
      'calls',
      'empty',
      'p50 ms',
      'p99 ms',
      'max ms',
      'calls/s',
    ],
    rows.map((row) => [
      row.store,
      row.path,
      `${row.tenant} (${row.tenantChunks})`,
      row.concurrency,
      row.latencies.calls,
      row.latencies.empty,
      fixed(row.latencies.p50Ms),
      fixed(row.latencies.p99Ms),
      fixed(row.latencies.maxMs),
      fixed(row.latencies.perSecond, 1),
    ]),
    ['---', '---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:'],
  );
}

export function renderHybrid(results: HybridResults): string {
  const { settings, pglite, growth, postgres, stream } = results;
  const { shape } = settings;
  const find = (path: ServiceRow['path'], tenant: string, callers: number) =>
    pglite.rows.find((row) => row.path === path && row.tenant === tenant && row.concurrency === callers);
  const bigHybrid = find('hybrid', 'tenant-big', 1);
  const bigHybrid20 = find('hybrid', 'tenant-big', settings.concurrency);
  const growthRatio = (bigHybrid?.latencies.p50Ms ?? NaN) / growth.row.latencies.p50Ms;
  const corpusRatio = pglite.seeded.chunks / growth.chunks;
  const targets: (string | number)[][] = [
    [
      `hybrid service time p99 ≤ ${TARGET_MS} ms at ${pglite.seeded.chunks} chunks on PGlite (big tenant, 1 caller)`,
      `${fixed(bigHybrid?.latencies.p99Ms)} ms`,
      met((bigHybrid?.latencies.p99Ms ?? Infinity) <= TARGET_MS),
    ],
    [
      `the same at ${settings.concurrency} concurrent callers (latency, queueing included; supplementary)`,
      `${fixed(bigHybrid20?.latencies.p99Ms)} ms`,
      met((bigHybrid20?.latencies.p99Ms ?? Infinity) <= TARGET_MS),
    ],
    [
      `recall@10 of HNSW against exact ≥ ${TARGET_RECALL} (big tenant)`,
      fixed(pglite.recall.recall, 3),
      met(pglite.recall.recall >= TARGET_RECALL),
    ],
    [
      `growth sub-linear: p50 ratio ${pglite.seeded.chunks} ÷ ${growth.chunks} chunks < corpus ratio ${fixed(corpusRatio, 1)}`,
      fixed(growthRatio, 2),
      met(growthRatio < corpusRatio),
    ],
    [
      `delta gap p99 ≤ ${TARGET_MS} ms during ${settings.concurrency} concurrent searches`,
      stream
        ? `${fixed(stream.underLoad.timeWeightedP99Ms)} ms time-weighted, ${fixed(stream.underLoad.p99Ms)} ms ` +
          `per delta (baseline ${fixed(stream.baseline.timeWeightedP99Ms)} / ${fixed(stream.baseline.p99Ms)} ms)`
        : 'not run',
      stream ? met(Math.max(stream.underLoad.p99Ms, stream.underLoad.timeWeightedP99Ms) <= TARGET_MS) : '–',
    ],
  ];
  const lines = [
    '## Hybrid retrieval: service time, recall, growth and stream gaps (issue 9)',
    '',
    `Run ${results.started.toISOString()} with \`${results.command}\`; ${machineLine()}.`,
    '',
    noisyMachineNote(),
    '',
    `Corpus: ${shape.tenants} tenants, ${pglite.seeded.chunks} chunks (${pglite.seeded.documents} documents), one ` +
      `tenant with ${Math.round(shape.chunks * shape.bigShare)}; chunks of about 500 characters of generated ` +
      `business English; ${shape.dimensions}-dimension test vectors (the fake OpenAI server's hash embeddings of ` +
      'each chunk: shared words make near vectors, no meaning), `VECTOR_INDEX_DIMENSIONS=' +
      `${shape.dimensions}\`, other settings at their defaults (exact search below 5,000 chunks, ef_search 100, ` +
      `iterative scans up to 20,000 tuples). ${settings.queries} queries rotate: the 10 natural questions of ` +
      'the foundation benchmark, then sentences of the corpus style.',
    '',
    '### Ingest',
    '',
    'The bulk load writes every document through `putDocument` with its vectors while no HNSW index exists, ' +
      "then builds the index once with the store's own `ensureVectorIndexes` (maintenance_work_mem 1 GB); the " +
      '_normal path_ column is `putDocument` with vectors into the loaded, indexed store, one document at a ' +
      'time, as ingest writes it (a sample, deleted afterwards).',
    '',
    ingestTable(results),
    '',
    '### Service time',
    '',
    "In this process, through the store's own functions: _hybrid_ is `searchLexical` and `searchSemantic` " +
      '(each as deep as `fusionDepth` says: twice the limit, at least 20; asked at once) fused by `fuseByReciprocalRank` (k 60), as `hybrid-retrieval.ts` does, with ' +
      "the query's vector made beforehand (the gateway's query-embedding cache); limit 10. PostgreSQL here has " +
      'no pgvector: lexical only. Each row ran ' +
      `${fixed(settings.durationMs / 1000, 0)} s after ${fixed(settings.warmupMs / 1000, 0)} s of warm-up; at ` +
      `${settings.concurrency} callers the latency includes the wait for the store (PGlite runs one query at a time).`,
    '',
    serviceTable([...pglite.rows, growth.row, ...(postgres?.rows ?? [])]),
    '',
    `The row of the big tenant at ${growth.row.tenantChunks} chunks is the growth check: the same shape of ` +
      `corpus at ${growth.chunks} chunks in all, in memory.`,
    '',
    '### Recall',
    '',
    `recall@10 of the HNSW path (\`VECTOR_EXACT_SEARCH_BELOW_CHUNKS=0\`) against exact search (threshold above ` +
      `every tenant), both through \`searchSemantic\`, big tenant, ${pglite.recall.queries} queries: ` +
      `**${fixed(pglite.recall.recall, 3)}** (worst query ${fixed(pglite.recall.worst, 2)}); mean ` +
      `${fixed(pglite.recall.exactMeanMs)} ms exact, ${fixed(pglite.recall.indexMeanMs)} ms through the index.`,
    '',
  ];
  if (stream) {
    lines.push(
      '### Stream delta gaps',
      '',
      `The subgraph (child process, PGlite on the seeded folder) streams an \`askStream\` answer of ` +
        `${settings.streamWords} words from the fake OpenAI server, one delta every ${settings.dripMs} ms; the gap ` +
        'is the time between consecutive `AnswerDelta`s at the graphql-ws client, once alone and once while ' +
        `${settings.concurrency} callers search the big tenant over HTTP without pause (search cache off). ` +
        'Deltas held back while the event loop runs a search arrive in a burst, so the per-delta p99 can look ' +
        'fine while the reader waited a second; the time-weighted p99 (the gap a reader is in at a random ' +
        'instant) shows the stall, and the verdict takes the larger of the two.',
      '',
      markdownTable(
        [
          'stream',
          'deltas',
          'gap p50 ms',
          'gap p99 ms',
          'time-weighted gap p99 ms',
          'gap max ms',
          'ended with',
        ],
        (
          [
            ['alone (baseline)', stream.baseline],
            [`with ${settings.concurrency} concurrent searches`, stream.underLoad],
          ] as const
        ).map(([name, gaps]) => [
          name,
          gaps.deltas,
          fixed(gaps.p50Ms),
          fixed(gaps.p99Ms),
          fixed(gaps.timeWeightedP99Ms),
          fixed(gaps.maxMs),
          gaps.completed,
        ]),
        ['---', '---:', '---:', '---:', '---:', '---:', '---'],
      ),
      '',
      `The searches during the stream: ${stream.searches.calls} answered, p50 ${fixed(stream.searches.p50Ms)} ms, ` +
        `p99 ${fixed(stream.searches.p99Ms)} ms over HTTP; members ${JSON.stringify(stream.searches.members)}.`,
      '',
    );
  }
  lines.push('### Targets', '', markdownTable(['target', 'measured', 'result'], targets));
  return lines.join('\n');
}
