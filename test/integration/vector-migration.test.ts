// A database without pgvector still opens, lexical only, and says why; the vector migration stays pending
// until the extension is there, then the next start applies it. On the suites' PostgreSQL, which has no
// pgvector, and on PGlite with migrations of a temporary folder for the runner's `-- requires:` rule.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SemanticSearchUnavailableError } from '../../subgraph/errors/semantic-unavailable-error';
import { loadMigrations, migrate, requiredExtensions } from '../../subgraph/retrieval/store/migrate';
import { openPGlite } from '../../subgraph/retrieval/store/pglite-database';
import { chunksOf, openTestStore } from '../support/stores';
import type { TestStore } from '../support/stores';
import { requirePostgres } from '../support/services';
import { rejectionOf } from '../support/rejection';

requirePostgres();

const VECTOR_MIGRATION = '006_vectors.sql';

describe('the store on PostgreSQL without pgvector', () => {
  let handle: TestStore;

  beforeAll(async () => {
    handle = await openTestStore('postgres');
  });

  afterAll(async () => {
    await handle?.dispose();
  });

  const recorded = async () =>
    (
      await handle.current.db.query<{ name: string }>(
        `SELECT name FROM ${handle.schema}.schema_migrations ORDER BY version`,
      )
    ).rows.map((row) => row.name);

  it('opens with semantic search unavailable and a reason naming the missing extension', async () => {
    expect(handle.current.documents.semantic.available).toBe(false);
    expect(handle.current.documents.semantic.reason).toMatch(/extension "vector" \(pgvector\)/);
    expect(handle.current.documents.semantic.reason).toContain(VECTOR_MIGRATION);
    expect(handle.current.semantic).toEqual(handle.current.documents.semantic);
    expect(handle.current.migrationsPending).toEqual([
      { name: VECTOR_MIGRATION, missingExtensions: ['vector'] },
    ]);
    expect(await recorded()).not.toContain(VECTOR_MIGRATION);
  });

  it('still has the vector migration pending at a later open, unrecorded, so installing pgvector picks it up', async () => {
    const reopened = await handle.reopen();
    expect(reopened.migrationsApplied).toEqual([]);
    expect(reopened.migrationsPending.map((m) => m.name)).toEqual([VECTOR_MIGRATION]);
    expect(reopened.documents.semantic.available).toBe(false);
    expect(await recorded()).not.toContain(VECTOR_MIGRATION);
  });

  it('refuses semantic search and vector writes with a typed error carrying the reason', async () => {
    const documents = handle.current.documents;
    const search = await rejectionOf(documents.searchSemantic('t', { model: 'm', vector: [1, 0] }, 5));
    expect(SemanticSearchUnavailableError.isInstance(search)).toBe(true);
    expect(search.reason).toBe(documents.semantic.reason);
    const write = await rejectionOf(documents.putEmbeddings('t', 'd', 1, 'm', [[1, 0]]));
    expect(SemanticSearchUnavailableError.isInstance(write)).toBe(true);
  });

  it('stores a document ingested with vectors as not embedded, searchable lexically and listed for the sweep', async () => {
    const documents = handle.current.documents;
    await documents.putDocument(
      'lex',
      { id: 'd', title: 'Harbour', body: 'x' },
      chunksOf('Boats moor here.'),
      {
        model: 'm',
        vectors: [[1, 0]],
      },
    );
    expect((await documents.searchLexical('lex', 'mooring boats', 5)).map((hit) => hit.chunkId)).toEqual([
      'd#0',
    ]);
    const pending = await documents.pendingEmbedding('m', 100);
    expect(pending).toContainEqual({ tenantId: 'lex', documentId: 'd' });
  });

  it('a small tenant beside a large one gets its own 10 lexical hits, though the large one matches better', async () => {
    const documents = handle.current.documents;
    for (let d = 0; d < 20; d += 1) {
      const texts = Array.from(
        { length: 100 },
        (_, i) => `Lighthouse keeper lamp lighthouse keeper ${d}-${i}.`,
      );
      await documents.putDocument(
        'big',
        { id: `b-${d}`, title: 'Lighthouse', body: 'x' },
        chunksOf(...texts),
      );
    }
    const texts = Array.from(
      { length: 20 },
      (_, i) => `Notes on the old keeper, entry ${i}, and the weather.`,
    );
    await documents.putDocument('small', { id: 'a', title: 'Notes', body: 'x' }, chunksOf(...texts));

    const hits = await documents.searchLexical('small', 'lighthouse keeper lamp', 10);
    expect(hits).toHaveLength(10);
    expect(hits.every((hit) => hit.documentId === 'a')).toBe(true);
  });
});

describe('the migration runner’s -- requires: rule (PGlite, migrations of a temporary folder)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ai-migrations-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the extensions of the opening comment block only', () => {
    expect(requiredExtensions('-- requires: vector\n-- about it\nCREATE TABLE t (id int);\n')).toEqual([
      'vector',
    ]);
    expect(requiredExtensions('-- about\n-- requires: a, b\nSELECT 1;\n-- requires: c\n')).toEqual([
      'a',
      'b',
    ]);
    expect(requiredExtensions('SELECT 1;\n-- requires: vector\n')).toEqual([]);
    const shipped = loadMigrations({ schema: 's', appRole: 'r' });
    expect(shipped.filter((m) => m.requires.length > 0).map((m) => [m.name, m.requires])).toEqual([
      [VECTOR_MIGRATION, ['vector']],
    ]);
  });

  it('skips a migration whose extension is missing without recording it, runs the later ones, and applies it once the extension is there', async () => {
    const target = { schema: 'runner', appRole: 'runner_app' };
    writeFileSync(join(dir, '001_first.sql'), 'CREATE TABLE {{schema}}.first (id int);\n');
    const conditional = (extension: string) =>
      `-- requires: ${extension}\nCREATE EXTENSION IF NOT EXISTS ${extension};\nCREATE TABLE {{schema}}.second (v vector(2));\n`;
    writeFileSync(join(dir, '002_second.sql'), conditional('no_such_extension'));
    writeFileSync(join(dir, '003_third.sql'), 'CREATE TABLE {{schema}}.third (id int);\n');
    const db = await openPGlite(undefined);
    try {
      const first = await migrate(db, target, dir);
      expect(first).toEqual({
        applied: ['001_first.sql', '003_third.sql'],
        skipped: [{ name: '002_second.sql', missingExtensions: ['no_such_extension'] }],
      });
      // The extension "installed": the same migration now names one the database offers.
      writeFileSync(join(dir, '002_second.sql'), conditional('vector'));
      expect(await migrate(db, target, dir)).toEqual({ applied: ['002_second.sql'], skipped: [] });
      const versions = await db.query<{ version: number }>(
        'SELECT version FROM runner.schema_migrations ORDER BY version',
      );
      expect(versions.rows.map((row) => row.version)).toEqual([1, 2, 3]);
      expect(await migrate(db, target, dir)).toEqual({ applied: [], skipped: [] });
    } finally {
      await db.close();
    }
  });
});
