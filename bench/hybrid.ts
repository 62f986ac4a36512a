// Hybrid retrieval benchmark (issue 9): on a multi-tenant corpus (default 100 tenants, 100,000 chunks, one
// tenant with 30,000, 384-dimension test vectors), PGlite's hybrid search (BM25 + HNSW + reciprocal rank fusion)
// and PostgreSQL's lexical search: ingest throughput, service time at 1 and 20 callers for the big tenant and a
// small one, recall@10 of the HNSW path against exact search, growth from a tenth of the corpus to all of it,
// and a stream's delta gaps on the subgraph while 20 searches run on the same process.
//
//   npm run bench:hybrid [-- --chunks=100000 --growth-chunks=10000 --skip-postgres --skip-stream --dry-run]
//   quick check:  npm run bench:hybrid -- --chunks=20000 --growth-chunks=2000 --duration=3 --dry-run
//
// Its results replace the `bench:hybrid` block of BENCHMARKS.md (not with --dry-run).
import { runBenchmark } from './support/run-benchmark';
import { DEFAULT_DATABASE_URL } from './support/subgraph';
import { renderHybrid } from './hybrid/report';
import * as step from './hybrid/steps';
import type { HybridSettings } from './hybrid/steps';

const OPTIONS = {
  chunks: { default: 100_000, help: 'chunks over all tenants' },
  tenants: { default: 100, help: 'tenants (one big, the rest small)' },
  'big-share': { default: 0.3, help: "the big tenant's share of the chunks" },
  dimensions: { default: 384, help: 'test vector dimensions (VECTOR_INDEX_DIMENSIONS)' },
  'growth-chunks': { default: 10_000, help: 'corpus size of the growth comparison' },
  queries: { default: 30, help: 'queries rotated (10 natural questions, then corpus sentences)' },
  duration: { default: 5, help: 'seconds measured per service-time row' },
  warmup: { default: 1, help: 'seconds of warm-up per service-time row' },
  concurrency: { default: 20, help: 'concurrent callers of the loaded rows and the stream check' },
  'sample-chunks': { default: 300, help: 'chunks of the normal-path ingest sample' },
  'stream-words': { default: 300, help: 'words of the streamed answer (one delta each)' },
  'drip-ms': { default: 10, help: "the fake provider's pause between deltas" },
  'database-url': { default: DEFAULT_DATABASE_URL, help: 'PostgreSQL server of the lexical rows' },
  'skip-postgres': { default: false, help: 'leave out PostgreSQL' },
  'skip-stream': { default: false, help: 'leave out the stream delta gaps' },
};

runBenchmark('hybrid', OPTIONS, async ({ options, children, started, command }) => {
  const settings: HybridSettings = {
    shape: {
      chunks: Math.round(options.chunks),
      tenants: Math.max(2, Math.round(options.tenants)),
      bigShare: Math.min(1, options['big-share']),
      dimensions: Math.round(options.dimensions),
      chunksPerDocument: 10,
    },
    growthChunks: Math.round(options['growth-chunks']),
    queries: Math.max(1, Math.round(options.queries)),
    durationMs: options.duration * 1000,
    warmupMs: options.warmup * 1000,
    concurrency: Math.max(1, Math.round(options.concurrency)),
    sampleChunks: Math.round(options['sample-chunks']),
    databaseUrl: options['database-url'],
    streamWords: Math.round(options['stream-words']),
    dripMs: options['drip-ms'],
  };
  const { pglite, stream } = await step.withDataDir(async (dataDir) => {
    const measured = await step.measurePglite(settings, dataDir);
    const gaps = options['skip-stream'] ? null : await step.measureStream(settings, children, dataDir);
    await children.stopAll();
    return { pglite: measured, stream: gaps };
  });
  const growth = await step.measureGrowth(settings);
  const postgres = options['skip-postgres'] ? null : await step.measurePostgres(settings);
  return renderHybrid({ started, command, settings, pglite, growth, postgres, stream });
});
