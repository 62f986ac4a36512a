// `exec` runs pg-boss's locked scripts (BEGIN; …; COMMIT) as well as migrations: a script that fails midway
// must leave no transaction open on its connection, or the next caller's statements would fail ("current
// transaction is aborted") or, worse, join it. One connection on each store, so the next call surely reuses it.
import { openPostgres } from '../../subgraph/retrieval/store/pg-database';
import { openPGlite } from '../../subgraph/retrieval/store/pglite-database';
import type { SqlDatabase } from '../../subgraph/retrieval/store/sql';
import { requirePostgres } from '../support/services';
import { BACKENDS, dropPostgresSchema, POSTGRES_URL, uniqueSchemaName } from '../support/stores';

describe.each(BACKENDS)('a failing script on %s', (backend) => {
  let db: SqlDatabase;
  const schema = uniqueSchemaName('exec');

  beforeAll(async () => {
    if (backend === 'postgres') requirePostgres();
    db =
      backend === 'postgres'
        ? openPostgres(POSTGRES_URL, { poolSize: 1, preparedStatements: true })
        : await openPGlite(undefined);
    await db.exec(`CREATE SCHEMA ${schema}`);
  });
  afterAll(async () => {
    await db?.close();
    if (backend === 'postgres') await dropPostgresSchema(schema);
  });

  it('is rolled back whole, and the connection serves the next caller outside any transaction', async () => {
    await expect(
      db.exec(`BEGIN; CREATE TABLE ${schema}.half (a int); SELECT 1 / 0; COMMIT;`),
    ).rejects.toThrow(/division by zero/);
    // An aborted transaction left open would refuse this statement ("current transaction is aborted").
    const next = await db.query<{ exists: string | null }>(
      `SELECT to_regclass('${schema}.half')::text AS exists`,
    );
    expect(next.rows).toEqual([{ exists: null }]);
    await db.exec(`BEGIN; CREATE TABLE ${schema}.whole (a int); COMMIT;`);
    const kept = await db.query<{ exists: string | null }>(
      `SELECT to_regclass('${schema}.whole')::text AS exists`,
    );
    expect(kept.rows).toEqual([{ exists: `${schema}.whole` }]);
  });
});
