// Migration 003 (BM25) on a database that already holds documents: the columns BM25 reads are computed for
// the rows stored before it (term counts, stemmed titles, the postings of every chunk), on both backends, so an upgraded store ranks its old documents by BM25.
import { createDocumentStore } from '../../subgraph/retrieval/store/document-store';
import { loadMigrations, migrate } from '../../subgraph/retrieval/store/migrate';
import { openPostgres } from '../../subgraph/retrieval/store/pg-database';
import { openPGlite } from '../../subgraph/retrieval/store/pglite-database';
import type { SqlDatabase } from '../../subgraph/retrieval/store/sql';
import { migrateBefore } from '../support/migrations';
import { requirePostgres } from '../support/services';
import { DEFAULT_APP_ROLE, dropPostgresSchema, POSTGRES_URL, uniqueSchemaName } from '../support/stores';

requirePostgres();

const BM25_MIGRATION = 3;

describe.each([
  ['pglite', () => openPGlite(undefined), async () => undefined],
  ['postgres', async () => openPostgres(POSTGRES_URL, 2), (schema: string) => dropPostgresSchema(schema)],
] as const)('migration 003 on %s', (_backend, open, drop) => {
  const target = { schema: uniqueSchemaName('m'), appRole: DEFAULT_APP_ROLE };
  let db: SqlDatabase;

  beforeAll(async () => {
    db = await open();
  });

  afterAll(async () => {
    await db?.close();
    await drop(target.schema);
  });

  it('computes term counts, stemmed titles and postings for documents stored before it, so they rank by BM25', async () => {
    await migrateBefore(db, target, BM25_MIGRATION);
    await db.query(
      `INSERT INTO ${target.schema}.documents (tenant_id, id, title, body) VALUES
         ('old', 'a', 'Lighthouses', 'x'), ('old', 'b', 'Harbours', 'x')`,
    );
    await db.query(
      `INSERT INTO ${target.schema}.chunks (tenant_id, document_id, ordinal, document_version, content) VALUES
         ('old', 'a', 0, 1, 'The keepers kept the lamps burning.'), ('old', 'b', 0, 1, 'Boats moor in the harbour.')`,
    );

    const report = await migrate(db, target);
    // A migration that waits for an extension this server lacks (pgvector) is the only one left out.
    const waiting = new Set(report.skipped.map((m) => m.name));
    expect(report.applied).toEqual(
      loadMigrations(target)
        .filter((m) => m.version >= BM25_MIGRATION && !waiting.has(m.name))
        .map((m) => m.name),
    );
    const counts = await db.query<{ document_id: string; term_count: number }>(
      `SELECT document_id, term_count FROM ${target.schema}.chunks ORDER BY document_id`,
    );
    // "keepers kept lamps burning" and "boats moor harbour": stopwords are not terms.
    expect(counts.rows).toEqual([
      { document_id: 'a', term_count: 4 },
      { document_id: 'b', term_count: 3 },
    ]);

    const store = createDocumentStore(db, target);
    // 'lighthouse' is only in a's title: it matches through the title column the migration filled in.
    const hits = await store.searchLexical('old', 'lighthouse keeper', 10);
    expect(hits.map((hit) => hit.documentId)).toEqual(['a']);
    expect(hits[0]?.score).toBeGreaterThan(0);
    // 'moor' is only in b's text: found through the postings the migration wrote for the existing chunk.
    expect((await store.searchLexical('old', 'mooring', 10)).map((hit) => hit.documentId)).toEqual(['b']);
  });
});
