// Opens the configured database (PGlite in the data folder, or the pg pool for a PostgreSQL URL) and migrates it.
import type { StoreConfig } from '../../config';
import { createDocumentStore } from './document-store';
import type { DocumentStore } from './document-store';
import { markFullTextMatchLeakproof } from './leakproof-match';
import { migrate } from './migrate';
import { openPostgres } from './pg-database';
import { openPGlite } from './pglite-database';
import { withPlannerUpkeep } from './planner-upkeep';
import type { SqlDatabase } from './sql';

export interface OpenedStore {
  db: SqlDatabase;
  documents: DocumentStore;
  migrationsApplied: string[];
}

/** Changed chunks between two planner upkeeps of PGlite: about a tenth of a 10,000-chunk corpus. */
const PGLITE_UPKEEP_EVERY_CHANGED_CHUNKS = 1000;

export interface StoreHooks {
  /** A background task of the store failed (PGlite's planner upkeep); searches still answer, maybe slower. */
  onBackgroundError?: (error: unknown) => void;
}

export async function openStore(config: StoreConfig, hooks: StoreHooks = {}): Promise<OpenedStore> {
  const db = config.databaseUrl
    ? openPostgres(config.databaseUrl, config.poolSize)
    : await openPGlite(config.dataDir === ':memory:' ? undefined : config.dataDir);
  const target = { schema: config.schema, appRole: config.appRole };
  try {
    const migrationsApplied = await migrate(db, target);
    if (db.dialect === 'pglite' || config.ftsLeakproof) await markFullTextMatchLeakproof(db);
    const documents = createDocumentStore(db, { ...target, bm25: config.bm25 });
    if (db.dialect === 'postgres') return { db, documents, migrationsApplied };
    // PostgreSQL's autovacuum keeps planner statistics and visibility maps; PGlite has none of its own.
    const upkept = withPlannerUpkeep(documents, db, {
      schema: config.schema,
      everyChangedChunks: PGLITE_UPKEEP_EVERY_CHANGED_CHUNKS,
      onError: hooks.onBackgroundError ?? (() => undefined),
    });
    void upkept.upkeep();
    return { db, documents: upkept, migrationsApplied };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}
