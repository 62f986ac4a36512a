// A PostgreSQL server through a `pg` pool, used when DATABASE_URL is set. Every wait on the server is bounded
// (DATABASE_CONNECT_TIMEOUT_MS, DATABASE_QUERY_TIMEOUT_MS, TCP keepalive), so a server that stops answering
// fails the calls on it rather than freezing them.
import { Pool } from 'pg';
import type { PoolClient, PoolConfig, QueryConfig, QueryResult } from 'pg';
import { unreachable } from '../../errors/unreachable';
import { preparedNames } from './prepared-names';
import type { PreparedName } from './prepared-names';
import type { SqlDatabase, SqlStatement, TransactionMode } from './sql';

function beginStatement(mode: TransactionMode): string {
  switch (mode) {
    case 'read-write':
      return 'BEGIN';
    case 'read-only-snapshot':
      // Read only, so it never fails to serialize: REPEATABLE READ refuses only conflicting writes.
      return 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
    default:
      return unreachable(mode);
  }
}

const rowsOf = (result: QueryResult) => ({ rows: result.rows as unknown[] });

/** How long a statement may wait for its answer: node-postgres's query_timeout, per statement; 0: unbounded. */
type StatementTimeout = number;

/** node-postgres reads query_timeout from a statement's config too; its types leave it out. */
type BoundedQuery = QueryConfig & { query_timeout?: number };

/**
 * `text` as node-postgres sends it: under the name `nameOf` gives it (prepared once per connection), or unnamed,
 * failed (its connection dropped) when no answer came within `timeoutMs`.
 */
function statement(
  nameOf: PreparedName,
  text: string,
  params?: unknown[],
  timeoutMs: StatementTimeout = 0,
): BoundedQuery {
  const name = nameOf(text);
  const bound = timeoutMs > 0 ? { query_timeout: timeoutMs } : {};
  return name === undefined ? { text, values: params, ...bound } : { name, text, values: params, ...bound };
}

/** A statement sent unnamed (BEGIN, COMMIT, ROLLBACK, a script), bounded as `statement` bounds one. */
const unnamed = (text: string, timeoutMs: StatementTimeout): BoundedQuery =>
  timeoutMs > 0 ? { text, query_timeout: timeoutMs } : { text };

/**
 * A connection to drop rather than reuse: a prepared statement's plan no longer matching its table (another
 * replica's migration changed the columns a statement returns) fails the same way on every later call there.
 */
const isStalePlan = (error: unknown) =>
  error instanceof Error && /cached plan must not change result type/.test(error.message);

/**
 * A connection that gave no answer in time: node-postgres destroys it (a pipelined connection cannot skip the
 * answer it waits for), and the pool must not hand it out again.
 */
const isTimedOut = (error: unknown) => error instanceof Error && error.message === 'Query read timeout';

/** A connection to drop rather than return to the pool after `failure`. */
const dropsConnection = (failure: unknown) => isStalePlan(failure) || isTimedOut(failure);

/**
 * The lock every schema change takes first (migrate.ts, vector-indexes.ts). Its transaction may wait for
 * another replica's migration and then run a backfill or build an index for as long as the data needs, so no
 * statement of it is bounded by the query timeout; TCP keepalive still notices a server that is gone.
 */
const SCHEMA_CHANGE_LOCK = 'ai-subgraph-migrate:';
const takesSchemaChangeLock = (text: string, params?: unknown[]) =>
  /pg_advisory_xact_lock/.test(text) &&
  typeof params?.[0] === 'string' &&
  params[0].startsWith(SCHEMA_CHANGE_LOCK);

/**
 * Sends `statements` on `client` at once (pipeline mode) and waits for every answer: one round trip. Each
 * query writes its own messages as it is asked; the socket corked, the whole lot leaves in one write. Rejects
 * with the first failure, the cause: any after it only repeats that the transaction aborted.
 */
async function pipelined(
  client: PoolClient,
  statements: readonly SqlStatement[],
  nameOf: PreparedName,
  timeoutMs: StatementTimeout,
): Promise<QueryResult[]> {
  const socket = client.connection.stream;
  socket.cork();
  let sent: Promise<QueryResult>[];
  try {
    sent = statements.map((one) => client.query(statement(nameOf, one.text, one.params, timeoutMs)));
  } finally {
    socket.uncork();
  }
  const settled = await Promise.allSettled(sent);
  return settled.map((outcome) => {
    if (outcome.status === 'rejected') throw outcome.reason;
    return outcome.value;
  });
}

export interface PostgresOptions {
  poolSize: number;
  /**
   * Repeated statements as named prepared statements (prepared-names.ts); off behind a pooler that cannot
   * carry them across its server connections (PgBouncer in transaction mode before 1.21).
   */
  preparedStatements: boolean;
  /** The longest opening a connection, or waiting for a free one of the pool, may take (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * The longest one statement waits for its answer before it fails and its connection is dropped (default
   * 2 min, 0: unbounded): a server that stopped answering (a stalled proxy, a host blackholed by a failover)
   * fails the statement instead of holding its caller, and the job runner, for ever. Statements of a schema
   * change (migrations, index builds) are not bounded.
   */
  queryTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/**
 * Well above the slowest routine statement (the hourly retention deletes of every tenant's expired jobs and
 * samples, pg-boss's maintenance under its own 30 s lock timeout, an embedding sweep's per-document writes).
 */
export const DEFAULT_QUERY_TIMEOUT_MS = 120_000;

/**
 * TCP keepalive from this long idle: a connection whose server vanished without a reset (a failover that
 * blackholes the old host) is found dead by the kernel's probes instead of waiting for ever. For every
 * connection to PostgreSQL, the job notifications' LISTEN connection too (which has no query to time out).
 */
export const POSTGRES_KEEPALIVE = { keepAlive: true, keepAliveInitialDelayMillis: 10_000 } as const;

/** The pool's settings for `connectionString` (exported for the tests). */
export function poolConfig(connectionString: string, options: PostgresOptions): PoolConfig {
  return {
    connectionString,
    max: options.poolSize,
    application_name: 'ai-subgraph',
    pipeline: true,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ...POSTGRES_KEEPALIVE,
  };
}

export function openPostgres(connectionString: string, options: PostgresOptions): SqlDatabase {
  const nameOf: PreparedName = options.preparedStatements ? preparedNames() : () => undefined;
  const timeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  // pipeline: a client writes each query as soon as it is asked, not after the one before is answered, so a
  // batch (below) is one round trip. A caller that awaits each query, as a transaction does, sees no change.
  const pool = new Pool(poolConfig(connectionString, options));
  // An idle client's error (a server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor one a caller holds: the pool listens only while a client is idle, and a connection that ends under a
  // transaction (a timed-out statement destroys its socket, the server restarts) emits 'error' on its client.
  // The caller's statements fail with it, and the client, no longer queryable, is dropped on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return {
    dialect: 'postgres',
    async query<Row>(text: string, params?: unknown[]) {
      // A failed query's connection is dropped by the pool, a stale prepared plan with it.
      const result = await pool.query(statement(nameOf, text, params, timeoutMs));
      return { rows: result.rows as Row[] };
    },
    // Priority is PGlite's: here each transaction has a connection of its own (TransactionPriority).
    async transaction(work, mode = 'read-write') {
      const client = await pool.connect();
      let failure: unknown;
      // Unbounded from the schema change lock on (a migration or an index build): see SCHEMA_CHANGE_LOCK.
      let bound = timeoutMs;
      try {
        // Not awaited: pipelined, BEGIN leaves with the work's first statement, one round trip less. Were it
        // to fail, that statement would fail too (and this promise is awaited before COMMIT).
        const begun = client.query(unnamed(beginStatement(mode), bound));
        begun.catch(() => undefined);
        const result = await work({
          async query<Row>(text: string, params?: unknown[]) {
            if (takesSchemaChangeLock(text, params)) bound = 0;
            const r = await client.query(statement(nameOf, text, params, bound));
            return { rows: r.rows as Row[] };
          },
          // A failure aborts the transaction; the caller's work throws, and the ROLLBACK below ends it.
          batch: async (statements) => (await pipelined(client, statements, nameOf, bound)).map(rowsOf),
        });
        await begun;
        await client.query(unnamed('COMMIT', bound));
        return result;
      } catch (error) {
        failure = error;
        if (!isTimedOut(error)) await client.query(unnamed('ROLLBACK', timeoutMs)).catch(() => undefined);
        throw error;
      } finally {
        client.release(dropsConnection(failure));
      }
    },
    async batch(statements) {
      // BEGIN, the statements and COMMIT in one round trip. A statement that fails leaves the transaction
      // aborted: the ones after it fail with "current transaction is aborted" and COMMIT ends it as a ROLLBACK,
      // nothing of the batch kept.
      const client = await pool.connect();
      let failure: unknown;
      try {
        const results = await pipelined(
          client,
          [{ text: 'BEGIN' }, ...statements, { text: 'COMMIT' }],
          nameOf,
          timeoutMs,
        );
        return results.slice(1, -1).map(rowsOf);
      } catch (error) {
        failure = error;
        // Ends a transaction left open (BEGIN answered, COMMIT never sent); a warning where none is open.
        if (!isTimedOut(error)) await client.query(unnamed('ROLLBACK', timeoutMs)).catch(() => undefined);
        throw error;
      } finally {
        client.release(dropsConnection(failure));
      }
    },
    async exec(script) {
      const client = await pool.connect();
      let failure: unknown;
      try {
        await client.query(unnamed(script, timeoutMs));
      } catch (error) {
        failure = error;
        // A script with its own BEGIN that fails midway leaves its connection in an aborted transaction: ended
        // here, before the connection goes back to the pool for the next caller.
        if (!isTimedOut(error)) await client.query(unnamed('ROLLBACK', timeoutMs)).catch(() => undefined);
        throw error;
      } finally {
        client.release(dropsConnection(failure));
      }
    },
    close: () => pool.end(),
  };
}
