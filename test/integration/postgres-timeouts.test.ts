// PostgreSQL that stops answering (a stalled proxy, a host a failover blackholed) must fail the statements sent
// to it, not hold their callers (a request, the job runner) for ever: a statement gets DATABASE_QUERY_TIMEOUT_MS
// to be answered and its connection is then dropped, so the pool serves again once the server does; opening a
// connection gets DATABASE_CONNECT_TIMEOUT_MS; every connection has TCP keepalive. A schema change (migrations,
// index builds, under the migration lock) may run as long as the data needs: its statements are not bounded.
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { loadConfig } from '../../subgraph/config';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_QUERY_TIMEOUT_MS,
  openPostgres,
  poolConfig,
} from '../../subgraph/retrieval/store/pg-database';
import type { SqlDatabase } from '../../subgraph/retrieval/store/sql';
import { requirePostgres } from '../support/services';
import { startStallingProxy } from '../support/stalling-proxy';
import type { StallingProxy } from '../support/stalling-proxy';
import { POSTGRES_URL } from '../support/stores';

jest.setTimeout(30_000);
requirePostgres();

const QUERY_TIMEOUT_MS = 400;
/** Far past the timeout: the old code never answered, so the test ends here instead of at jest's timeout. */
const GIVE_UP_MS = 5_000;

/** How `work` ended and after how long; 'pending' when it had not within GIVE_UP_MS. */
async function outcomeOf(work: Promise<unknown>): Promise<{ ended: string; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([
    work.then(
      () => 'answered',
      (error: unknown) => `failed: ${error instanceof Error ? error.message : String(error)}`,
    ),
    new Promise<string>((resolve) => (timer = setTimeout(resolve, GIVE_UP_MS, 'pending'))),
  ]);
  clearTimeout(timer);
  return { ended, ms: performance.now() - started };
}

function throughProxy(proxy: StallingProxy): string {
  const url = new URL(POSTGRES_URL);
  url.host = `127.0.0.1:${proxy.port}`;
  return url.toString();
}

describe('a PostgreSQL server that stops answering', () => {
  let proxy: StallingProxy;
  let db: SqlDatabase;

  beforeEach(async () => {
    const { hostname, port } = new URL(POSTGRES_URL);
    proxy = await startStallingProxy({ host: hostname, port: Number(port || 5432) });
    db = openPostgres(throughProxy(proxy), {
      poolSize: 1,
      preparedStatements: true,
      queryTimeoutMs: QUERY_TIMEOUT_MS,
    });
    expect((await db.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
  });

  afterEach(async () => {
    proxy.cut();
    await db.close().catch(() => undefined);
    await proxy.close();
  });

  it('fails a query within the query timeout, and the pool answers again once the server does', async () => {
    proxy.stall();
    const stalled = await outcomeOf(db.query('SELECT 2 AS x'));
    expect(stalled.ended).toBe('failed: Query read timeout');
    expect(stalled.ms).toBeLessThan(QUERY_TIMEOUT_MS + 1_000);
    proxy.cut();
    // The timed-out connection was dropped: the pool opens a fresh one through the proxy, which passes again.
    expect((await db.query('SELECT 3 AS x')).rows).toEqual([{ x: 3 }]);
  });

  // The proxy stalls the connections it holds (a new one would pass): each case uses the pool's one connection.
  it.each([
    ['a transaction', (db: SqlDatabase) => db.transaction((tx) => tx.query('SELECT 4 AS x'))],
    ['a batch', (db: SqlDatabase) => db.batch([{ text: 'SELECT 5 AS x' }])],
    ['a script', (db: SqlDatabase) => db.exec('SELECT 6')],
  ])('fails %s within the query timeout and drops its connection', async (_, work) => {
    proxy.stall();
    const outcome = await outcomeOf(work(db));
    expect(outcome.ended).toMatch(/^failed: /);
    expect(outcome.ms).toBeLessThan(QUERY_TIMEOUT_MS + 1_000);
    proxy.cut();
    const rows = await db.transaction((tx) => tx.query('SELECT 7 AS x'));
    expect(rows.rows).toEqual([{ x: 7 }]);
  });
});

// A connection that ends while a caller holds it (a statement timed out and node-postgres destroyed its socket,
// the server restarted mid-transaction) makes its client emit 'error'. The pool listens only while a client is
// idle: with no listener on a checked-out client, that event was thrown and stopped the process.
describe('a connection that drops while a transaction holds it', () => {
  let proxy: StallingProxy;
  let db: SqlDatabase;

  beforeEach(async () => {
    const { hostname, port } = new URL(POSTGRES_URL);
    proxy = await startStallingProxy({ host: hostname, port: Number(port || 5432) });
    db = openPostgres(throughProxy(proxy), { poolSize: 1, preparedStatements: true });
  });

  afterEach(async () => {
    await db.close().catch(() => undefined);
    await proxy.close();
  });

  it('fails that transaction and leaves the process running, and the pool serves the next one', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const dropped = db.transaction(async (tx) => {
        await tx.query('SELECT 1 AS x');
        proxy.cut();
        // The socket's end arrives while the transaction still holds the connection.
        await new Promise((resolve) => setTimeout(resolve, 100));
        return tx.query('SELECT 2 AS x');
      });
      await expect(dropped).rejects.toThrow(/Connection terminated|not queryable/);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
    expect((await db.query('SELECT 3 AS x')).rows).toEqual([{ x: 3 }]);
  });
});

describe('the query timeout on a server that answers', () => {
  let db: SqlDatabase;

  beforeAll(() => {
    db = openPostgres(POSTGRES_URL, {
      poolSize: 1,
      preparedStatements: true,
      queryTimeoutMs: QUERY_TIMEOUT_MS,
    });
  });
  afterAll(() => db?.close());

  it('fails a statement slower than it, and the connection pool serves the next one', async () => {
    const slow = await outcomeOf(db.transaction((tx) => tx.query('SELECT pg_sleep(1.5)')));
    expect(slow.ended).toBe('failed: Query read timeout');
    expect((await db.query('SELECT 7 AS x')).rows).toEqual([{ x: 7 }]);
  });

  it('leaves every statement of a schema change (under the migration lock) unbounded', async () => {
    const migration = db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['ai-subgraph-migrate:timeouts-test']);
      await tx.query('SELECT pg_sleep(1.5)');
      return tx.query('SELECT 8 AS x');
    });
    expect((await migration).rows).toEqual([{ x: 8 }]);
  });
});

describe('opening a connection to a server that accepts and never answers', () => {
  let silent: Server;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('fails within the connect timeout', async () => {
    const { port } = silent.address() as AddressInfo;
    const db = openPostgres(`postgresql://nobody@127.0.0.1:${port}/test`, {
      poolSize: 1,
      preparedStatements: true,
      connectTimeoutMs: 300,
    });
    try {
      const outcome = await outcomeOf(db.query('SELECT 1'));
      expect(outcome.ended).toMatch(/^failed: /);
      expect(outcome.ms).toBeLessThan(2_000);
    } finally {
      await db.close().catch(() => undefined);
    }
  });
});

describe('the pool settings', () => {
  it('keep TCP keepalive on, and take their defaults and DATABASE_* variables', () => {
    const defaults = poolConfig(POSTGRES_URL, { poolSize: 3, preparedStatements: true });
    expect(defaults).toMatchObject({
      max: 3,
      keepAlive: true,
      connectionTimeoutMillis: DEFAULT_CONNECT_TIMEOUT_MS,
    });
    expect(DEFAULT_QUERY_TIMEOUT_MS).toBeGreaterThanOrEqual(60_000);
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_CONNECT_TIMEOUT_MS: '2500',
      DATABASE_QUERY_TIMEOUT_MS: '0',
    });
    expect(config.store).toMatchObject({ connectTimeoutMs: 2_500, queryTimeoutMs: 0 });
    expect(loadConfig({ NODE_ENV: 'test' }).store).toMatchObject({
      connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
      queryTimeoutMs: DEFAULT_QUERY_TIMEOUT_MS,
    });
  });
});
