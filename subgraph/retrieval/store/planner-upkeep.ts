// What autovacuum does on a PostgreSQL server, for the embedded PGlite database, which has no autovacuum: once
// enough chunks have changed, VACUUM (ANALYZE) the tables a search reads. ANALYZE gives the planner real row
// counts (without them it estimates a handful of rows and picks nested loops over thousands of postings), and
// VACUUM sets the visibility map, so the postings of a query term come from an index-only scan instead of one
// heap visit each.
import type { DocumentStore } from './document-store';
import type { SqlDatabase } from './sql';

export interface PlannerUpkeepOptions {
  schema: string;
  /** The tables a search reads beside the always-present ones (chunk_embeddings where pgvector is there). */
  extraTables: readonly string[];
  /** Chunks written or deleted since the last run that start the next one. */
  everyChangedChunks: number;
  onError: (error: unknown) => void;
}

const SEARCHED_TABLES = ['chunk_terms', 'chunks', 'documents', 'corpus_stats', 'term_stats'];

export function withPlannerUpkeep(
  store: DocumentStore,
  db: SqlDatabase,
  options: PlannerUpkeepOptions,
): DocumentStore & { upkeep(): Promise<void> } {
  const tables = [...SEARCHED_TABLES, ...options.extraTables]
    .map((table) => `${options.schema}.${table}`)
    .join(', ');
  let changed = 0;
  let running: Promise<void> | null = null;

  const upkeep = (): Promise<void> => {
    // One run at a time: changes made during a run count towards the next.
    running ??= db
      .exec(`VACUUM (ANALYZE) ${tables}`)
      .catch(options.onError)
      .finally(() => {
        running = null;
      });
    return running;
  };
  const noteChange = (chunks: number) => {
    changed += chunks;
    if (changed < options.everyChangedChunks || running) return;
    changed = 0;
    void upkeep();
  };

  return {
    ...store,
    async putDocument(...args) {
      const stored = await store.putDocument(...args);
      noteChange(stored.chunks);
      return stored;
    },
    async deleteDocument(tenantId, id) {
      const deleted = await store.deleteDocument(tenantId, id);
      if (deleted) noteChange(1);
      return deleted;
    },
    upkeep,
    async close() {
      await running;
      await store.close();
    },
  };
}
