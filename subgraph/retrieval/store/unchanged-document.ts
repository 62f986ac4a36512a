// An ingest that brings a document again as it is stored (title, body and the chunks they cut into) writes no new
// version: found here in one statement (the texts compared in the database, a flag per chunk back), and only
// what the stored document lacks is written (its vectors, verdicts by newer screening rules).
import type { TextChunk } from '../chunking';
import { storedVerdict } from './chunk-screen';
import type { ChunkFlag, ChunkScreening } from './chunk-screen';
import { writeEmbeddings } from './embeddings';
import type { RenderedEmbeddings } from './embeddings';
import type { SqlExecutor, SqlStatement } from './sql';

/** A stored chunk's injection-screen verdict, as storedVerdict reads it. */
export interface StoredVerdict {
  flag: ChunkFlag | null;
  screenVersion: number | null;
}

/** The document as stored, found unchanged by an ingest that brings it again (findUnchanged). */
export interface UnchangedDocument {
  version: number;
  /** Whether its chunks have vectors (in some model: the sweep moves them to another). */
  embedded: boolean;
  /** Its chunks' stored verdicts, in chunk order. */
  verdicts: StoredVerdict[];
}

export interface UnchangedRow {
  version: number;
  embedded: boolean;
  chunk_count: number;
  /** Per chunk asked about, in order: whether the stored chunk at its ordinal has its text (null: none there). */
  same: (boolean | null)[] | null;
  flag_kinds: (string | null)[] | null;
  flag_scores: (number | null)[] | null;
  screen_versions: (number | null)[] | null;
}

/**
 * The statement finding the document as stored when its title, body and chunks (texts at their ordinals) are
 * these: one row, or none when the title or body differ. The texts are compared in the database, so only a flag
 * per chunk comes back. With `lock`, the row is locked for the rest of the transaction (as the sweep's writes
 * lock it).
 */
export function unchangedStatement(
  schema: string,
  tenantId: string,
  doc: { id: string; title: string; body: string },
  chunks: readonly TextChunk[],
  lock: boolean,
): SqlStatement {
  return {
    text: `SELECT d.version, d.embedding_model IS NOT NULL AS embedded,
              (SELECT count(*)::int FROM ${schema}.chunks c WHERE c.tenant_id = d.tenant_id AND c.document_id = d.id)
                AS chunk_count,
              v.same, v.flag_kinds, v.flag_scores, v.screen_versions
           FROM ${schema}.documents d
           LEFT JOIN LATERAL (
             SELECT array_agg(c.content = t.content ORDER BY t.position) AS same,
                    array_agg(c.flag_kind ORDER BY t.position) AS flag_kinds,
                    array_agg(c.flag_score ORDER BY t.position) AS flag_scores,
                    array_agg(c.screen_version ORDER BY t.position) AS screen_versions
             FROM unnest($5::int[], $6::text[]) WITH ORDINALITY AS t(ordinal, content, position)
             LEFT JOIN ${schema}.chunks c
               ON c.tenant_id = d.tenant_id AND c.document_id = d.id AND c.ordinal = t.ordinal
           ) v ON true
           WHERE d.tenant_id = $1 AND d.id = $2 AND d.title = $3 AND d.body = $4${lock ? ' FOR UPDATE OF d' : ''}`,
    params: [
      tenantId,
      doc.id,
      doc.title,
      doc.body,
      chunks.map((chunk) => chunk.index),
      chunks.map((chunk) => chunk.text),
    ],
  };
}

/** The document unchanged, from unchangedStatement's rows: null unless every chunk is stored as given. */
export function unchangedFrom(
  rows: readonly UnchangedRow[],
  chunks: readonly TextChunk[],
): UnchangedDocument | null {
  const row = rows[0];
  if (!row || row.chunk_count !== chunks.length) return null;
  const same = row.same ?? [];
  if (same.length !== chunks.length || !same.every((chunk) => chunk === true)) return null;
  return {
    version: row.version,
    embedded: row.embedded,
    verdicts: chunks.map((_, i) =>
      storedVerdict({
        flag_kind: row.flag_kinds?.[i] ?? null,
        flag_score: row.flag_scores?.[i] ?? null,
        screen_version: row.screen_versions?.[i] ?? null,
      }),
    ),
  };
}

/**
 * The same document stored again (unchangedFrom's): what it lacks is written, nothing else, and its version stays.
 * Its vectors, where it has none and the ingest brought some; its verdicts, where some are not by the rules of
 * the ingest's screening.
 */
export async function completeUnchanged(
  tx: SqlExecutor,
  schema: string,
  tenantId: string,
  documentId: string,
  chunks: readonly TextChunk[],
  stored: UnchangedDocument,
  embedding: RenderedEmbeddings | undefined,
  screening: ChunkScreening | undefined,
): Promise<void> {
  if (embedding && !stored.embedded && chunks.length > 0) {
    const ordinals = chunks.map((chunk) => chunk.index);
    await writeEmbeddings(tx, schema, tenantId, documentId, ordinals, embedding);
  }
  if (screening && stored.verdicts.some((verdict) => verdict.screenVersion !== screening.version)) {
    await tx.query(
      `UPDATE ${schema}.chunks c
         SET flag_kind = t.flag_kind, flag_score = t.flag_score, screen_version = $6::smallint
         FROM unnest($3::int[], $4::text[], $5::real[]) AS t(ordinal, flag_kind, flag_score)
         WHERE c.tenant_id = $1 AND c.document_id = $2 AND c.ordinal = t.ordinal`,
      [
        tenantId,
        documentId,
        chunks.map((chunk) => chunk.index),
        chunks.map((_, i) => screening.flags[i]?.kind ?? null),
        chunks.map((_, i) => screening.flags[i]?.score ?? null),
        screening.version,
      ],
    );
  }
}
