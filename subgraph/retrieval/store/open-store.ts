// Opens the configured database (PGlite in the data folder, or the pg pool for a PostgreSQL URL) and migrates it.
// A database without pgvector still opens, lexical only: `semantic` says so and why, for the app to log once.
import type { StoreConfig } from '../../config';
import { createDocumentStore } from './document-store';
import type { DocumentStore } from './document-store';
import { markFullTextMatchLeakproof } from './leakproof-match';
import { migrate } from './migrate';
import type { SkippedMigration } from './migrate';
import { openPostgres } from './pg-database';
import { openPGlite } from './pglite-database';
import { withPlannerUpkeep } from './planner-upkeep';
import { semanticStatusOf } from './semantic-status';
import type { SemanticStatus } from './semantic-status';
import type { SqlDatabase } from './sql';
import { ensureVectorIndexes } from './vector-indexes';
import { DEFAULT_VECTOR_SEARCH } from './vector-search';

export interface OpenedStore {
  db: SqlDatabase;
  documents: DocumentStore;
  migrationsApplied: string[];
  /** Migrations left pending because the database lacks an extension they need (applied once it has it). */
  migrationsPending: SkippedMigration[];
  /** The same as `documents.semantic`: the app logs it once at start. */
  semantic: SemanticStatus;
}

/** Changed chunks between two planner upkeeps of PGlite: about a tenth of a 10,000-chunk corpus. */
const PGLITE_UPKEEP_EVERY_CHANGED_CHUNKS = 1000;

export interface StoreHooks {
  /** A background task of the store failed (PGlite's planner upkeep); searches still answer, maybe slower. */
  onBackgroundError?: (error: unknown) => void;
}

export async function openStore(config: StoreConfig, hooks: StoreHooks = {}): Promise<OpenedStore> {
  const db = config.databaseUrl
    ? openPostgres(config.databaseUrl, {
        poolSize: config.poolSize,
        preparedStatements: config.preparedStatements ?? true,
        connectTimeoutMs: config.connectTimeoutMs,
        queryTimeoutMs: config.queryTimeoutMs,
      })
    : await openPGlite(config.dataDir === ':memory:' ? undefined : config.dataDir, config.pgliteTemplate);
  const target = { schema: config.schema, appRole: config.appRole };
  const vectors = config.vectors ?? DEFAULT_VECTOR_SEARCH;
  try {
    const report = await migrate(db, target);
    const semantic = semanticStatusOf(report);
    if (semantic.available) await ensureVectorIndexes(db, config.schema, vectors.indexDimensions);
    if (db.dialect === 'pglite' || config.ftsLeakproof) await markFullTextMatchLeakproof(db);
    const documents = createDocumentStore(db, { ...target, bm25: config.bm25, semantic, vectors });
    const opened = { db, migrationsApplied: report.applied, migrationsPending: report.skipped, semantic };
    if (db.dialect === 'postgres') return { ...opened, documents };
    // PostgreSQL's autovacuum keeps planner statistics and visibility maps; PGlite has none of its own.
    const upkept = withPlannerUpkeep(documents, db, {
      schema: config.schema,
      extraTables: semantic.available ? ['chunk_embeddings'] : [],
      everyChangedChunks: PGLITE_UPKEEP_EVERY_CHANGED_CHUNKS,
      onError: hooks.onBackgroundError ?? (() => undefined),
    });
    void upkept.upkeep();
    return { ...opened, documents: upkept };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}
