// Documents and chunks of one tenant at a time: ingest (replace), delete, fetch by ids, full-text search.
import type { TextChunk } from '../chunking';
import { snippetOf } from '../snippet';
import type { SqlDatabase, SqlExecutor, TransactionMode } from './sql';
import { inTenantScope } from './tenant-scope';

export interface StoredDocument {
  id: string;
  title: string;
  body: string;
  version: number;
}

export interface LexicalHit {
  documentId: string;
  chunkId: string;
  documentVersion: number;
  title: string;
  content: string;
  snippet: string;
  score: number;
}

export interface DocumentStore {
  /** Replaces the document and all its chunks atomically; returns the new version. */
  putDocument(
    tenantId: string,
    doc: { id: string; title: string; body: string },
    chunks: TextChunk[],
  ): Promise<{ version: number; chunks: number }>;
  deleteDocument(tenantId: string, id: string): Promise<boolean>;
  getDocuments(tenantId: string, ids: readonly string[]): Promise<StoredDocument[]>;
  searchLexical(tenantId: string, query: string, limit: number): Promise<LexicalHit[]>;
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
      `INSERT INTO ${schema}.chunks (tenant_id, document_id, ordinal, document_version, content)
         SELECT $1, $2, t.ordinal, $3, t.content FROM unnest($4::int[], $5::text[]) AS t(ordinal, content)`,
      [tenantId, doc.id, version, chunks.map((c) => c.index), chunks.map((c) => c.text)],
    );
  }
  return { version, chunks: chunks.length };
}

export function createDocumentStore(
  db: SqlDatabase,
  options: { schema: string; appRole: string },
): DocumentStore {
  const { schema, appRole } = options;
  const scoped = <T>(
    tenantId: string,
    work: Parameters<typeof inTenantScope<T>>[3],
    mode: TransactionMode = 'read-write',
  ) => inTenantScope(db, appRole, tenantId, work, mode);

  return {
    putDocument: (tenantId, doc, chunks) =>
      scoped(tenantId, (tx) => replaceDocument(tx, schema, tenantId, doc, chunks)),

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

    // Passes from strict to loose, each only while fewer than `limit` passages were found: all of the query's
    // lexemes, then all but one, then any one. The strict pass is selective (the index finds it fast); the
    // looser ones can match most of a large corpus, so they rank a bounded sample of candidates. The passes
    // share one snapshot: a document replaced between two of them would otherwise answer with passages of
    // both its versions.
    searchLexical: (tenantId, query, limit) =>
      scoped(
        tenantId,
        async (tx) => {
          const found = new Map<string, LexicalRow>();
          for (const match of MATCH_PASSES) {
            const pass = await tx.query<LexicalRow>(lexicalSql(schema, match), [tenantId, query, limit]);
            for (const row of pass.rows) found.set(`${row.document_id}#${row.ordinal}`, row);
            if (found.size >= limit) break;
          }
          const ranked = [...found.values()].sort((a, b) => b.score - a.score);
          return ranked.slice(0, limit).map(toHit(query));
        },
        'read-only-snapshot',
      ),

    ping: async () => {
      await db.query('SELECT 1');
    },
    close: () => db.close(),
  };
}

interface LexicalRow {
  document_id: string;
  ordinal: number;
  document_version: number;
  title: string;
  content: string;
  score: number;
}

const toHit =
  (query: string) =>
  (row: LexicalRow): LexicalHit => ({
    documentId: row.document_id,
    chunkId: chunkIdOf(row.document_id, row.ordinal),
    documentVersion: row.document_version,
    title: row.title,
    content: row.content,
    snippet: snippetOf(row.content, query),
    score: Number(row.score),
  });

const MATCH_PASSES = ['all', 'most', 'any'] as const;
const LOOSE_PASS_CANDIDATES = 1_000;
type MatchPass = (typeof MATCH_PASSES)[number];

// The query's distinct lexemes, stemmed as the chunks' tsvectors are.
const LEXEMES = "SELECT DISTINCT lexeme FROM unnest(tsvector_to_array(to_tsvector('english', $2))) AS lexeme";

/**
 * Chunks matching all (AND), all but one, or any one (OR) of the query's lexemes, the top `limit` with their
 * documents' titles. Every pass ranks by the OR query, so scores compare: more matching words rank higher.
 */
function lexicalSql(schema: string, match: MatchPass): string {
  const any = "replace(plainto_tsquery('english', $2)::text, ' & ', ' | ')::tsquery";
  const filters: Record<MatchPass, string> = {
    all: "plainto_tsquery('english', $2)",
    // All but one: (b & c & d) | (a & c & d) | ...; built from lexemes already stemmed, so 'simple' keeps them.
    // The whole tsquery comes out of one subquery, so it is computed once and can drive the GIN index.
    most: `(SELECT to_tsquery('simple', string_agg('(' || (SELECT string_agg(quote_literal(b.lexeme), ' & ')
           FROM (${LEXEMES}) b WHERE b.lexeme <> a.lexeme) || ')', ' | ')) FROM (${LEXEMES}) a)`,
    any,
  };
  // The looser passes can match most of a large corpus: they rank a bounded set of candidates, so one vague
  // question costs at most that much ranking work.
  const candidates = match === 'all' ? '' : `LIMIT ${LOOSE_PASS_CANDIDATES}`;
  return `WITH matched AS (
      SELECT c.document_id, c.ordinal, c.document_version, c.content, c.tsv
      FROM ${schema}.chunks c
      WHERE c.tenant_id = $1 AND c.tsv @@ ${filters[match]}
      ${candidates}),
    ranked AS (
      SELECT m.document_id, m.ordinal, m.document_version, m.content, ts_rank_cd(m.tsv, ${any}, 32) AS score
      FROM matched m
      ORDER BY score DESC, m.document_id, m.ordinal
      LIMIT $3)
    SELECT r.document_id, r.ordinal, r.document_version, d.title, r.content, r.score::float8 AS score
    FROM ranked r
    JOIN ${schema}.documents d ON d.tenant_id = $1 AND d.id = r.document_id
    ORDER BY r.score DESC, r.document_id, r.ordinal`;
}
