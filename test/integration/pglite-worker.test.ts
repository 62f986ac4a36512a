// The embedded PGlite on its worker thread: a heavy statement leaves the main thread's event loop free, a
// transaction's statements are never interleaved with another caller's (a 'first' one only goes ahead of those
// still waiting), a throwing transaction rolls back, errors keep their SQLSTATE, and a closed or dead worker
// rejects what waits instead of hanging.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPGlite, startPGliteWorker } from '../../subgraph/retrieval/store/pglite-database';
import { connectPGliteWorker } from '../../subgraph/retrieval/store/pglite-worker-client';
import type { SqlDatabase } from '../../subgraph/retrieval/store/sql';
import { PGLITE_TEMPLATE_VARIABLE } from '../support/pglite-template';
import { rejectionOf } from '../support/rejection';

/**
 * The run's bare PGlite template (initdb only, made by jest's global setup), when it has one: an in-memory
 * database opens from it instead of running initdb, most of an open's time. Nothing here is about initdb (a
 * data folder's first open below still runs it).
 */
const TEMPLATE = process.env[PGLITE_TEMPLATE_VARIABLE];

/** A promise with its resolve function: a transaction says through it that it has begun. */
function signal(): { given: Promise<void>; give: () => void } {
  let give: () => void = () => undefined;
  const given = new Promise<void>((resolve) => (give = resolve));
  return { given, give };
}

/** Several round trips inside the transaction, so a statement queued behind it has every chance to cut in. */
async function roundTrips(tx: Pick<SqlDatabase, 'query'>, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await tx.query('SELECT $1::int AS i', [i]);
}

// CPU work inside PostgreSQL for a fixed wall time (hashing in a loop), whatever the machine's speed.
const HEAVY_MS = 700;
const HEAVY_STATEMENT = `DO $$ BEGIN
  WHILE clock_timestamp() < statement_timestamp() + interval '${HEAVY_MS} milliseconds' LOOP
    PERFORM md5(random()::text);
  END LOOP;
END $$`;

/** The same, for 30 ms: long enough that every message is sent while the first of a backlog still runs. */
const SHORT_HEAVY_STATEMENT = HEAVY_STATEMENT.replace(`'${HEAVY_MS} milliseconds'`, "'30 milliseconds'");

describe('PGlite on a worker thread', () => {
  let db: SqlDatabase;

  beforeAll(async () => {
    db = await openPGlite(undefined, TEMPLATE);
    await db.exec(`CREATE EXTENSION IF NOT EXISTS vector;
      CREATE TABLE notes (id text PRIMARY KEY, state text NOT NULL)`);
  });

  afterAll(async () => {
    await db?.close();
  });

  beforeEach(async () => {
    await db.query('DELETE FROM notes');
  });

  it('keeps the main event loop responsive while a heavy statement runs', async () => {
    const gaps: number[] = [];
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 5);
    const started = performance.now();
    try {
      await db.query(HEAVY_STATEMENT);
    } finally {
      clearInterval(ticker);
    }
    const took = performance.now() - started;
    // The time since the last tick counts too: a loop blocked for the whole statement has no tick at all.
    gaps.push(performance.now() - last);

    expect(took).toBeGreaterThan(500);
    expect(Math.max(...gaps)).toBeLessThan(100);
  });

  it("queues a concurrent read behind an open transaction: it sees the committed state, never the transaction's", async () => {
    const events: string[] = [];
    let read: Promise<{ rows: { state: string }[] }> | undefined;
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO notes VALUES ('a', 'draft')");
      read = db.query<{ state: string }>("SELECT state FROM notes WHERE id = 'a'");
      void read.then(() => events.push('read answered'));
      await roundTrips(tx, 5);
      await tx.query("UPDATE notes SET state = 'final' WHERE id = 'a'");
      events.push('transaction about to commit');
    });
    events.push('committed');

    expect((await read!).rows).toEqual([{ state: 'final' }]);
    expect(events).toEqual(['transaction about to commit', 'committed', 'read answered']);
  });

  it('runs queued callers in arrival order, each transaction whole', async () => {
    const order: string[] = [];
    const first = db.transaction(async (tx) => {
      await tx.query("INSERT INTO notes VALUES ('t1', 'one')");
      await roundTrips(tx, 5);
      await tx.query("UPDATE notes SET state = 'one-final' WHERE id = 't1'");
      order.push('t1 done');
    });
    // Sent while the first transaction is still beginning: both wait behind it, in this order.
    const second = db.transaction(async (tx) => {
      const { rows } = await tx.query<{ state: string }>("SELECT state FROM notes WHERE id = 't1'");
      order.push(`t2 saw ${rows[0]?.state}`);
      await roundTrips(tx, 5);
      await tx.query("INSERT INTO notes VALUES ('t2', 'two')");
    });
    const read = db.query<{ n: number }>('SELECT count(*)::int AS n FROM notes').then(({ rows }) => {
      order.push(`read saw ${rows[0]?.n}`);
    });
    await Promise.all([first, second, read]);

    expect(order).toEqual(['t1 done', 't2 saw one-final', 'read saw 2']);
  });

  it("begins a 'first' transaction ahead of the waiting callers, never inside the running one", async () => {
    const order: string[] = [];
    let begun = () => {};
    const runningBegun = new Promise<void>((resolve) => (begun = resolve));
    const running = db.transaction(async (tx) => {
      await tx.query("INSERT INTO notes VALUES ('r', 'running')");
      begun();
      await roundTrips(tx, 5);
      order.push('running done');
    });
    // The rest are sent once it runs: a transaction still waiting for its turn is one a 'first' may pass, and
    // the worker may not have taken it up yet (it reads new messages between tasks, in its own time).
    await runningBegun;
    const waiting = db.transaction(async (tx) => {
      await tx.query('SELECT 1');
      order.push('waiting transaction');
    });
    const read = db.query('SELECT 1').then(() => order.push('waiting read'));
    const urgent = [1, 2].map((n) =>
      db.transaction(
        async (tx) => {
          const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM notes');
          order.push(`first ${n} saw ${rows[0]?.n}`);
        },
        'read-write',
        'first',
      ),
    );
    await Promise.all([running, waiting, read, ...urgent]);

    expect(order).toEqual([
      'running done',
      'first 1 saw 1',
      'first 2 saw 1',
      'waiting transaction',
      'waiting read',
    ]);
  });

  // PGlite never yields to its thread's event loop, so the worker used to read a message only once everything
  // queued before it had run: a 'first' batch sent behind a backlog of plain statements waited for all of them.
  it("runs a 'first' batch sent behind a backlog of statements ahead of that backlog", async () => {
    const order: string[] = [];
    const backlog = Array.from({ length: 8 }, (_, n) =>
      db.query(SHORT_HEAVY_STATEMENT).then(() => order.push(`queued ${n}`)),
    );
    const urgent = db.batch([{ text: 'SELECT 1' }], 'first').then(() => order.push('first batch'));
    await Promise.all([...backlog, urgent]);

    // Behind at most the statement running when it arrived (and any read in the same turn), not the eight.
    expect(order.indexOf('first batch')).toBeLessThanOrEqual(2);
    expect(order.filter((entry) => entry.startsWith('queued'))).toEqual(
      Array.from({ length: 8 }, (_, n) => `queued ${n}`),
    );
  });

  it('holds the statements of a transaction whose BEGIN waits in the queue, and runs them in it once it opens', async () => {
    const holding = signal();
    const release = signal();
    const running = db.transaction(async (tx) => {
      await tx.query("INSERT INTO notes VALUES ('held', 'first')");
      holding.give();
      await release.given;
    });
    await holding.given;
    // Its BEGIN waits behind the open transaction; its statements are sent at once, without waiting for it.
    const waiting = db.transaction(async (tx) => {
      await tx.query("INSERT INTO notes VALUES ('later', 'second')");
      const [seen] = await tx.batch([{ text: 'SELECT count(*)::int AS n FROM notes' }]);
      return seen?.rows;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Not run yet: the open transaction still holds the one connection.
    expect(
      (await rejectionOf(Promise.race([waiting, Promise.reject(new Error('still waiting'))]))).message,
    ).toBe('still waiting');
    release.give();
    await running;
    expect(await waiting).toEqual([{ n: 2 }]);
    const { rows } = await db.query<{ id: string }>('SELECT id FROM notes ORDER BY id');
    expect(rows).toEqual([{ id: 'held' }, { id: 'later' }]);
  });

  it('runs a batch in one transaction, answering each statement, and rolls all of it back when one fails', async () => {
    const results = await db.batch([
      { text: "INSERT INTO notes VALUES ('b1', 'one') RETURNING id" },
      { text: 'SELECT count(*)::int AS n FROM notes WHERE id = $1', params: ['b1'] },
    ]);
    expect(results.map((result) => result.rows)).toEqual([[{ id: 'b1' }], [{ n: 1 }]]);

    const failed = await rejectionOf(
      db.batch([
        { text: "INSERT INTO notes VALUES ('b2', 'two')" },
        { text: "INSERT INTO notes VALUES ('b1', 'again')" },
      ]),
    );
    expect(failed.code).toBe('23505');
    const { rows } = await db.query<{ id: string }>('SELECT id FROM notes ORDER BY id');
    expect(rows).toEqual([{ id: 'b1' }]);
  });

  it('rolls back a transaction whose work throws, rejecting with that error, and serves the next caller', async () => {
    const failure = new Error('work failed after writing');
    const rejected = await rejectionOf(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO notes VALUES ('gone', 'never committed')");
        throw failure;
      }),
    );

    expect(rejected).toBe(failure);
    expect((await db.query('SELECT * FROM notes')).rows).toEqual([]);
    await db.transaction((tx) => tx.query("INSERT INTO notes VALUES ('kept', 'committed')"));
    expect((await db.query('SELECT id FROM notes')).rows).toEqual([{ id: 'kept' }]);
  });

  it('rejects with a real Error keeping the message, SQLSTATE code and server fields, in and out of transactions', async () => {
    const cast = await rejectionOf(db.query('SELECT $1::int', ['not a number']));
    expect(cast).toBeInstanceOf(Error);
    expect(cast.message).toBe('invalid input syntax for type integer: "not a number"');
    expect(cast).toMatchObject({ code: '22P02', severity: 'ERROR', routine: expect.any(String) });

    await db.query("INSERT INTO notes VALUES ('dup', 'first')");
    const duplicate = await rejectionOf(
      db.transaction((tx) => tx.query("INSERT INTO notes VALUES ('dup', 'second')")),
    );
    expect(duplicate).toBeInstanceOf(Error);
    expect(duplicate).toMatchObject({ code: '23505', table: 'notes', constraint: 'notes_pkey' });
    expect((await db.query('SELECT state FROM notes')).rows).toEqual([{ state: 'first' }]);
  });

  it('returns rows with the values PGlite parses: bigint, numeric text, json, dates, bytes, vectors as text', async () => {
    const { rows } = await db.query(
      `SELECT 9007199254740993::int8 AS big, 7::int8 AS small, 1.50::numeric AS amount, '{"a":[1]}'::jsonb AS doc,
         $1::timestamptz AS at, $2::bytea AS bytes, '[1,2,3]'::vector AS embedding, ARRAY['x','y'] AS tags`,
      [new Date('2024-02-03T04:05:06Z'), new Uint8Array([1, 2])],
    );

    expect(rows).toEqual([
      {
        big: 9007199254740993n,
        small: 7,
        amount: '1.50',
        doc: { a: [1] },
        at: new Date('2024-02-03T04:05:06Z'),
        bytes: new Uint8Array([1, 2]),
        embedding: '[1,2,3]',
        tags: ['x', 'y'],
      },
    ]);
    expect(Array.isArray(rows)).toBe(true);
  });
});

describe('PGlite worker shutdown', () => {
  it('close rolls back the open transaction, rejects queued calls with a clear error, and every later call', async () => {
    const db = await openPGlite(undefined, TEMPLATE);
    await db.exec('CREATE TABLE notes (id text PRIMARY KEY)');
    const begun = signal();
    const transaction = db.transaction(async (tx) => {
      await tx.query("INSERT INTO notes VALUES ('uncommitted')");
      begun.give();
      // Busy in the transaction until the close ends it.
      await roundTrips(tx, 1_000_000);
    });
    await begun.given;
    // Their rejections are taken at once, so none is unhandled while the close runs.
    const queued = [rejectionOf(db.query('SELECT 1')), rejectionOf(db.exec('SELECT 2'))];
    const transactionEnd = rejectionOf(transaction);

    await db.close();

    for (const rejection of queued) expect((await rejection).message).toBe('the PGlite database is closed');
    expect((await transactionEnd).message).toBe('the PGlite database is closed');
    expect((await rejectionOf(db.query('SELECT 1'))).message).toBe('the PGlite database is closed');
    await expect(db.close()).resolves.toBeUndefined();
  });

  it('keeps what a closed database committed in its folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pglite-worker-'));
    try {
      const first = await openPGlite(dataDir);
      await first.exec("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')");
      await first.close();
      const second = await openPGlite(dataDir);
      try {
        expect((await second.query('SELECT note FROM kept')).rows).toEqual([{ note: 'still here' }]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a worker that dies rejects the calls in flight and every later one, instead of hanging', async () => {
    const worker = startPGliteWorker(undefined, TEMPLATE);
    const db = await connectPGliteWorker(worker);
    const inFlight = rejectionOf(db.query(HEAVY_STATEMENT));

    await worker.terminate();

    expect((await inFlight).message).toMatch(/^the PGlite worker stopped \(exit code \d+\)$/);
    expect((await rejectionOf(db.query('SELECT 1'))).message).toMatch(/^the PGlite worker stopped/);
    expect((await rejectionOf(db.transaction(async () => undefined))).message).toMatch(/worker stopped/);
    await expect(db.close()).resolves.toBeUndefined();
  });
});
