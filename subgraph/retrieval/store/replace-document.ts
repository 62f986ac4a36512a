// Writing a document anew: its row upserted with the version bumped, its chunks and their postings replaced,
// under a per-document advisory lock so two ingests of one document never interleave.
import type { TextChunk } from '../chunking';
import type { ChunkScreening } from './chunk-screen';
import type { SqlExecutor } from './sql';

/**
 * The advisory lock that serializes the writes of one document (putDocument), by tenant and id. Hashed to 32
 * bits: two documents that share a hash only wait for each other.
 */
export const documentLockKey = (tenantId: string, documentId: string): string =>
  `document ${JSON.stringify([tenantId, documentId])}`;

/**
 * A document upserted (its version bumped) and its chunks replaced, in the caller's tenant transaction. New
 * text clears the embedding sweep's record of its attempts at the old one (migration 016): it is tried again.
 */
export async function replaceDocument(
  tx: SqlExecutor,
  schema: string,
  tenantId: string,
  doc: { id: string; title: string; body: string },
  chunks: readonly TextChunk[],
  screening: ChunkScreening | undefined,
): Promise<{ version: number; chunks: number }> {
  const upserted = await tx.query<{ version: number }>(
    `INSERT INTO ${schema}.documents (tenant_id, id, title, body) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, id) DO UPDATE
         SET title = EXCLUDED.title, body = EXCLUDED.body,
             version = ${schema}.documents.version + 1, updated_at = now(),
             embedding_attempted_at = NULL, embedding_failed_model = NULL
       RETURNING version`,
    [tenantId, doc.id, doc.title, doc.body],
  );
  const version = upserted.rows[0]?.version ?? 1;
  await tx.query(`DELETE FROM ${schema}.chunks WHERE tenant_id = $1 AND document_id = $2`, [
    tenantId,
    doc.id,
  ]);
  if (chunks.length > 0) {
    await tx.query(
      `INSERT INTO ${schema}.chunks
           (tenant_id, document_id, ordinal, document_version, content, flag_kind, flag_score, screen_version)
         SELECT $1, $2, t.ordinal, $3, t.content, t.flag_kind, t.flag_score, $8::smallint
         FROM unnest($4::int[], $5::text[], $6::text[], $7::real[]) AS t(ordinal, content, flag_kind, flag_score)`,
      [
        tenantId,
        doc.id,
        version,
        chunks.map((c) => c.index),
        chunks.map((c) => c.text),
        chunks.map((_, i) => screening?.flags[i]?.kind ?? null),
        chunks.map((_, i) => screening?.flags[i]?.score ?? null),
        screening?.version ?? null,
      ],
    );
    // The new chunks' postings (the old ones went with their chunks, by cascade).
    await tx.query(
      `INSERT INTO ${schema}.chunk_terms (tenant_id, lexeme, document_id, ordinal, tf, chunk_length)
         SELECT c.tenant_id, u.lexeme, c.document_id, c.ordinal, cardinality(u.positions), c.term_count
         FROM ${schema}.chunks c CROSS JOIN LATERAL unnest(c.tsv) AS u
         WHERE c.tenant_id = $1 AND c.document_id = $2`,
      [tenantId, doc.id],
    );
  }
  return { version, chunks: chunks.length };
}
