// pg-boss's custom database adapter over our SqlDatabase, so one queue engine serves PGlite (on its worker
// thread) and PostgreSQL (the pg pool) alike. pg-boss sends two kinds of SQL: single statements with
// parameters, and parameterless scripts wrapped in BEGIN … COMMIT (its schema creation, migrations and
// maintenance, see pg-boss's plans.locked). A script goes through `exec`, which rolls back whatever the
// script left open when it fails, so a failed maintenance run never leaves a pooled connection mid-transaction.
import type { SqlDatabase, SqlExecutor } from '../retrieval/store/sql';

/** What pg-boss 10 calls on a `db` it did not open itself. */
export interface BossDatabase {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

const SCRIPT = /^\s*BEGIN\s*;/i;

export function bossDatabase(db: SqlDatabase): BossDatabase {
  return {
    async executeSql(text, values) {
      if ((values === undefined || values.length === 0) && SCRIPT.test(text)) {
        await db.exec(text);
        return { rows: [] };
      }
      return db.query(text, values);
    },
  };
}

/** The same adapter on one open transaction: a job inserted through it commits or rolls back with that transaction. */
export function bossDatabaseIn(tx: SqlExecutor): BossDatabase {
  return { executeSql: (text, values) => tx.query(text, values) };
}
