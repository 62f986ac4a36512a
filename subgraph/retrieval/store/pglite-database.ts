// The embedded PostgreSQL (PGlite, with pgvector) used when DATABASE_URL is unset: one process, one folder.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { SqlDatabase, SqlExecutor } from './sql';

export async function openPGlite(dataDir: string | undefined): Promise<SqlDatabase> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir, { extensions: { vector } });
  const executor = (target: Pick<PGlite, 'query'>): SqlExecutor => ({
    async query<Row>(text: string, params?: unknown[]) {
      const result = await target.query<Row>(text, params);
      return { rows: result.rows };
    },
  });
  return {
    dialect: 'pglite',
    ...executor(db),
    // PGlite runs one transaction at a time, so each already sees one unchanging state: the mode changes nothing.
    transaction: (work) => db.transaction((tx) => work(executor(tx))),
    exec: async (script) => {
      await db.exec(script);
    },
    close: () => db.close(),
  };
}
