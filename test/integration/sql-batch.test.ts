// `batch` runs its statements in one transaction without the caller between them: on PostgreSQL they are
// pipelined (BEGIN, the statements and COMMIT written at once), on PGlite one message to its thread. Either way a
// failure anywhere, the COMMIT included, keeps nothing, rejects with the statement's own error (not "current
// transaction is aborted" from the ones after it), and leaves the one connection ready for the next caller.
import { openPostgres } from '../../subgraph/retrieval/store/pg-database';
import { openPGlite } from '../../subgraph/retrieval/store/pglite-database';
import type { SqlDatabase } from '../../subgraph/retrieval/store/sql';
import { requirePostgres } from '../support/services';
import { BACKENDS, dropPostgresSchema, POSTGRES_URL, uniqueSchemaName } from '../support/stores';
import { rejectionOf } from '../support/rejection';

describe.each(BACKENDS)('a batch on %s', (backend) => {
  let db: SqlDatabase;
  const schema = uniqueSchemaName('batch');
  const notes = `${schema}.notes`;
  const ids = async () =>
    (await db.query<{ id: string }>(`SELECT id FROM ${notes} ORDER BY id`)).rows.map((row) => row.id);

  beforeAll(async () => {
    if (backend === 'postgres') requirePostgres();
    // One connection, so every call below surely reuses the one a failed batch had.
    db =
      backend === 'postgres'
        ? openPostgres(POSTGRES_URL, { poolSize: 1, preparedStatements: true })
        : await openPGlite(undefined);
    await db.exec(`CREATE SCHEMA ${schema};
      CREATE TABLE ${notes} (id text PRIMARY KEY, tag text,
        CONSTRAINT one_per_tag UNIQUE (tag) DEFERRABLE INITIALLY DEFERRED)`);
  });
  afterAll(async () => {
    await db?.close();
    if (backend === 'postgres') await dropPostgresSchema(schema);
  });
  beforeEach(() => db.query(`DELETE FROM ${notes}`));

  it("answers each statement in order, seeing the earlier statements' writes", async () => {
    const results = await db.batch([
      { text: "SELECT set_config('app.note', $1, true) AS note", params: ['kept for the batch'] },
      { text: `INSERT INTO ${notes} VALUES ($1, $2) RETURNING id`, params: ['a', 'x'] },
      { text: `SELECT count(*)::int AS n, current_setting('app.note') AS note FROM ${notes}` },
    ]);

    expect(results.map((result) => result.rows)).toEqual([
      [{ note: 'kept for the batch' }],
      [{ id: 'a' }],
      [{ n: 1, note: 'kept for the batch' }],
    ]);
    // set_config(..., true) ended with the batch's transaction.
    const after = await db.query<{ note: string | null }>("SELECT current_setting('app.note', true) AS note");
    expect(after.rows[0]?.note ?? '').toBe('');
  });

  it('keeps nothing when a statement in the middle fails, and rejects with that statement’s error', async () => {
    await db.query(`INSERT INTO ${notes} VALUES ('taken', 't')`);
    const failed = await rejectionOf(
      db.batch([
        { text: `INSERT INTO ${notes} VALUES ('b', 'y')` },
        { text: `INSERT INTO ${notes} VALUES ('taken', 'z')` },
        { text: `INSERT INTO ${notes} VALUES ('c', 'w')` },
      ]),
    );

    expect(failed.code).toBe('23505');
    expect(failed.message).toMatch(/notes_pkey/);
    expect(await ids()).toEqual(['taken']);
  });

  it('keeps nothing when the COMMIT itself fails (a deferred constraint)', async () => {
    const failed = await rejectionOf(
      db.batch([
        { text: `INSERT INTO ${notes} VALUES ('d', 'same')` },
        { text: `INSERT INTO ${notes} VALUES ('e', 'same')` },
      ]),
    );

    expect(failed.code).toBe('23505');
    expect(failed.message).toMatch(/one_per_tag/);
    expect(await ids()).toEqual([]);
  });

  it('leaves its connection outside any transaction for the next caller, after a failure too', async () => {
    await rejectionOf(db.batch([{ text: 'SELECT 1 / 0' }]));
    // An aborted transaction left open would refuse these ("current transaction is aborted"); an open one would
    // take them in, and a transaction's start time would not move between two statements.
    await db.query(`INSERT INTO ${notes} VALUES ('f', 'v')`);
    const first = await db.query<{ at: string }>('SELECT now()::text AS at');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await db.query<{ at: string }>('SELECT now()::text AS at');
    expect(second.rows[0]?.at).not.toBe(first.rows[0]?.at);
    expect(await ids()).toEqual(['f']);
    const results = await db.batch([{ text: `SELECT count(*)::int AS n FROM ${notes}` }]);
    expect(results[0]?.rows).toEqual([{ n: 1 }]);
  });

  it("inside a transaction, answers each statement seeing the transaction's writes; a failure rolls it all back", async () => {
    const seen = await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${notes} VALUES ('g', 'u')`);
      const [inserted, counted] = await tx.batch([
        { text: `INSERT INTO ${notes} VALUES ($1, $2) RETURNING id`, params: ['h', 's'] },
        { text: `SELECT count(*)::int AS n FROM ${notes}` },
      ]);
      return [inserted?.rows, counted?.rows];
    });
    expect(seen).toEqual([[{ id: 'h' }], [{ n: 2 }]]);

    const failed = await rejectionOf(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${notes} VALUES ('i', 'r')`);
        await tx.batch([
          { text: `INSERT INTO ${notes} VALUES ('j', 'q')` },
          { text: `INSERT INTO ${notes} VALUES ('g', 'p')` },
          { text: `INSERT INTO ${notes} VALUES ('k', 'o')` },
        ]);
      }),
    );
    expect(failed.code).toBe('23505');
    expect(failed.message).toMatch(/notes_pkey/);
    expect(await ids()).toEqual(['g', 'h']);
  });
});
