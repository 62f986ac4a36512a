// Documents and chunks of one tenant at a time: ingest (replace), delete, fetch by ids, full-text search.
import type { TextChunk } from '../chunking';
import { snippetOf } from '../snippet';
import type { SqlDatabase } from './sql';
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

export function createDocumentStore(
  db: SqlDatabase,
  options: { schema: string; appRole: string },
): DocumentStore {
  const { schema, appRole } = options;
  const scoped = <T>(tenantId: string, work: Parameters<typeof inTenantScope<T>>[3]) =>
    inTenantScope(db, appRole, tenantId, work);

  return {
    putDocument: (tenantId, doc, chunks) =>
      scoped(tenantId, async (tx) => {
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
      }),

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

    // All of the query's lexemes first (selective, and the index finds them fast); only when that gives fewer
    // than `limit` passages, any of them, since a natural question rarely has every word in one passage.
    searchLexical: (tenantId, query, limit) =>
      scoped(tenantId, async (tx) => {
        const all = await tx.query<LexicalRow>(lexicalSql(schema, 'all'), [tenantId, query, limit]);
        if (all.rows.length >= limit) return all.rows.map(toHit(query));
        const any = await tx.query<LexicalRow>(lexicalSql(schema, 'any'), [tenantId, query, limit]);
        const seen = new Set(all.rows.map((row) => `${row.document_id}#${row.ordinal}`));
        const more = any.rows.filter((row) => !seen.has(`${row.document_id}#${row.ordinal}`));
        const merged = [...all.rows, ...more].sort((a, b) => b.score - a.score);
        return merged.slice(0, limit).map(toHit(query));
      }),

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

/**
 * Chunks matching all (AND) or any (OR) of the query's lexemes, the top `limit` with their documents' titles.
 * Both rank by the OR query, so scores of the two passes compare: a passage matching more words ranks higher.
 */
function lexicalSql(schema: string, match: 'all' | 'any'): string {
  const any = "replace(plainto_tsquery('english', $2)::text, ' & ', ' | ')::tsquery";
  const filter = match === 'all' ? "plainto_tsquery('english', $2)" : any;
  return `WITH ranked AS (
      SELECT c.document_id, c.ordinal, c.document_version, c.content, ts_rank_cd(c.tsv, ${any}, 32) AS score
      FROM ${schema}.chunks c
      WHERE c.tenant_id = $1 AND c.tsv @@ ${filter}
      ORDER BY score DESC, c.document_id, c.ordinal
      LIMIT $3)
    SELECT r.document_id, r.ordinal, r.document_version, d.title, r.content, r.score::float8 AS score
    FROM ranked r
    JOIN ${schema}.documents d ON d.tenant_id = $1 AND d.id = r.document_id
    ORDER BY r.score DESC, r.document_id, r.ordinal`;
}
