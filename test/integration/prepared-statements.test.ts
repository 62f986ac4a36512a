// Statements run more than once are prepared under a name on both stores (pglite-statements.mjs on PGlite's
// thread, prepared-names.ts on the pool), so the server parses and plans them once. What a caller sees must not
// change: the same rows and types, the same errors, and a later call still answers after a failure, a rolled
// back transaction, or a migration that changed what a prepared statement returns.
import { openPostgres } from '../../subgraph/retrieval/store/pg-database';
import { openPGlite } from '../../subgraph/retrieval/store/pglite-database';
import { NAMED_CAPACITY } from '../../subgraph/retrieval/store/prepared-names';
import type { SqlDatabase } from '../../subgraph/retrieval/store/sql';
import { requirePostgres } from '../support/services';
import { BACKENDS, dropPostgresSchema, POSTGRES_URL, uniqueSchemaName } from '../support/stores';
import { rejectionOf } from '../support/rejection';

/** One connection on PostgreSQL: pg_prepared_statements is per session, and every call below shares it. */
const open = async (backend: string, preparedStatements = true): Promise<SqlDatabase> =>
  backend === 'postgres'
    ? openPostgres(POSTGRES_URL, { poolSize: 1, preparedStatements })
    : openPGlite(undefined);

async function preparedTexts(db: SqlDatabase): Promise<string[]> {
  const { rows } = await db.query<{ statement: string }>(
    'SELECT statement FROM pg_prepared_statements WHERE NOT from_sql',
  );
  return rows.map((row) => row.statement);
}

describe.each(BACKENDS)('prepared statements on %s', (backend) => {
  let db: SqlDatabase;
  const schema = uniqueSchemaName('prepared');

  beforeAll(async () => {
    if (backend === 'postgres') requirePostgres();
    db = await open(backend);
    await db.exec(`CREATE SCHEMA ${schema}`);
  });
  afterAll(async () => {
    await db?.close();
    if (backend === 'postgres') await dropPostgresSchema(schema);
  });

  it('prepares a statement on its second call, and it answers as it did unnamed', async () => {
    const text = `SELECT $1::int AS n, $2::jsonb AS doc, $3::timestamptz AS at, $4::text[] AS tags /* ${schema} a */`;
    const params = [7, { nested: [1, 'two'] }, new Date('2026-01-02T03:04:05Z'), ['x', 'y']];
    const answers = [];
    for (let call = 0; call < 3; call += 1) answers.push((await db.query(text, params)).rows);

    expect(answers[0]).toEqual([
      { n: 7, doc: { nested: [1, 'two'] }, at: new Date('2026-01-02T03:04:05Z'), tags: ['x', 'y'] },
    ]);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(await preparedTexts(db)).toContain(text);
  });

  it('leaves a statement run once unprepared', async () => {
    const text = `SELECT 1 AS one /* ${schema} once */`;
    await db.query(text);
    expect(await preparedTexts(db)).not.toContain(text);
  });

  it('a prepared statement that fails rejects with its SQLSTATE, and its next call answers', async () => {
    const text = `SELECT 10 / $1::int AS q /* ${schema} divide */`;
    await db.query(text, [2]);
    await db.query(text, [5]);
    expect(await preparedTexts(db)).toContain(text);

    const failed = await rejectionOf(db.query(text, [0]));
    expect(failed.code).toBe('22012');
    expect((await db.query(text, [1])).rows).toEqual([{ q: 10 }]);
  });

  it('a statement prepared in a transaction that rolled back still serves', async () => {
    const text = `SELECT $1::text || '!' AS shout /* ${schema} rolled back */`;
    const rolledBack = await rejectionOf(
      db.transaction(async (tx) => {
        await tx.query(text, ['a']);
        await tx.query(text, ['b']);
        throw new Error('the work gave up');
      }),
    );
    expect(rolledBack.message).toBe('the work gave up');
    expect((await db.query(text, ['c'])).rows).toEqual([{ shout: 'c!' }]);
    expect((await db.batch([{ text, params: ['d'] }]))[0]?.rows).toEqual([{ shout: 'd!' }]);
  });

  it('a migration that changes what a prepared statement returns costs at most one failed call', async () => {
    const table = `${schema}.notes`;
    await db.exec(`CREATE TABLE ${table} (a int); INSERT INTO ${table} VALUES (1)`);
    const text = `SELECT * FROM ${table}`;
    await db.query(text);
    expect((await db.query(text)).rows).toEqual([{ a: 1 }]);
    expect(await preparedTexts(db)).toContain(text);

    await db.exec(`ALTER TABLE ${table} ADD COLUMN b int NOT NULL DEFAULT 2`);
    // PostgreSQL refuses to run the old plan with the new columns; the statement is then prepared anew.
    const first = await db.query(text).catch((error: Error) => error);
    if (first instanceof Error) expect(first.message).toMatch(/cached plan must not change result type/);
    else expect(first.rows).toEqual([{ a: 1, b: 2 }]);
    expect((await db.query(text)).rows).toEqual([{ a: 1, b: 2 }]);
    expect(await db.transaction(async (tx) => (await tx.query(text)).rows)).toEqual([{ a: 1, b: 2 }]);
  });

  it(`keeps at most ${NAMED_CAPACITY} statements prepared, and every statement still answers`, async () => {
    const texts = Array.from(
      { length: NAMED_CAPACITY + 40 },
      (_, i) => `SELECT ${i} AS i, $1::int AS n /* ${schema} many */`,
    );
    for (const text of texts) for (let call = 0; call < 2; call += 1) await db.query(text, [call]);
    for (const [i, text] of texts.entries()) expect((await db.query(text, [i])).rows).toEqual([{ i, n: i }]);

    expect((await preparedTexts(db)).length).toBeLessThanOrEqual(NAMED_CAPACITY);
  });
});

describe('DATABASE_PREPARED_STATEMENTS=false on PostgreSQL', () => {
  it('sends every statement unnamed', async () => {
    requirePostgres();
    const db = await open('postgres', false);
    try {
      const text = `SELECT $1::int AS n /* unnamed ${uniqueSchemaName('p')} */`;
      for (let call = 0; call < 3; call += 1)
        expect((await db.query(text, [call])).rows).toEqual([{ n: call }]);
      expect(await preparedTexts(db)).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
