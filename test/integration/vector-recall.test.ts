// Semantic search keeps each tenant's own nearest chunks although row level security filters after the HNSW
// scan (a small tenant beside a large one whose chunks are all nearer the query), and the HNSW path finds the
// true neighbours (recall@10 against exact search, computed here) — on PGlite with pgvector.
import type { VectorSearchConfig } from '../../subgraph/config';
import { createDocumentStore } from '../../subgraph/retrieval/store/document-store';
import type { DocumentStore } from '../../subgraph/retrieval/store/document-store';
import { SEMANTIC_AVAILABLE } from '../../subgraph/retrieval/store/semantic-status';
import type { SqlExecutor } from '../../subgraph/retrieval/store/sql';
import {
  DEFAULT_VECTOR_SEARCH,
  chooseSearchPath,
  nearestSql,
} from '../../subgraph/retrieval/store/vector-search';
import { vectorIndexName } from '../../subgraph/retrieval/store/vector-indexes';
import { asRole, chunksOf, openTestStore } from '../support/stores';
import type { TestStore } from '../support/stores';
import { exactNearest, randomUnitVector, seededRandom, unitVectorNear } from '../support/vectors';

const MODEL = 'embed-test';
const SMALL_DIMS = 64;
const RECALL_DIMS = 128;
const CHUNKS_PER_DOCUMENT = 100;

/** Stores `vectors` for the tenant as documents of CHUNKS_PER_DOCUMENT chunks; vector i is `${prefix}-d#o`. */
async function putVectors(store: DocumentStore, tenantId: string, prefix: string, vectors: number[][]) {
  for (let start = 0; start < vectors.length; start += CHUNKS_PER_DOCUMENT) {
    const batch = vectors.slice(start, start + CHUNKS_PER_DOCUMENT);
    const id = `${prefix}-${start / CHUNKS_PER_DOCUMENT}`;
    await store.putDocument(
      tenantId,
      { id, title: id, body: id },
      chunksOf(...batch.map((_, ordinal) => `${id} chunk ${ordinal}`)),
      { model: MODEL, vectors: batch },
    );
  }
}

/** The index of a chunk's vector in the array putVectors stored. */
const vectorIndexOf = (chunkId: string) => {
  const [document = '', ordinal = ''] = chunkId.split('#');
  return Number(document.slice(document.lastIndexOf('-') + 1)) * CHUNKS_PER_DOCUMENT + Number(ordinal);
};

const planOf = (tx: SqlExecutor, sql: string, params: unknown[]) =>
  tx
    .query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)
    .then((result) => result.rows.map((row) => row['QUERY PLAN']).join('\n'));

describe('semantic search isolation and recall on pglite', () => {
  let handle: TestStore;
  /** The store as configured by default: exact search for a tenant below 5,000 chunks. */
  const defaults = (): DocumentStore => handle.current.documents;
  /** The same database, always through the HNSW index (no exact path), as for a large tenant. */
  const indexOnly = (config: Partial<VectorSearchConfig> = {}): DocumentStore =>
    createDocumentStore(handle.current.db, {
      schema: handle.schema,
      appRole: handle.appRole,
      semantic: SEMANTIC_AVAILABLE,
      vectors: { ...DEFAULT_VECTOR_SEARCH, indexDimensions: [], exactSearchBelowChunks: 0, ...config },
    });

  beforeAll(async () => {
    handle = await openTestStore('pglite', {
      vectors: { ...DEFAULT_VECTOR_SEARCH, indexDimensions: [SMALL_DIMS, RECALL_DIMS] },
    });
  });

  afterAll(async () => {
    await handle?.dispose();
  });

  describe('a small tenant beside a large one whose chunks are all nearer the query', () => {
    const random = seededRandom(7);
    const query = randomUnitVector(random, SMALL_DIMS);
    const small = Array.from({ length: 20 }, () => randomUnitVector(random, SMALL_DIMS));
    const large = Array.from({ length: 2_000 }, () => unitVectorNear(random, query, 0.05));
    const smallNearest = exactNearest(small, query, 10);

    beforeAll(async () => {
      await putVectors(defaults(), 'small', 'a', small);
      await putVectors(defaults(), 'large', 'b', large);
    }, 120_000);

    it('A’s search with limit 10 returns A’s own 10 nearest chunks (exact search below the threshold)', async () => {
      const hits = await defaults().searchSemantic('small', { model: MODEL, vector: query }, 10);
      expect(hits.map((hit) => vectorIndexOf(hit.chunkId))).toEqual(smallNearest);
      expect(hits.every((hit) => hit.documentId.startsWith('a-'))).toBe(true);
    });

    it('A’s search through the HNSW index also returns 10 of A’s chunks: the iterative scan goes past B’s', async () => {
      const hits = await indexOnly().searchSemantic('small', { model: MODEL, vector: query }, 10);
      expect(hits).toHaveLength(10);
      expect(hits.every((hit) => hit.documentId.startsWith('a-'))).toBe(true);
      // Re-sorted by distance after the relaxed-order scan.
      const scores = hits.map((hit) => hit.score);
      expect(scores).toEqual([...scores].sort((x, y) => y - x));
      const found = new Set(hits.map((hit) => vectorIndexOf(hit.chunkId)));
      expect(smallNearest.filter((index) => found.has(index)).length).toBeGreaterThanOrEqual(9);
    });

    it('the index path uses the HNSW index, the exact path does not, and without the iterative scan A would get too few', async () => {
      const params = ['small', MODEL, `[${query.join(',')}]`, 10];
      const outcome = await asRole(handle.current, handle.appRole, 'small', async (tx) => {
        const config = { ...DEFAULT_VECTOR_SEARCH, exactSearchBelowChunks: 0 };
        expect(await chooseSearchPath(tx, handle.schema, config, 'small', MODEL, SMALL_DIMS)).toBe('index');
        const indexPlan = await planOf(tx, nearestSql(handle.schema, SMALL_DIMS, 'index'), params);
        const exactPlan = await planOf(tx, nearestSql(handle.schema, SMALL_DIMS, 'exact'), params);
        const iterative = await tx.query(nearestSql(handle.schema, SMALL_DIMS, 'index'), params);
        // The same index scan as pgvector runs it by default: stop after ef_search candidates.
        await tx.query("SELECT set_config('hnsw.iterative_scan', 'off', true)");
        const plain = await tx.query(nearestSql(handle.schema, SMALL_DIMS, 'index'), params);
        return { indexPlan, exactPlan, iterative: iterative.rows.length, plain: plain.rows.length };
      });
      expect(outcome.indexPlan).toContain(`Index Scan using ${vectorIndexName(SMALL_DIMS)}`);
      expect(outcome.exactPlan).not.toContain('hnsw');
      expect(outcome.iterative).toBe(10);
      expect(outcome.plain).toBeLessThan(10);
    });

    it('B’s search returns B’s chunks, and never A’s', async () => {
      const hits = await indexOnly().searchSemantic('large', { model: MODEL, vector: small[0] ?? query }, 10);
      expect(hits).toHaveLength(10);
      expect(hits.every((hit) => hit.documentId.startsWith('b-'))).toBe(true);
    });
  });

  it('HNSW recall@10 against exact search is at least 0.95 (3,000 random unit vectors of 128 dimensions, 50 queries)', async () => {
    const random = seededRandom(11);
    const corpus = Array.from({ length: 3_000 }, () => randomUnitVector(random, RECALL_DIMS));
    await putVectors(defaults(), 'recall', 'r', corpus);
    const store = indexOnly();
    let found = 0;
    const queries = Array.from({ length: 50 }, () => randomUnitVector(random, RECALL_DIMS));
    for (const query of queries) {
      const truth = new Set(exactNearest(corpus, query, 10));
      const hits = await store.searchSemantic('recall', { model: MODEL, vector: query }, 10);
      found += hits.filter((hit) => truth.has(vectorIndexOf(hit.chunkId))).length;
    }
    const recall = found / (queries.length * 10);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  }, 180_000);
});
