// Lets full-text matches use the GIN index under row level security. RLS may push a predicate below its
// policy (into an index scan) only when the predicate's function is LEAKPROOF; ts_match_vq (tsvector @@
// tsquery) raises no error that depends on row data, so it cannot reveal another tenant's rows. Marking it
// changes a pg_catalog function for the whole database and needs a superuser, so it is automatic only for
// the embedded PGlite database this process owns, and an operator's choice (DATABASE_FTS_LEAKPROOF) on a
// shared server. Without it search still works, scanning the tenant's chunks.
import type { SqlDatabase } from './sql';

export async function markFullTextMatchLeakproof(db: SqlDatabase): Promise<boolean> {
  try {
    await db.exec('ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF');
    return true;
  } catch {
    return false;
  }
}
