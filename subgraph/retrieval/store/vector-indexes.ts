// The HNSW indexes (cosine) of the chunk embeddings, one per configured dimension. The vector column has no
// fixed dimension (a model change needs no migration), and pgvector indexes only vectors of a known one, so
// each index is a partial expression index: `(embedding::vector(n)) WHERE dims = n`. Created at open by the
// connecting user (the table's owner; the app role may not create indexes), under the migration lock so
// replicas starting together do not race; existing ones are left as they are. Building one over many
// existing vectors blocks writes to the table for as long as the build takes (once, at the start after a
// dimension is added to the configuration).
import type { SqlDatabase } from './sql';

export const vectorIndexName = (dims: number) => `chunk_embeddings_hnsw_${dims}`;

export async function ensureVectorIndexes(
  db: SqlDatabase,
  schema: string,
  dimensions: readonly number[],
): Promise<void> {
  for (const dims of new Set(dimensions)) {
    if (!Number.isInteger(dims) || dims < 1 || dims > 2_000)
      throw new RangeError(`an HNSW index needs 1 to 2000 dimensions, got ${dims}`);
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ai-subgraph-migrate:${schema}`]);
      await tx.query(
        `CREATE INDEX IF NOT EXISTS ${vectorIndexName(dims)} ON ${schema}.chunk_embeddings
           USING hnsw ((embedding::vector(${dims})) vector_cosine_ops) WHERE dims = ${dims}`,
      );
    });
  }
}
