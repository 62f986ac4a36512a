// Opens the configured database (PGlite in DATA_DIR, or the pg pool for DATABASE_URL) and migrates it.
import type { Env } from '../../config';
import { createDocumentStore } from './document-store';
import type { DocumentStore } from './document-store';
import { markFullTextMatchLeakproof } from './leakproof-match';
import { migrate } from './migrate';
import { openPostgres } from './pg-database';
import { openPGlite } from './pglite-database';
import type { SqlDatabase } from './sql';

export interface OpenedStore {
  db: SqlDatabase;
  documents: DocumentStore;
  migrationsApplied: string[];
}

export async function openStore(
  env: Pick<
    Env,
    'DATABASE_URL' | 'DATA_DIR' | 'DATABASE_SCHEMA' | 'DATABASE_APP_ROLE' | 'DATABASE_POOL_SIZE'
  > &
    Partial<Pick<Env, 'DATABASE_FTS_LEAKPROOF'>>,
): Promise<OpenedStore> {
  const db = env.DATABASE_URL
    ? openPostgres(env.DATABASE_URL, env.DATABASE_POOL_SIZE)
    : await openPGlite(env.DATA_DIR === ':memory:' ? undefined : env.DATA_DIR);
  const target = { schema: env.DATABASE_SCHEMA, appRole: env.DATABASE_APP_ROLE };
  try {
    const migrationsApplied = await migrate(db, target);
    if (db.dialect === 'pglite' || env.DATABASE_FTS_LEAKPROOF) await markFullTextMatchLeakproof(db);
    return { db, documents: createDocumentStore(db, target), migrationsApplied };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}
