// Retention of finished background jobs: those completed, failed or cancelled more than JOB_RETENTION_DAYS ago
// are deleted, every tenant's at once, by a periodic run the engine schedules once per interval across
// replicas (sweep-worker.ts). The run has no tenant; migration 013's delete-only policy picks the rows from the
// retention it is handed (app.job_retention_days, local to the run's transaction), so the statement carries no
// WHERE (one would hold the rows to the tenant's SELECT policy, under which nothing is seen) and can neither
// read a job nor touch one still queued or running. What depends on a job: see the migration's header.
import type { SqlDatabase } from '../retrieval/store/sql';
import { inAppRole } from '../retrieval/store/tenant-scope';

export interface JobRetention {
  /** Deletes the finished jobs past the retention; nothing when the retention is 0 (kept forever). */
  purge(): Promise<void>;
}

export function createJobRetention(
  db: SqlDatabase,
  options: { schema: string; appRole: string; retentionDays: number },
): JobRetention {
  const { schema, appRole, retentionDays } = options;
  return {
    async purge() {
      if (retentionDays <= 0) return;
      await inAppRole(db, appRole, async (tx) => {
        await tx.query("SELECT set_config('app.job_retention_days', $1, true)", [String(retentionDays)]);
        await tx.query(`DELETE FROM ${schema}.jobs`);
      });
    },
  };
}
