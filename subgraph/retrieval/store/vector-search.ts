// Semantic search: a tenant's chunks nearest to a query vector by cosine distance, among the vectors of the
// query's model only (vectors of different models are never compared).
//
// Row level security filters an index scan's rows after the scan, so an HNSW scan that returns its usual
// ef_search candidates finds mostly other tenants' chunks for a small tenant beside a large one: too few hits.
// Two remedies, chosen per search by the tenant's own count of vectors in the model:
// - below `exactSearchBelowChunks`, exact search: every one of the tenant's vectors compared (a MATERIALIZED
//   CTE of its rows, which no index can serve), which always finds its true nearest chunks;
// - above it, the HNSW index (a partial expression index per dimension, vector-indexes.ts) scanned
//   iteratively (`hnsw.iterative_scan = relaxed_order`): the scan goes on past ef_search until the limit is
//   met by rows that pass the tenant and model filters, or `hnsw.max_scan_tuples` is reached. Relaxed order
//   may return rows slightly out of order, so they are sorted by distance again.
import type { VectorSearchConfig } from '../../config';
import { unreachable } from '../../errors/unreachable';
import { vectorLiteral } from './embeddings';
import type { SqlExecutor } from './sql';
import { lastChunkColumn, VERDICT_COLUMNS } from './retrieved-row';
import type { RetrievedRow } from './retrieved-row';

export const DEFAULT_VECTOR_SEARCH: VectorSearchConfig = {
  exactSearchBelowChunks: 5_000,
  efSearch: 100,
  maxScanTuples: 20_000,
  indexDimensions: [1_536],
};

export interface SemanticQuery {
  /** The embedding model that made `vector`: only chunks embedded in it are compared. */
  model: string;
  vector: readonly number[];
  /** The query's text, when there is one: the snippet then shows the sentences that match it. */
  text?: string;
}

export type SearchPath = 'exact' | 'index';

// The nearest rows joined to their chunk text and document title, nearest first (ties in a stable order).
const withText = (schema: string) => `
  SELECT c.tenant_id, n.document_id, n.ordinal, c.document_version, d.title, c.content,
    (1 - n.distance)::float8 AS score, ${VERDICT_COLUMNS}, ${lastChunkColumn(schema)}
  FROM nearest n
  JOIN ${schema}.chunks c ON c.tenant_id = $1 AND c.document_id = n.document_id AND c.ordinal = n.ordinal
  JOIN ${schema}.documents d ON d.tenant_id = $1 AND d.id = n.document_id
  ORDER BY n.distance, n.document_id, n.ordinal`;

/**
 * The search of one path for vectors of `dims` dimensions. The dimension is written into the SQL (a validated
 * integer): the partial index `WHERE dims = n` is usable only by a query whose predicate is that literal, and
 * its expression `embedding::vector(n)` only by the same expression in ORDER BY.
 * $1 tenant, $2 model, $3 query vector, $4 limit.
 */
export function nearestSql(schema: string, dims: number, path: SearchPath): string {
  if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`not a vector dimension: ${dims}`);
  const distance = (column: string) => `${column}::vector(${dims}) <=> $3::vector(${dims})`;
  switch (path) {
    case 'exact':
      return `WITH own AS MATERIALIZED (
          SELECT e.document_id, e.ordinal, e.embedding FROM ${schema}.chunk_embeddings e
          WHERE e.tenant_id = $1 AND e.model = $2 AND e.dims = ${dims}),
        nearest AS (
          SELECT own.document_id, own.ordinal, ${distance('own.embedding')} AS distance FROM own
          ORDER BY distance, own.document_id, own.ordinal LIMIT $4)
        ${withText(schema)}`;
    case 'index':
      return `WITH nearest AS MATERIALIZED (
          SELECT e.document_id, e.ordinal, ${distance('e.embedding')} AS distance
          FROM ${schema}.chunk_embeddings e
          WHERE e.tenant_id = $1 AND e.model = $2 AND e.dims = ${dims}
          ORDER BY ${distance('e.embedding')} LIMIT $4)
        ${withText(schema)}`;
    default:
      return unreachable(path);
  }
}

/**
 * Sets the index scan's parameters for this transaction and counts the tenant's vectors of the model, up to
 * the threshold (a bounded count: a large tenant costs no more than a small one), to choose the path.
 */
export async function chooseSearchPath(
  tx: SqlExecutor,
  schema: string,
  config: VectorSearchConfig,
  tenantId: string,
  model: string,
  dims: number,
): Promise<SearchPath> {
  const counted = await tx.query<{ chunks: number }>(
    `SELECT set_config('hnsw.ef_search', $3, true), set_config('hnsw.max_scan_tuples', $4, true),
        set_config('hnsw.iterative_scan', 'relaxed_order', true),
        (SELECT count(*)::int FROM (
          SELECT 1 FROM ${schema}.chunk_embeddings
          WHERE tenant_id = $1 AND model = $2 AND dims = $5 LIMIT $6) AS own) AS chunks`,
    [
      tenantId,
      model,
      String(config.efSearch),
      String(config.maxScanTuples),
      dims,
      config.exactSearchBelowChunks,
    ],
  );
  if ((counted.rows[0]?.chunks ?? 0) < config.exactSearchBelowChunks) return 'exact';
  // The path is chosen here, by the tenant's size; the planner must not undo it from statistics that may be
  // missing (PGlite runs no autovacuum) by sorting the tenant's rows instead. With sorting off, the ordered
  // index scan is its only plan that needs no sort below the final one.
  await tx.query("SELECT set_config('enable_sort', 'off', true)");
  return 'index';
}

export async function searchNearest(
  tx: SqlExecutor,
  schema: string,
  config: VectorSearchConfig,
  tenantId: string,
  query: SemanticQuery,
  limit: number,
): Promise<RetrievedRow[]> {
  const literal = vectorLiteral(query.vector);
  const dims = query.vector.length;
  const path = await chooseSearchPath(tx, schema, config, tenantId, query.model, dims);
  const result = await tx.query<RetrievedRow>(nearestSql(schema, dims, path), [
    tenantId,
    query.model,
    literal,
    limit,
  ]);
  return result.rows;
}
