// Migration 015 on a database whose term_stats already holds the rows migration 004's trigger left at df = 0
// (the terms of deleted and replaced texts), on both backends: it deletes them, of every tenant, and keeps the
// rest; after it, the trigger deletes a row as it reaches 0, as the app role the store deletes chunks as.
import { createDocumentStore } from '../../subgraph/retrieval/store/document-store';
import { migrate } from '../../subgraph/retrieval/store/migrate';
import type { SqlDatabase } from '../../subgraph/retrieval/store/sql';
import { inTenantScope } from '../../subgraph/retrieval/store/tenant-scope';
import { MIGRATION_BACKENDS, migrateBefore, useMigrationDatabase } from '../support/migrations';
import { requirePostgres } from '../support/services';
import { putChunks } from '../support/stores';

requirePostgres();

const TERM_STATS_CLEANUP_MIGRATION = 15;

describe.each(MIGRATION_BACKENDS)('migration 015 on %s', (_backend, open, drop) => {
  const { target, db: database } = useMigrationDatabase(open, drop);
  let db: SqlDatabase;
  beforeAll(() => {
    db = database();
  });

  /** The tenant's term_stats rows, read as the tenant (row level security and all). */
  const termsOf = (tenantId: string) =>
    inTenantScope(db, target.appRole, tenantId, async (tx) => {
      const result = await tx.query<{ lexeme: string; df: string }>(
        `SELECT lexeme, df FROM ${target.schema}.term_stats ORDER BY lexeme`,
      );
      return Object.fromEntries(result.rows.map((row) => [row.lexeme, Number(row.df)]));
    });

  it('deletes the rows left at df = 0, of every tenant, and the trigger deletes them from then on', async () => {
    await migrateBefore(db, target, TERM_STATS_CLEANUP_MIGRATION);
    // As the trigger of that release left them: the terms of deleted texts at 0, beside terms still in use.
    for (const tenantId of ['one', 'two']) {
      await inTenantScope(db, target.appRole, tenantId, (tx) =>
        tx.query(
          `INSERT INTO ${target.schema}.term_stats (tenant_id, lexeme, df)
             VALUES ($1, 'quokka', 0), ($1, 'sleep', 1), ($1, 'wombat', 1)`,
          [tenantId],
        ),
      );
    }

    const report = await migrate(db, target);
    expect(report.applied).toContain('015_term_stats_cleanup.sql');
    for (const tenantId of ['one', 'two']) expect(await termsOf(tenantId)).toEqual({ sleep: 1, wombat: 1 });

    // Through the store, as the app role: a deleted document's terms go, and only the tenant's.
    const store = createDocumentStore(db, target);
    await putChunks(store, 'one', { id: 'a', title: 'T', body: 'x' }, 'the numbat sleeps');
    expect(await termsOf('one')).toEqual({ numbat: 1, sleep: 2, wombat: 1 });
    expect(await store.deleteDocument('one', 'a')).toBe(true);
    expect(await termsOf('one')).toEqual({ sleep: 1, wombat: 1 });
    expect(await termsOf('two')).toEqual({ sleep: 1, wombat: 1 });
  });
});
