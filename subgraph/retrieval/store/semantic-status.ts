// Whether the store can search by meaning: every migration that needs pgvector applied. Returned by openStore
// for the app to log once, and carried by the DocumentStore so features degrade to lexical with its reason.
import type { MigrationReport } from './migrate';

export interface SemanticStatus {
  available: boolean;
  /** Why semantic search is off (null when available), fit for a log line and a degraded result. */
  reason: string | null;
}

/** The extension the vector migrations declare (`-- requires: vector`). */
export const VECTOR_EXTENSION = 'vector';

export const SEMANTIC_AVAILABLE: SemanticStatus = { available: true, reason: null };

export function semanticStatusOf(report: MigrationReport): SemanticStatus {
  const pending = report.skipped.filter((migration) =>
    migration.missingExtensions.includes(VECTOR_EXTENSION),
  );
  if (pending.length === 0) return SEMANTIC_AVAILABLE;
  return {
    available: false,
    reason:
      `the database does not offer the PostgreSQL extension "${VECTOR_EXTENSION}" (pgvector): search is ` +
      `lexical only until it is installed; then the next start applies ` +
      pending.map((migration) => migration.name).join(', '),
  };
}
