// Documents and chunks of one tenant at a time: ingest (replace), delete, fetch by ids, BM25 full-text search,
// and (with pgvector) their embeddings and semantic search, whose SQL lives in embeddings.ts and vector-search.ts.
import type { Bm25Config, VectorSearchConfig } from '../../config';
import { SemanticSearchUnavailableError } from '../../errors/semantic-unavailable-error';
import type { TextChunk } from '../chunking';
import { snippetOf } from '../snippet';
import { pendingEmbedding } from './embedding-backlog';
import type { PendingDocument } from './embedding-backlog';
import { checkBatch, chunksToEmbed, embedReplacedChunks, putEmbeddingsAt } from './embeddings';
import type { EmbeddingBatch } from './embeddings';
import type { SemanticStatus } from './semantic-status';
import type { SqlDatabase, SqlExecutor, TransactionMode } from './sql';
import { inTenantScope } from './tenant-scope';
import { DEFAULT_VECTOR_SEARCH, searchNearest } from './vector-search';
import type { SemanticQuery } from './vector-search';
import { VERDICT_COLUMNS } from './retrieved-row';
import type { RetrievedRow } from './retrieved-row';
import { checkScreening, storedVerdict } from './chunk-screen';
import type { ChunkFlag, ChunkScreening } from './chunk-screen';

export type { ChunkFlag, ChunkScreening, EmbeddingBatch, PendingDocument, SemanticQuery, SemanticStatus };

export interface StoredDocument {
  id: string;
  title: string;
  body: string;
  version: number;
}

/** A chunk found by search, lexical or semantic. */
export interface RetrievedChunk {
  /** The tenant the row belongs to, as stored: checked before any prompt is built from it (tenant-gate.ts). */
  tenantId: string;
  documentId: string;
  chunkId: string;
  documentVersion: number;
  title: string;
  content: string;
  snippet: string;
  /** Lexical: the BM25 sum (0 or more). Semantic: cosine similarity, 1 − cosine distance (−1 to 1). */
  score: number;
  /** The injection screen's stored verdict: the flag, or null when the screen passed it (or never ran). */
  flag: ChunkFlag | null;
  /**
   * The version of the screen's rules that judged the chunk at ingest; null when it was stored unscreened
   * (before migration 007). Read through guardrails' verdictOf, which screens again when it is not current.
   */
  screenVersion: number | null;
}

/** The earlier name of RetrievedChunk, from when search was lexical only. */
export type LexicalHit = RetrievedChunk;

export interface DocumentStore {
  /** Whether semantic search works here (pgvector present), and why not when it does not. */
  readonly semantic: SemanticStatus;
  /**
   * Replaces the document and all its chunks atomically; returns the new version. With `embedding` (one
   * vector per chunk, in chunk order) the chunks' vectors are written in the same transaction and the document
   * is embedded in that model; without it, or on a store without vectors, it is stored not embedded, for the
   * sweep (pendingEmbedding) to embed later. With `screening` (one verdict per chunk, in chunk order) the
   * chunks' injection-screen verdicts are stored with them; without it they are stored unscreened.
   */
  putDocument(
    tenantId: string,
    doc: { id: string; title: string; body: string },
    chunks: TextChunk[],
    embedding?: EmbeddingBatch,
    screening?: ChunkScreening,
  ): Promise<{ version: number; chunks: number }>;
  deleteDocument(tenantId: string, id: string): Promise<boolean>;
  getDocuments(tenantId: string, ids: readonly string[]): Promise<StoredDocument[]>;
  searchLexical(tenantId: string, query: string, limit: number): Promise<RetrievedChunk[]>;
  /**
   * The tenant's chunks nearest to the query vector by cosine, among chunks embedded in the query's model;
   * score is the cosine similarity. Throws SemanticSearchUnavailableError where `semantic.available` is false.
   */
  searchSemantic(tenantId: string, query: SemanticQuery, limit: number): Promise<RetrievedChunk[]>;
  /** Up to `limit` documents, across tenants, not embedded in `model` (never, or in another model). */
  pendingEmbedding(model: string, limit: number): Promise<PendingDocument[]>;
  /** The document's version and its chunks in order (what to embed), or null when it does not exist. */
  chunksOf(
    tenantId: string,
    documentId: string,
  ): Promise<{ version: number; chunks: { ordinal: number; content: string }[] } | null>;
  /**
   * Writes the vectors of the document's chunks (in chunk order) and marks it embedded in the model, only if
   * it is still at `version`; false when a re-ingest or delete came in between. Throws
   * SemanticSearchUnavailableError on a store without vectors.
   */
  putEmbeddings(
    tenantId: string,
    documentId: string,
    version: number,
    model: string,
    vectors: readonly (readonly number[])[],
  ): Promise<boolean>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const chunkIdOf = (documentId: string, ordinal: number): string => `${documentId}#${ordinal}`;

/** A document upserted (its version bumped) and its chunks replaced, in the caller's tenant transaction. */
async function replaceDocument(
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
             version = ${schema}.documents.version + 1, updated_at = now()
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

/** Stores opened without a semantic status (not through openStore) have no vectors. */
const NOT_OPENED_WITH_VECTORS: SemanticStatus = {
  available: false,
  reason: 'the store was not opened with its vector migrations (openStore)',
};

export function createDocumentStore(
  db: SqlDatabase,
  options: {
    schema: string;
    appRole: string;
    bm25?: Bm25Config;
    semantic?: SemanticStatus;
    vectors?: VectorSearchConfig;
  },
): DocumentStore {
  const {
    schema,
    appRole,
    bm25 = DEFAULT_BM25,
    semantic = NOT_OPENED_WITH_VECTORS,
    vectors = DEFAULT_VECTOR_SEARCH,
  } = options;
  const requireVectors = () => {
    if (!semantic.available) throw new SemanticSearchUnavailableError(semantic.reason ?? 'no vectors');
  };
  const scoped = <T>(
    tenantId: string,
    work: Parameters<typeof inTenantScope<T>>[3],
    mode: TransactionMode = 'read-write',
  ) => inTenantScope(db, appRole, tenantId, work, mode);

  return {
    semantic,

    putDocument: async (tenantId, doc, chunks, embedding, screening) => {
      if (embedding) checkBatch(embedding, chunks.length);
      if (screening) checkScreening(screening, chunks.length);
      return scoped(tenantId, async (tx) => {
        const stored = await replaceDocument(tx, schema, tenantId, doc, chunks, screening);
        const kept = semantic.available ? embedding : undefined;
        await embedReplacedChunks(tx, schema, tenantId, doc.id, chunks, kept);
        return stored;
      });
    },

    deleteDocument: (tenantId, id) =>
      scoped(tenantId, async (tx) => {
        const deleted = await tx.query(
          `DELETE FROM ${schema}.documents WHERE tenant_id = $1 AND id = $2 RETURNING id`,
          [tenantId, id],
        );
        return deleted.rows.length > 0;
      }),

    getDocuments: (tenantId, ids) =>
      ids.length === 0
        ? Promise.resolve([])
        : scoped(tenantId, async (tx) => {
            const result = await tx.query<StoredDocument>(
              `SELECT id, title, body, version FROM ${schema}.documents WHERE tenant_id = $1 AND id = ANY($2::text[])`,
              [tenantId, [...ids]],
            );
            return result.rows;
          }),

    // One pass of BM25 over every chunk matching any query term (in its body or its document's title): no
    // AND-first pass, which dropped the relevant passages of long natural-language questions. It runs in a
    // read-only snapshot, so the term statistics and the passages it ranks come from one state of the corpus.
    searchLexical: (tenantId, query, limit) =>
      scoped(
        tenantId,
        async (tx) => {
          const result = await tx.query<RetrievedRow>(bm25Sql(schema), [
            tenantId,
            query,
            limit,
            bm25.k1,
            bm25.b,
            bm25.titleWeight,
            bm25.maxPostingsPerTerm,
          ]);
          return result.rows.map(toHit(query));
        },
        'read-only-snapshot',
      ),

    searchSemantic: async (tenantId, query, limit) => {
      requireVectors();
      const rows = await scoped(
        tenantId,
        (tx) => searchNearest(tx, schema, vectors, tenantId, query, limit),
        'read-only-snapshot',
      );
      return rows.map(toHit(query.text ?? ''));
    },

    pendingEmbedding: (model, limit) => pendingEmbedding(db, { schema, appRole }, model, limit),

    chunksOf: (tenantId, documentId) =>
      scoped(tenantId, (tx) => chunksToEmbed(tx, schema, tenantId, documentId), 'read-only-snapshot'),

    putEmbeddings: async (tenantId, documentId, version, model, vectors) => {
      requireVectors();
      return scoped(tenantId, (tx) =>
        putEmbeddingsAt(tx, schema, tenantId, documentId, version, { model, vectors }),
      );
    },

    ping: async () => {
      await db.query('SELECT 1');
    },
    close: () => db.close(),
  };
}

const toHit =
  (query: string) =>
  (row: RetrievedRow): RetrievedChunk => ({
    tenantId: row.tenant_id,
    documentId: row.document_id,
    chunkId: chunkIdOf(row.document_id, row.ordinal),
    documentVersion: row.document_version,
    title: row.title,
    content: row.content,
    snippet: snippetOf(row.content, query),
    score: Number(row.score),
    ...storedVerdict(row),
  });

/**
 * BM25 defaults of Robertson et al. and Lucene; a title occurrence counts as two body occurrences; a term's
 * best 2,000 postings are read.
 */
export const DEFAULT_BM25: Bm25Config = { k1: 1.2, b: 0.75, titleWeight: 2, maxPostingsPerTerm: 2000 };

// A lexeme as a one-term tsquery literal: quoted, with quotes and backslashes escaped as tsquery input
// expects, so a lexeme is never re-parsed (a 'simple' parse would split "e-mail" into three terms).
const asTsqueryTerm = (lexeme: string) =>
  String.raw`('''' || replace(replace(${lexeme}, '\', '\\'), '''', '''''') || '''')`;

/**
 * BM25 (Robertson/Sparck Jones, the Lucene variant of idf) over the english-stemmed, stopword-free terms of
 * a chunk, with its document's title as a weighted field (BM25F-style: a title occurrence adds titleWeight
 * to the term's frequency; length normalisation is the chunk's). All statistics — the number of chunks N,
 * their average length, each term's document frequency (the chunks whose text holds it) — are the tenant's
 * own, kept up to date at ingest by migration 004's triggers (corpus_stats, term_stats) and read under row
 * level security, so another tenant's documents never change a score and a search never counts the corpus.
 *
 *   score = Σ over distinct query terms t of  idf(t) · tf'·(k1+1) / (tf' + k1·(1 − b + b·len/avglen))
 *   idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5)),  tf' = tf_body + titleWeight · tf_title
 *
 * Only the postings of the query's terms are read (chunk_terms, the inverted index written with the chunks),
 * best first — most occurrences, then shortest chunk, the order in which a posting's BM25 share falls — and
 * at most maxPostingsPerTerm of them per term: a very common term costs a bounded read, and a chunk it leaves
 * out holds that term fewer times (or in a longer chunk) than every chunk read for it.
 *
 * $1 tenant, $2 query text, $3 limit, $4 k1, $5 b, $6 title weight, $7 postings per term.
 */
function bm25Sql(schema: string): string {
  return `WITH query_terms AS (
      SELECT DISTINCT lexeme FROM unnest(tsvector_to_array(to_tsvector('english', $2))) AS lexeme),
    corpus AS (
      SELECT chunks::float8 AS chunks, greatest(total_terms::float8 / greatest(chunks, 1), 1) AS avg_terms
      FROM ${schema}.corpus_stats WHERE tenant_id = $1 AND chunks > 0),
    idf AS MATERIALIZED (
      SELECT t.lexeme, ln(1 + (corpus.chunks - coalesce(s.df, 0) + 0.5) / (coalesce(s.df, 0) + 0.5)) AS idf
      FROM query_terms t CROSS JOIN corpus
      LEFT JOIN ${schema}.term_stats s ON s.tenant_id = $1 AND s.lexeme = t.lexeme),
    -- The tenant's postings of the query terms, best first and bounded per term.
    postings AS MATERIALIZED (
      SELECT t.lexeme, p.document_id, p.ordinal, p.tf, p.chunk_length FROM query_terms t
      CROSS JOIN LATERAL (
        SELECT document_id, ordinal, tf, chunk_length FROM ${schema}.chunk_terms
        WHERE tenant_id = $1 AND lexeme = t.lexeme
        ORDER BY tf DESC, chunk_length
        LIMIT $7) p),
    -- Title occurrences count for every chunk of the document, weighted.
    title_postings AS (
      SELECT u.lexeme, c.document_id, c.ordinal, $6::float8 * cardinality(u.positions) AS tf,
        c.term_count AS chunk_length
      FROM ${schema}.documents d
      CROSS JOIN LATERAL unnest(d.title_tsv) AS u
      JOIN ${schema}.chunks c ON c.tenant_id = d.tenant_id AND c.document_id = d.id
      WHERE d.tenant_id = $1
        AND d.title_tsv @@ (SELECT string_agg(${asTsqueryTerm('lexeme')}, ' | ')::tsquery FROM query_terms)
        AND u.lexeme IN (SELECT lexeme FROM query_terms)),
    frequencies AS (
      SELECT lexeme, document_id, ordinal, sum(tf) AS tf, max(chunk_length) AS chunk_length
      FROM (SELECT lexeme, document_id, ordinal, tf::float8, chunk_length FROM postings
            UNION ALL SELECT lexeme, document_id, ordinal, tf, chunk_length FROM title_postings) AS both_fields
      GROUP BY lexeme, document_id, ordinal),
    ranked AS (
      SELECT f.document_id, f.ordinal,
        sum(i.idf * f.tf * ($4::float8 + 1)
            / (f.tf + $4::float8 * (1 - $5::float8 + $5::float8 * f.chunk_length / corpus.avg_terms))) AS score
      FROM frequencies f JOIN idf i ON i.lexeme = f.lexeme CROSS JOIN corpus
      WHERE f.tf > 0
      GROUP BY f.document_id, f.ordinal
      ORDER BY score DESC, f.document_id, f.ordinal
      LIMIT $3)
    SELECT c.tenant_id, r.document_id, r.ordinal, c.document_version, d.title, c.content,
      r.score::float8 AS score, ${VERDICT_COLUMNS}
    FROM ranked r
    JOIN ${schema}.chunks c ON c.tenant_id = $1 AND c.document_id = r.document_id AND c.ordinal = r.ordinal
    JOIN ${schema}.documents d ON d.tenant_id = $1 AND d.id = r.document_id
    ORDER BY r.score DESC, r.document_id, r.ordinal`;
}
