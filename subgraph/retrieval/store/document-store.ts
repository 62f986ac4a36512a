// Documents and chunks of one tenant at a time: ingest (replace), delete, fetch by ids, BM25 full-text search,
// and (with pgvector) their embeddings and semantic search, whose SQL lives in embeddings.ts and vector-search.ts.
import type { Bm25Config, VectorSearchConfig } from '../../config';
import { SemanticSearchUnavailableError } from '../../errors/semantic-unavailable-error';
import type { TextChunk } from '../chunking';
import { SNIPPET_CHARS, snippetOf } from '../snippet';
import { pendingEmbedding } from './embedding-backlog';
import type { PendingDocument } from './embedding-backlog';
import {
  checkBatch,
  chunksToEmbed,
  embedReplacedChunks,
  noteAttemptAt,
  putEmbeddingsAt,
  renderEmbeddings,
} from './embeddings';
import type { EmbeddedChunk, EmbeddingBatch } from './embeddings';
import type { SemanticStatus } from './semantic-status';
import type { SqlDatabase, TransactionMode } from './sql';
import { inTenantScope, queryInTenantScope, tenantScopeStatement } from './tenant-scope';
import { tenantVectors } from './tenant-vectors';
import { DEFAULT_VECTOR_SEARCH, searchNearest } from './vector-search';
import type { SemanticQuery } from './vector-search';
import { bm25Sql, DEFAULT_BM25 } from './bm25-search';
import type { RetrievedRow } from './retrieved-row';
import { checkScreening, storedVerdict } from './chunk-screen';
import { documentLockKey, replaceDocument } from './replace-document';
import { completeUnchanged, unchangedFrom, unchangedStatement } from './unchanged-document';
import type { UnchangedDocument, UnchangedRow } from './unchanged-document';
import type { ChunkFlag, ChunkScreening } from './chunk-screen';

export type {
  ChunkFlag,
  ChunkScreening,
  EmbeddedChunk,
  EmbeddingBatch,
  PendingDocument,
  SemanticQuery,
  SemanticStatus,
};
export { UnusableEmbeddingError, unusableEmbedding } from './embeddings';
export type { StoredVerdict, UnchangedDocument } from './unchanged-document';

export interface StoredDocument {
  id: string;
  title: string;
  body: string;
  version: number;
}

/** What putDocument did: the document's version and chunks, and `unchanged` when it wrote no new version. */
export interface PutResult {
  version: number;
  chunks: number;
  unchanged?: true;
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
   * The document as stored when it is this one: the same title and body, chunked into these chunks (the same
   * texts at the same ordinals; a document stored under other chunking settings is not the same); null when
   * it is not stored, or not so. An ingest that finds it needs no new version, no embeddings (when it has
   * vectors) and no screen (when its verdicts are by the current rules): putDocument would change nothing.
   */
  findUnchanged(
    tenantId: string,
    doc: { id: string; title: string; body: string },
    chunks: readonly TextChunk[],
  ): Promise<UnchangedDocument | null>;
  /**
   * Replaces the document and all its chunks atomically; returns the new version. With `embedding` (one
   * vector per chunk, in chunk order) the chunks' vectors are written in the same transaction and the document
   * is embedded in that model; without it, or on a store without vectors, it is stored not embedded, for the
   * sweep (pendingEmbedding) to embed later. With `screening` (one verdict per chunk, in chunk order) the
   * chunks' injection-screen verdicts are stored with them; without it they are stored unscreened. Vectors
   * the store cannot keep (a zero vector, too many dimensions) throw UnusableEmbeddingError and nothing is
   * stored: ask unusableEmbedding first, and store such a document without them. The same document again
   * (findUnchanged's, e.g. two identical ingests at once: ingests of one document are serialized) keeps its
   * version, chunks, vectors and stored summary, and answers `unchanged: true`; only what it lacks is
   * written: `embedding` where it has no vectors, `screening` where its verdicts are by other rules.
   */
  putDocument(
    tenantId: string,
    doc: { id: string; title: string; body: string },
    chunks: TextChunk[],
    embedding?: EmbeddingBatch,
    screening?: ChunkScreening,
  ): Promise<PutResult>;
  deleteDocument(tenantId: string, id: string): Promise<boolean>;
  getDocuments(tenantId: string, ids: readonly string[]): Promise<StoredDocument[]>;
  searchLexical(tenantId: string, query: string, limit: number): Promise<RetrievedChunk[]>;
  /**
   * The tenant's chunks nearest to the query vector by cosine, among chunks embedded in the query's model;
   * score is the cosine similarity. Throws SemanticSearchUnavailableError where `semantic.available` is false.
   */
  searchSemantic(tenantId: string, query: SemanticQuery, limit: number): Promise<RetrievedChunk[]>;
  /**
   * Whether any of the tenant's chunks has a vector, in any model (false where `semantic.available` is not):
   * a search asks before it pays for its query's embedding, which a tenant whose documents all went in while
   * embeddings were down has nothing to compare with. One probe of an index, in the tenant's scope.
   */
  hasVectors(tenantId: string): Promise<boolean>;
  /**
   * Up to `limit` documents, across tenants, not embedded in `model` (never, or in another model), leaving out
   * those whose vectors in `model` the store could not keep (noteEmbeddingAttempt) until they are re-ingested.
   * A tenant's documents the sweep has not tried since their ingest come first, then those tried longest ago.
   */
  pendingEmbedding(model: string, limit: number): Promise<PendingDocument[]>;
  /** The document's version and its chunks in order (what to embed), or null when it does not exist. */
  chunksOf(
    tenantId: string,
    documentId: string,
  ): Promise<{ version: number; chunks: EmbeddedChunk[] } | null>;
  /**
   * Writes the vectors of the document's chunks (in chunk order) and marks it embedded in the model, only if
   * it is still at `version` and, given `madeFrom` (the chunks chunksOf read, whose texts the vectors were
   * made from), only if its chunks are still those; false when a re-ingest or delete came in between. Pass
   * `madeFrom`: a document deleted and created again under the same id starts again at version 1, so the
   * version alone would let an old text's vectors onto the new chunks. Throws SemanticSearchUnavailableError
   * on a store without vectors, and UnusableEmbeddingError (nothing written) for vectors it cannot keep.
   */
  putEmbeddings(
    tenantId: string,
    documentId: string,
    version: number,
    model: string,
    vectors: readonly (readonly number[])[],
    madeFrom?: readonly EmbeddedChunk[],
  ): Promise<boolean>;
  /**
   * Records that the sweep tried to embed the document as chunksOf read it (at `version`, its chunks
   * `madeFrom`) and stored nothing, so pendingEmbedding lists it after the tenant's documents not tried
   * since; with `unusableIn` (the model whose vectors for it the store refused), pendingEmbedding leaves it
   * out for that model until a re-ingest. It stays not embedded. False, recording nothing, when a re-ingest
   * or delete came in between.
   */
  noteEmbeddingAttempt(
    tenantId: string,
    documentId: string,
    version: number,
    madeFrom: readonly EmbeddedChunk[],
    unusableIn?: string,
  ): Promise<boolean>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const chunkIdOf = (documentId: string, ordinal: number): string => `${documentId}#${ordinal}`;

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
  const tenantsWithVectors = tenantVectors(db, { schema, appRole });
  const scoped = <T>(
    tenantId: string,
    work: Parameters<typeof inTenantScope<T>>[3],
    mode: TransactionMode = 'read-write',
  ) => inTenantScope(db, appRole, tenantId, work, mode);

  return {
    semantic,

    // One statement, one round trip (an ingest asks this of every document it brings).
    findUnchanged: async (tenantId, doc, chunks) => {
      const statement = unchangedStatement(schema, tenantId, doc, chunks, false);
      const found = await queryInTenantScope<UnchangedRow>(db, appRole, tenantId, statement);
      return unchangedFrom(found.rows, chunks);
    },

    putDocument: async (tenantId, doc, chunks, embedding, screening) => {
      if (embedding) checkBatch(embedding, chunks.length);
      if (screening) checkScreening(screening, chunks.length);
      // Rendered before the transaction opens (about a second of CPU for a 1M-character document's vectors), a
      // slice per turn: neither the document's lock nor the event loop is held while it is done.
      const kept =
        semantic.available && embedding ? await renderEmbeddings(embedding, chunks.length) : undefined;
      // The tenant's scope and the document's lock in one statement, before anything is read: an ingest of the
      // same document waits for this one's commit, and its next statement (read committed) sees what it wrote.
      return db
        .transaction(async (tx): Promise<PutResult> => {
          // One round trip: the check runs once the lock is held, with a snapshot of its own (read committed).
          const [, found] = await tx.batch([
            tenantScopeStatement(appRole, tenantId, documentLockKey(tenantId, doc.id)),
            unchangedStatement(schema, tenantId, doc, chunks, true),
          ]);
          const same = unchangedFrom((found?.rows ?? []) as UnchangedRow[], chunks);
          if (same) {
            await completeUnchanged(tx, schema, tenantId, doc.id, chunks, same, kept, screening);
            return { version: same.version, chunks: chunks.length, unchanged: true };
          }
          const stored = await replaceDocument(tx, schema, tenantId, doc, chunks, screening);
          await embedReplacedChunks(tx, schema, tenantId, doc.id, chunks, kept);
          return stored;
        }, 'read-write')
        .then((stored) => {
          if (kept && chunks.length > 0) tenantsWithVectors.saw(tenantId);
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

    hasVectors: async (tenantId) => semantic.available && (await tenantsWithVectors.has(tenantId)),

    pendingEmbedding: (model, limit) => pendingEmbedding(db, { schema, appRole }, model, limit),

    chunksOf: (tenantId, documentId) =>
      scoped(tenantId, (tx) => chunksToEmbed(tx, schema, tenantId, documentId), 'read-only-snapshot'),

    putEmbeddings: async (tenantId, documentId, version, model, vectors, madeFrom) => {
      requireVectors();
      // Checked against the chunks the vectors were made from; the transaction checks they are still those.
      const rendered = await renderEmbeddings({ model, vectors }, madeFrom?.length ?? vectors.length);
      const written = await scoped(tenantId, (tx) =>
        putEmbeddingsAt(tx, schema, tenantId, documentId, version, rendered, madeFrom),
      );
      if (written && vectors.length > 0) tenantsWithVectors.saw(tenantId);
      return written;
    },

    noteEmbeddingAttempt: (tenantId, documentId, version, madeFrom, unusableIn) =>
      scoped(tenantId, (tx) =>
        noteAttemptAt(tx, schema, tenantId, documentId, version, madeFrom, unusableIn),
      ),

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
    snippet: snippetOf(row.content, query, SNIPPET_CHARS, {
      startsDocument: row.ordinal === 0,
      endsDocument: row.last_chunk,
    }),
    score: Number(row.score),
    ...storedVerdict(row),
  });
