// A PostgreSQL server through a `pg` pool, used when DATABASE_URL is set.
import { Pool } from 'pg';
import { unreachable } from '../../errors/unreachable';
import type { SqlDatabase, TransactionMode } from './sql';

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

export function openPostgres(connectionString: string, poolSize: number): SqlDatabase {
  const pool = new Pool({ connectionString, max: poolSize, application_name: 'ai-subgraph' });
  // An idle client's error (a server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return {
    dialect: 'postgres',
    async query<Row>(text: string, params?: unknown[]) {
      const result = await pool.query(text, params);
      return { rows: result.rows as Row[] };
    },
    // Priority is PGlite's: here each transaction has a connection of its own (TransactionPriority).
    async transaction(work, mode = 'read-write') {
      const client = await pool.connect();
      try {
        await client.query(beginStatement(mode));
        const result = await work({
          async query<Row>(text: string, params?: unknown[]) {
            const r = await client.query(text, params);
            return { rows: r.rows as Row[] };
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async batch(statements) {
      // One connection, statement after statement: the pool has no pipelining to save the round trips.
      return this.transaction(async (tx) => {
        const results: { rows: unknown[] }[] = [];
        for (const statement of statements) results.push(await tx.query(statement.text, statement.params));
        return results;
      });
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
