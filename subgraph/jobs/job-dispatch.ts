// Admission of waiting jobs into the queue engine, fairly across tenants (fair-picker.ts's recommended shape).
// A started job is a row of the app's `jobs` table, mirrored in `job_dispatch` (migration 011) by trigger; it
// gets its pg-boss job only when admitted here. One round, in one short transaction: take the dispatch lock
// (one dispatcher at a time over every replica, so two cannot both give a tenant its last slot; the loser
// skips the round), read the per-tenant queues' heads and what each tenant has admitted, let `pickFairly`
// choose, mark the picks admitted (one statement per tenant) and send their engine jobs (one statement for
// all), committing together or not at all. The round's statements do not grow with its picks: on PGlite the
// round holds the one connection, and every start waits behind it. What is admitted stays admitted through
// retries, hand-backs and expiry: pg-boss owns it from then on.
//
// The slots: at most JOB_CONCURRENCY jobs admitted and not yet claimed by a runner (the engine's ready
// buffer), and per tenant at most its jobs.maxRunning admitted and not final. The buffer being this small is
// what makes the rotation matter: tenant A's backlog never sits in the engine ahead of tenant B's one job.
import type { SqlDatabase, SqlExecutor } from '../retrieval/store/sql';
import type { TenantPolicies } from '../tenancy/tenant-policies';
import { pickFairly } from './fair-picker';
import type { FairPick } from './fair-picker';
import type { JobQueue } from './job-queue';

export interface JobDispatcher {
  /** One admission round; how many jobs it admitted (0 when another replica's round held the lock). */
  admit(): Promise<number>;
}

export interface JobDispatcherDeps {
  db: SqlDatabase;
  schema: string;
  appRole: string;
  queue: Pick<JobQueue, 'sendAll'>;
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

  /**
   * Marks the tenant's picks admitted; the ids of those still queued, with their engine job ids. One statement
   * per tenant, in the tenant's scope: a job cancelled since the heads were read has no row here any more (nor
   * in `jobs` as queued), so it is skipped.
   */
  async function markAdmitted(tx: SqlExecutor, tenantId: string, jobIds: readonly string[]) {
    await tx.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
    const marked = await tx.query<{ job_id: string; queue_job_id: string }>(
      `WITH marked AS (
         UPDATE ${dispatch} SET admitted = true
         WHERE tenant_id = $1 AND job_id = ANY($2::uuid[]) AND NOT admitted RETURNING job_id
       )
       SELECT j.id AS job_id, j.queue_job_id FROM ${schema}.jobs j JOIN marked m ON m.job_id = j.id
       WHERE j.tenant_id = $1 AND j.status = 'queued'`,
      [tenantId, [...jobIds]],
    );
    return new Map(marked.rows.map((row) => [row.job_id, row.queue_job_id]));
  }

  /** Admits the picks: marked per tenant, then every engine job in one statement, in the picks' order. */
  async function admit(tx: SqlExecutor, picks: readonly FairPick[]): Promise<number> {
    const byTenant = new Map<string, string[]>();
    for (const pick of picks)
      byTenant.set(pick.tenantId, [...(byTenant.get(pick.tenantId) ?? []), pick.jobId]);
    const queueJobIds = new Map<string, string>();
    for (const [tenantId, jobIds] of byTenant) {
      for (const [jobId, queueJobId] of await markAdmitted(tx, tenantId, jobIds))
        queueJobIds.set(jobId, queueJobId);
    }
    const jobs = picks.flatMap((pick) => {
      const queueJobId = queueJobIds.get(pick.jobId);
      return queueJobId ? [{ data: { jobId: pick.jobId, tenantId: pick.tenantId }, queueJobId }] : [];
    });
    if (jobs.length === 0) return 0;
    // The engine's tables are not the tenant's: written as the connecting role, the transaction's last statement.
    await tx.query("SELECT set_config('role', 'none', true)");
    await deps.queue.sendAll(tx, jobs);
    return jobs.length;
  }

  async function round(tx: SqlExecutor): Promise<number> {
    const lock = await tx.query<{ taken: boolean }>(
      "SELECT set_config('role', $1, true), pg_try_advisory_xact_lock(hashtext($2)) AS taken",
      [appRole, `ai-jobs-dispatch:${schema}`],
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
    const admitted = await admit(tx, result.picks);
    cursor = result.cursor;
    return admitted;
  }

  return {
    admit: () => deps.db.transaction(round),
  };
}
