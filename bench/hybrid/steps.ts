// The hybrid benchmark's steps, each returning what it measured: the PGlite store (load, index, ingest sample,
// service times, recall), the growth store, the stream's delta gaps on the subgraph, and PostgreSQL (lexical).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { envSchema } from '../../subgraph/config';
import type { ChildGroup } from '../support/child-process';
import { SERVERS, dropSchema, subgraphEnv, tenantHeaders, uniqueSchema } from '../support/subgraph';
import { BIG_TENANT, SMALL_TENANT, benchQueries, planTenants } from './corpus';
import type { CorpusShape } from './corpus';
import { searchPaths } from './hybrid-search';
import { recallAtK } from './recall';
import type { Recall } from './recall';
import {
  analyzeTables,
  buildVectorIndex,
  loadCorpus,
  openBenchStore,
  sampleIngest,
  servingStore,
  vectorConfig,
} from './seed-store';
import type { BenchStore, Seeded } from './seed-store';
import { measureService } from './service-time';
import type { Latencies } from './service-time';
import { measureStreamGaps } from './stream-gaps';
import type { StreamGapRun } from './stream-gaps';

const defaults = envSchema.parse({});
export const LIMIT = 10;

export interface HybridSettings {
  shape: CorpusShape;
  growthChunks: number;
  queries: number;
  durationMs: number;
  warmupMs: number;
  concurrency: number;
  sampleChunks: number;
  databaseUrl: string;
  streamWords: number;
  dripMs: number;
}

export interface ServiceRow {
  store: 'PGlite' | 'PostgreSQL';
  path: 'hybrid' | 'lexical' | 'semantic';
  tenant: string;
  tenantChunks: number;
  concurrency: number;
  latencies: Latencies;
}

export interface StoreRun {
  seeded: Seeded;
  indexMs: number;
  analyzeMs: number;
  sample: { chunks: number; ms: number; chunksPerSecond: number };
  rows: ServiceRow[];
}

const log = (line: string) => console.log(`[hybrid] ${line}`);

const tenantChunks = (shape: CorpusShape, tenantId: string) =>
  planTenants(shape).find((plan) => plan.tenantId === tenantId)?.chunks ?? 0;

async function loadAndIndex(bench: BenchStore, shape: CorpusShape, withVectors: boolean, parallel: number) {
  log(`loading ${shape.chunks} chunks of ${shape.tenants} tenants...`);
  const seeded = await loadCorpus(bench.opened.documents, shape, {
    parallel,
    withVectors,
    onProgress: (chunks) => log(`  ${chunks} chunks`),
  });
  log(`loaded ${seeded.chunks} chunks in ${(seeded.ms / 1000).toFixed(1)} s; building the HNSW index...`);
  const indexMs = withVectors ? await buildVectorIndex(bench, shape.dimensions) : 0;
  const analyzeMs = await analyzeTables(bench);
  return { seeded, indexMs, analyzeMs };
}

async function serviceRows(
  settings: HybridSettings,
  store: BenchStore,
  kind: ServiceRow['store'],
  shape: CorpusShape,
  plan: { path: ServiceRow['path']; concurrency: number }[],
): Promise<ServiceRow[]> {
  const queries = benchQueries(settings.queries);
  const serving = servingStore(store, vectorConfig(shape.dimensions));
  const rows: ServiceRow[] = [];
  for (const tenant of [BIG_TENANT, SMALL_TENANT]) {
    const paths = searchPaths(serving, tenant, { limit: LIMIT, dimensions: shape.dimensions });
    for (const { path: searchPath, concurrency } of plan) {
      const latencies = await measureService(paths[searchPath], queries, {
        concurrency,
        durationMs: settings.durationMs,
        warmupMs: settings.warmupMs,
      });
      log(
        `${kind} ${searchPath} ${tenant} @${concurrency}: p50 ${latencies.p50Ms.toFixed(2)} ms, ` +
          `p99 ${latencies.p99Ms.toFixed(2)} ms (${latencies.calls} calls)`,
      );
      rows.push({
        store: kind,
        path: searchPath,
        tenant,
        tenantChunks: tenantChunks(shape, tenant),
        concurrency,
        latencies,
      });
    }
  }
  return rows;
}

/** The PGlite store in `dataDir` (schema of the subgraph's default, so the subgraph child opens it as is). */
export async function measurePglite(
  settings: HybridSettings,
  dataDir: string,
): Promise<StoreRun & { recall: Recall }> {
  const { shape } = settings;
  const bench = await openBenchStore({ dataDir }, defaults.DATABASE_SCHEMA, shape.dimensions);
  try {
    const loaded = await loadAndIndex(bench, shape, true, 1);
    log('ingest sample through putDocument with vectors, into the indexed store...');
    const sample = await sampleIngest(
      servingStore(bench, vectorConfig(shape.dimensions)),
      shape,
      settings.sampleChunks,
    );
    const rows = await serviceRows(settings, bench, 'PGlite', shape, [
      { path: 'hybrid', concurrency: 1 },
      { path: 'hybrid', concurrency: settings.concurrency },
      { path: 'lexical', concurrency: 1 },
      { path: 'semantic', concurrency: 1 },
    ]);
    log('recall@10 of the HNSW path against exact search...');
    const stores = {
      exact: servingStore(bench, vectorConfig(shape.dimensions, Number.MAX_SAFE_INTEGER)),
      index: servingStore(bench, vectorConfig(shape.dimensions, 0)),
    };
    const recall = await recallAtK(stores, BIG_TENANT, benchQueries(settings.queries), {
      k: LIMIT,
      dimensions: shape.dimensions,
    });
    return { ...loaded, sample, rows, recall };
  } finally {
    await bench.opened.documents.close();
  }
}

/** The same corpus shape at `growthChunks`, in memory: hybrid service time of the big tenant at 1 caller. */
export async function measureGrowth(settings: HybridSettings): Promise<{ chunks: number; row: ServiceRow }> {
  const shape = { ...settings.shape, chunks: settings.growthChunks };
  const bench = await openBenchStore({ dataDir: ':memory:' }, defaults.DATABASE_SCHEMA, shape.dimensions);
  try {
    const { seeded } = await loadAndIndex(bench, shape, true, 1);
    const [row] = await serviceRows(settings, bench, 'PGlite', shape, [{ path: 'hybrid', concurrency: 1 }]);
    if (!row) throw new Error('growth: no service row');
    return { chunks: seeded.chunks, row };
  } finally {
    await bench.opened.documents.close();
  }
}

/** PostgreSQL (no pgvector on this server): the lexical path, in a schema of its own, dropped at the end. */
export async function measurePostgres(settings: HybridSettings): Promise<StoreRun> {
  const schema = uniqueSchema('bench_hybrid');
  const bench = await openBenchStore(
    { databaseUrl: settings.databaseUrl },
    schema,
    settings.shape.dimensions,
  );
  try {
    const loaded = await loadAndIndex(bench, settings.shape, false, 4);
    const sample = await sampleIngest(bench.opened.documents, settings.shape, settings.sampleChunks);
    const rows = await serviceRows(settings, bench, 'PostgreSQL', settings.shape, [
      { path: 'lexical', concurrency: 1 },
      { path: 'lexical', concurrency: settings.concurrency },
    ]);
    return { ...loaded, sample, rows };
  } finally {
    await bench.opened.documents.close();
    await dropSchema(settings.databaseUrl, schema);
  }
}

/** The subgraph on the seeded PGlite folder, the fake OpenAI streaming a long answer one delta per dripMs. */
export async function measureStream(
  settings: HybridSettings,
  children: ChildGroup,
  dataDir: string,
): Promise<StreamGapRun> {
  const providers = await children.start(SERVERS.providers, {
    BENCH_PROVIDER_LATENCY_MS: '0',
    BENCH_EMBEDDING_DIMENSIONS: String(settings.shape.dimensions),
    BENCH_ANSWER_WORDS: String(settings.streamWords),
  });
  await providers.call('fault', {
    provider: 'openai',
    fault: { kind: 'slow-drip', delayMs: settings.dripMs },
    path: '/v1/chat/completions',
  });
  log('starting the subgraph on the seeded store...');
  const subgraph = await children.start(
    SERVERS.subgraph,
    subgraphEnv({
      DATA_DIR: dataDir,
      VECTOR_INDEX_DIMENSIONS: String(settings.shape.dimensions),
      OPENAI_API_KEY: 'bench',
      OPENAI_BASE_URL: String(providers.ready.openaiBaseURL),
      SEARCH_CACHE_MAX_MB: '0',
      EMBED_SWEEP_INTERVAL_MS: '0',
      DEADLINE_MS: '120000',
      ATTEMPT_TIMEOUT_MS: '120000',
    }),
  );
  const headers = await tenantHeaders(BIG_TENANT);
  log('measuring delta gaps, without and with searches...');
  return measureStreamGaps(subgraph, headers, {
    question: benchQueries(1)[0] ?? 'how do we refund an invoice',
    queries: benchQueries(settings.queries),
    concurrency: settings.concurrency,
    timeoutMs: 600_000,
  });
}

/** A temporary folder for the PGlite store, removed when `work` is done. */
export async function withDataDir<T>(work: (dataDir: string) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-hybrid-'));
  try {
    return await work(dataDir);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
