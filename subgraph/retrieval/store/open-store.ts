// Opens the configured database (PGlite in the data folder, or the pg pool for a PostgreSQL URL) and migrates it.
import type { StoreConfig } from '../../config';
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

export async function openStore(config: StoreConfig): Promise<OpenedStore> {
  const db = config.databaseUrl
    ? openPostgres(config.databaseUrl, config.poolSize)
    : await openPGlite(config.dataDir === ':memory:' ? undefined : config.dataDir);
  const target = { schema: config.schema, appRole: config.appRole };
  try {
    const migrationsApplied = await migrate(db, target);
    if (db.dialect === 'pglite' || config.ftsLeakproof) await markFullTextMatchLeakproof(db);
    return { db, documents: createDocumentStore(db, { ...target, bm25: config.bm25 }), migrationsApplied };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}
