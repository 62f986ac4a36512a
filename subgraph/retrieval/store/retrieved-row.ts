// A chunk row as both searches return it, lexical (BM25) and semantic (nearest vectors), before it becomes a
// RetrievedChunk: the same columns, so one mapper serves both.
export interface RetrievedRow {
  tenant_id: string;
  document_id: string;
  ordinal: number;
  document_version: number;
  title: string;
  content: string;
  /** Lexical: the BM25 sum. Semantic: cosine similarity, 1 − cosine distance (1 same direction, −1 opposite). */
  score: number;
  /** The chunk's stored screen verdict (migration 007; all three NULL for a chunk stored before it). */
  flag_kind: string | null;
  flag_score: number | null;
  screen_version: number | null;
  /** Whether no chunk of the document comes after this one: its end is the document's, not a cut. */
  last_chunk: boolean;
}

/** The verdict columns, as both searches select them from the chunks (alias c). */
export const VERDICT_COLUMNS = 'c.flag_kind, c.flag_score, c.screen_version';

/** last_chunk, as both searches select it for the chunk c of their tenant ($1): one probe of the primary key. */
export const lastChunkColumn = (schema: string): string =>
  `NOT EXISTS (SELECT 1 FROM ${schema}.chunks later WHERE later.tenant_id = $1
      AND later.document_id = c.document_id AND later.ordinal > c.ordinal) AS last_chunk`;
