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
}
