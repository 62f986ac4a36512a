// Retrieval failing as on a database error, for the suites about what a request that fails there still owes
// (the guard model's verdict, paid for beside retrieval). The lexical search reads the corpus statistics, so
// with their table renamed away every retrieval of the subgraph fails, whatever the question. Any other table can
// be taken away the same way (whileTableAway).
import { Client } from 'pg';
import type { Harness } from './harness';
import { POSTGRES_URL } from './services';

/** Runs `work` while the harness's corpus_stats table is away (its PostgreSQL store), and puts it back after. */
export function whileRetrievalFails<T>(harness: Harness, work: () => Promise<T>): Promise<T> {
  return whileTableAway(harness, 'corpus_stats', work);
}

/** Runs `work` while the harness's table `table` is away (its PostgreSQL store), and puts it back after. */
export async function whileTableAway<T>(harness: Harness, table: string, work: () => Promise<T>): Promise<T> {
  const schema = harness.app.config.store.schema;
  const pg = new Client({ connectionString: POSTGRES_URL });
  await pg.connect();
  try {
    await pg.query(`ALTER TABLE ${schema}.${table} RENAME TO ${table}_away`);
    return await work();
  } finally {
    await pg.query(`ALTER TABLE ${schema}.${table}_away RENAME TO ${table}`);
    await pg.end();
  }
}
