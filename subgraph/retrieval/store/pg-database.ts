// A PostgreSQL server through a `pg` pool, used when DATABASE_URL is set.
import { Pool } from 'pg';
import type { PoolClient, QueryConfig, QueryResult } from 'pg';
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

/** `text` as node-postgres sends it: under the name `nameOf` gives it (prepared once per connection), or unnamed. */
function statement(nameOf: PreparedName, text: string, params?: unknown[]): QueryConfig {
  const name = nameOf(text);
  return name === undefined ? { text, values: params } : { name, text, values: params };
}

/**
 * A connection to drop rather than reuse: a prepared statement's plan no longer matching its table (another
 * replica's migration changed the columns a statement returns) fails the same way on every later call there.
 */
const isStalePlan = (error: unknown) =>
  error instanceof Error && /cached plan must not change result type/.test(error.message);

/**
 * Sends `statements` on `client` at once (pipeline mode) and waits for every answer: one round trip. Each
 * query writes its own messages as it is asked; the socket corked, the whole lot leaves in one write. Rejects
 * with the first failure, the cause: any after it only repeats that the transaction aborted.
 */
async function pipelined(
  client: PoolClient,
  statements: readonly SqlStatement[],
  nameOf: PreparedName,
): Promise<QueryResult[]> {
  const socket = client.connection.stream;
  socket.cork();
  let sent: Promise<QueryResult>[];
  try {
    sent = statements.map((one) => client.query(statement(nameOf, one.text, one.params)));
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
}

export function openPostgres(
  connectionString: string,
  { poolSize, preparedStatements }: PostgresOptions,
): SqlDatabase {
  const nameOf: PreparedName = preparedStatements ? preparedNames() : () => undefined;
  // pipeline: a client writes each query as soon as it is asked, not after the one before is answered, so a
  // batch (below) is one round trip. A caller that awaits each query, as a transaction does, sees no change.
  const pool = new Pool({ connectionString, max: poolSize, application_name: 'ai-subgraph', pipeline: true });
  // An idle client's error (a server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return {
    dialect: 'postgres',
    async query<Row>(text: string, params?: unknown[]) {
      // A failed query's connection is dropped by the pool, a stale prepared plan with it.
      const result = await pool.query(statement(nameOf, text, params));
      return { rows: result.rows as Row[] };
    },
    // Priority is PGlite's: here each transaction has a connection of its own (TransactionPriority).
    async transaction(work, mode = 'read-write') {
      const client = await pool.connect();
      let failure: unknown;
      try {
        // Not awaited: pipelined, BEGIN leaves with the work's first statement, one round trip less. Were it
        // to fail, that statement would fail too (and this promise is awaited before COMMIT).
        const begun = client.query(beginStatement(mode));
        begun.catch(() => undefined);
        const result = await work({
          async query<Row>(text: string, params?: unknown[]) {
            const r = await client.query(statement(nameOf, text, params));
            return { rows: r.rows as Row[] };
          },
          // A failure aborts the transaction; the caller's work throws, and the ROLLBACK below ends it.
          batch: async (statements) => (await pipelined(client, statements, nameOf)).map(rowsOf),
        });
        await begun;
        await client.query('COMMIT');
        return result;
      } catch (error) {
        failure = error;
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release(isStalePlan(failure));
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
        );
        return results.slice(1, -1).map(rowsOf);
      } catch (error) {
        failure = error;
        // Ends a transaction left open (BEGIN answered, COMMIT never sent); a warning where none is open.
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release(isStalePlan(failure));
      }
    },
    async exec(script) {
      const client = await pool.connect();
      try {
        await client.query(script);
      } catch (error) {
        // A script with its own BEGIN that fails midway leaves its connection in an aborted transaction: ended
        // here, before the connection goes back to the pool for the next caller.
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
