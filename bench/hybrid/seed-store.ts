// Loads the hybrid benchmark's corpus into a store, the fast way the store allows: documents (with their
// vectors) through putDocument while no HNSW index exists yet (PGlite's planner upkeep on, as served: without
// it the growing tables have no statistics and ingest is five times slower), then the index built once over all
// of them by the store's own ensureVectorIndexes, then one more VACUUM (ANALYZE). Inserting into
// an existing HNSW index costs milliseconds per vector on PGlite; building it afterwards is much cheaper.
// The normal path's throughput (putDocument with vectors into the indexed store) is measured on a sample.
import { envSchema } from '../../subgraph/config';
import type { StoreConfig, VectorSearchConfig } from '../../subgraph/config';
import { createDocumentStore } from '../../subgraph/retrieval/store/document-store';
import type { DocumentStore } from '../../subgraph/retrieval/store/document-store';
import { openStore } from '../../subgraph/retrieval/store/open-store';
import type { OpenedStore } from '../../subgraph/retrieval/store/open-store';
import { ensureVectorIndexes } from '../../subgraph/retrieval/store/vector-indexes';
import { EMBEDDING_MODEL, planTenants, tenantDocuments } from './corpus';
import type { CorpusShape } from './corpus';

const defaults = envSchema.parse({});

export const vectorConfig = (
  dimensions: number,
  exactBelow = defaults.VECTOR_EXACT_SEARCH_BELOW_CHUNKS,
): VectorSearchConfig => ({
  exactSearchBelowChunks: exactBelow,
  efSearch: defaults.HNSW_EF_SEARCH,
  maxScanTuples: defaults.HNSW_MAX_SCAN_TUPLES,
  indexDimensions: [dimensions],
});

export interface BenchStore {
  opened: OpenedStore;
  config: StoreConfig;
}

/** Opens a store for the benchmark with no HNSW index yet (built after the load by buildVectorIndex). */
export async function openBenchStore(
  where: { dataDir: string } | { databaseUrl: string },
  schema: string,
  dimensions: number,
): Promise<BenchStore> {
  const config: StoreConfig = {
    databaseUrl: 'databaseUrl' in where ? where.databaseUrl : undefined,
    dataDir: 'dataDir' in where ? where.dataDir : ':memory:',
    schema,
    appRole: defaults.DATABASE_APP_ROLE,
    poolSize: 24,
    vectors: { ...vectorConfig(dimensions), indexDimensions: [] },
  };
  return { opened: await openStore(config), config };
}

export interface Seeded {
  chunks: number;
  documents: number;
  ms: number;
}

/**
 * Every tenant's documents through putDocument, `parallel` tenants at a time (PGlite runs one transaction at a
 * time anyway; the pg pool takes several).
 */
export async function loadCorpus(
  store: DocumentStore,
  shape: CorpusShape,
  options: { parallel: number; withVectors: boolean; onProgress?: (chunks: number) => void },
): Promise<Seeded> {
  const started = performance.now();
  const plans = planTenants(shape);
  let chunks = 0;
  let documents = 0;
  let reported = 0;
  const loadTenant = async (tenantId: string, plan: (typeof plans)[number]) => {
    for (const seed of tenantDocuments(plan, shape)) {
      const embedding = options.withVectors ? { model: EMBEDDING_MODEL, vectors: seed.vectors } : undefined;
      await store.putDocument(tenantId, seed.doc, seed.chunks, embedding);
      chunks += seed.chunks.length;
      documents += 1;
      if (chunks - reported >= 10_000) {
        reported = chunks;
        options.onProgress?.(chunks);
      }
    }
  };
  const queue = [...plans];
  const workers = Array.from({ length: Math.max(1, options.parallel) }, async () => {
    for (let plan = queue.shift(); plan; plan = queue.shift()) await loadTenant(plan.tenantId, plan);
  });
  await Promise.all(workers);
  return { chunks, documents, ms: performance.now() - started };
}

/**
 * The HNSW index over every vector loaded, by the store's own ensureVectorIndexes, with enough maintenance
 * memory that the graph is built in memory (pgvector warns and slows down when it does not fit).
 */
export async function buildVectorIndex(bench: BenchStore, dimensions: number): Promise<number> {
  const started = performance.now();
  await bench.opened.db.exec(`SET maintenance_work_mem = '1GB'`);
  await ensureVectorIndexes(bench.opened.db, bench.config.schema, [dimensions]);
  await bench.opened.db.exec(`RESET maintenance_work_mem`);
  return performance.now() - started;
}

/** What PGlite's planner upkeep (and PostgreSQL's autovacuum) would have done by now: VACUUM (ANALYZE). */
export async function analyzeTables(bench: BenchStore): Promise<number> {
  const started = performance.now();
  const tables = ['chunk_terms', 'chunks', 'documents', 'corpus_stats', 'term_stats'];
  if (bench.opened.semantic.available) tables.push('chunk_embeddings');
  await bench.opened.db.exec(
    `VACUUM (ANALYZE) ${tables.map((table) => `${bench.config.schema}.${table}`).join(', ')}`,
  );
  return performance.now() - started;
}

/** The store as the subgraph serves it: the HNSW index in use, vector settings as configured. */
export function servingStore(bench: BenchStore, vectors: VectorSearchConfig): DocumentStore {
  return createDocumentStore(bench.opened.db, {
    schema: bench.config.schema,
    appRole: bench.config.appRole,
    semantic: bench.opened.semantic,
    vectors,
  });
}

export const SAMPLE_TENANT = 'tenant-ingest-sample';

/**
 * The normal ingest path's throughput into the loaded, indexed store: `chunks` chunks (with vectors, when the
 * store has them) through putDocument one document at a time, as the ingest feature writes them; the sample's
 * documents are deleted afterwards so the searched corpus stays as planned.
 */
export async function sampleIngest(
  store: DocumentStore,
  shape: CorpusShape,
  chunks: number,
): Promise<{ chunks: number; ms: number; chunksPerSecond: number }> {
  const plan = { tenantId: SAMPLE_TENANT, chunks, seed: 9_999 };
  const ids: string[] = [];
  let written = 0;
  const started = performance.now();
  for (const seed of tenantDocuments(plan, shape)) {
    const embedding = store.semantic.available
      ? { model: EMBEDDING_MODEL, vectors: seed.vectors }
      : undefined;
    await store.putDocument(SAMPLE_TENANT, seed.doc, seed.chunks, embedding);
    written += seed.chunks.length;
    ids.push(seed.doc.id);
  }
  const ms = performance.now() - started;
  for (const id of ids) await store.deleteDocument(SAMPLE_TENANT, id);
  return { chunks: written, ms, chunksPerSecond: (written / ms) * 1000 };
}
