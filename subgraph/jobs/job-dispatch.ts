// Admission of waiting jobs into the queue engine, fairly across tenants (fair-picker.ts's recommended shape).
// A started job is a row of the app's `jobs` table, mirrored in `job_dispatch` (migration 011) by trigger; it
// gets its pg-boss job only when admitted here. One round, in one short transaction: take the dispatch lock
// (one dispatcher at a time over every replica, so two cannot both give a tenant its last slot; the loser
// skips the round), read the per-tenant queues' heads and what each tenant has admitted, let `pickFairly`
// choose, and for each pick mark it admitted and send its engine job, both committing together or not at
// all. What is admitted stays admitted through retries, hand-backs and expiry: pg-boss owns it from then on.
//
// The slots: at most JOB_CONCURRENCY jobs admitted and not yet claimed by a runner (the engine's ready
// buffer), and per tenant at most its jobs.maxRunning admitted and not final. The buffer being this small is
// what makes the rotation matter: tenant A's backlog never sits in the engine ahead of tenant B's one job.
import type { SqlDatabase, SqlExecutor } from '../retrieval/store/sql';
import type { TenantPolicies } from '../tenancy/tenant-policies';
import { pickFairly } from './fair-picker';
import type { JobQueue } from './job-queue';

export interface JobDispatcher {
  /** One admission round; how many jobs it admitted (0 when another replica's round held the lock). */
  admit(): Promise<number>;
}

export interface JobDispatcherDeps {
  db: SqlDatabase;
  schema: string;
  appRole: string;
  queue: Pick<JobQueue, 'send'>;
  tenants: TenantPolicies;
  /** JOB_CONCURRENCY: jobs admitted and waiting for a runner, at most. */
  concurrency: number;
}

interface TenantCounts {
  tenant_id: string;
  admitted: string | number;
  ready: string | number;
}

export function createJobDispatcher(deps: JobDispatcherDeps): JobDispatcher {
  const { schema, appRole } = deps;
  const dispatch = `${schema}.job_dispatch`;
  // Where the last round stopped: the next one starts with the tenant after it.
  let cursor: string | undefined;

  async function admitOne(tx: SqlExecutor, tenantId: string, jobId: string): Promise<boolean> {
    await tx.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
    const marked = await tx.query(
      `UPDATE ${dispatch} SET admitted = true
       WHERE tenant_id = $1 AND job_id = $2 AND NOT admitted RETURNING 1`,
      [tenantId, jobId],
    );
    const job = await tx.query<{ queue_job_id: string }>(
      `SELECT queue_job_id FROM ${schema}.jobs WHERE tenant_id = $1 AND id = $2 AND status = 'queued'`,
      [tenantId, jobId],
    );
    const queueJobId = job.rows[0]?.queue_job_id;
    // Cancelled since the heads were read: its row is gone, nothing to admit.
    if (marked.rows.length === 0 || !queueJobId) return false;
    // The engine's tables are not the tenant's: written as the connecting role, then back to the app role.
    await tx.query("SELECT set_config('role', 'none', true)");
    await deps.queue.send(tx, { jobId, tenantId }, queueJobId);
    await tx.query("SELECT set_config('role', $1, true)", [appRole]);
    return true;
  }

  async function round(tx: SqlExecutor): Promise<number> {
    await tx.query("SELECT set_config('role', $1, true)", [appRole]);
    const lock = await tx.query<{ taken: boolean }>(
      'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS taken',
      [`ai-jobs-dispatch:${schema}`],
    );
    if (!lock.rows[0]?.taken) return 0;
    const counts = await tx.query<TenantCounts>(
      `SELECT tenant_id, count(*) FILTER (WHERE admitted) AS admitted,
              count(*) FILTER (WHERE admitted AND NOT running) AS ready
       FROM ${dispatch} GROUP BY tenant_id`,
    );
    const running = new Map<string, number>();
    let ready = 0;
    for (const row of counts.rows) {
      running.set(row.tenant_id, Number(row.admitted));
      ready += Number(row.ready);
    }
    const freeSlots = deps.concurrency - ready;
    if (freeSlots <= 0) return 0;
    const heads = await tx.query<{ tenant_id: string; job_id: string }>(
      `SELECT tenant_id, job_id FROM (
         SELECT tenant_id, job_id, created_at,
                row_number() OVER (PARTITION BY tenant_id ORDER BY created_at, job_id) AS place
         FROM ${dispatch} WHERE NOT admitted
       ) waiting
       WHERE place <= $1 ORDER BY tenant_id, place`,
      [freeSlots],
    );
    const queued = new Map<string, string[]>();
    for (const row of heads.rows) {
      const jobs = queued.get(row.tenant_id) ?? [];
      jobs.push(row.job_id);
      queued.set(row.tenant_id, jobs);
    }
    const result = pickFairly({
      queued,
      running,
      freeSlots,
      maxRunning: (tenantId) => deps.tenants.forTenant(tenantId).jobs.maxRunning,
      ...(cursor === undefined ? {} : { after: cursor }),
    });
    let admitted = 0;
    for (const pick of result.picks) {
      if (await admitOne(tx, pick.tenantId, pick.jobId)) admitted += 1;
    }
    cursor = result.cursor;
    return admitted;
  }

  return {
    admit: () => deps.db.transaction(round),
  };
}
