// Admission of waiting jobs into the queue engine, fairly across tenants (fair-picker.ts's recommended shape).
// A started job is a row of the app's `jobs` table, mirrored in `job_dispatch` (migration 011) by trigger; it
// gets its pg-boss job only when admitted here. One round, in one short transaction: take the dispatch lock
// (one dispatcher at a time over every replica, so two cannot both give a tenant its last slot; the loser
// skips the round), read the per-tenant queues' heads and what each tenant has admitted, let `pickFairly`
// choose, mark the picks admitted (one statement per tenant) and send their engine jobs (one statement for
// all), committing together or not at all. On PGlite the round holds the one connection, and every start waits
// behind it, so it is three trips to the store besides BEGIN and COMMIT, however many its picks: the reads
// in one batch, the marks in one, the engine jobs in one statement. What is admitted stays admitted through
// retries, hand-backs and expiry: pg-boss owns it from then on.
//
// The slots: at most JOB_CONCURRENCY jobs admitted and not yet claimed by a runner (the engine's ready
// buffer), and per tenant at most its jobs.maxRunning admitted and not final. The buffer being this small is
// what makes the rotation matter: tenant A's backlog never sits in the engine ahead of tenant B's one job.
import type { SqlDatabase, SqlTransaction } from '../retrieval/store/sql';
import { CONNECTING_ROLE } from '../retrieval/store/tenant-scope';
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
   * Marks each tenant's picks admitted, one statement per tenant in the tenant's scope, all in one batch ending
   * as the connecting role (the engine's tables are not the tenant's): the ids still queued, with their engine
   * job ids. A job cancelled since the heads were read has no row in the dispatch (nor in `jobs` as queued), so
   * it is skipped.
   */
  async function markAdmitted(tx: SqlTransaction, byTenant: ReadonlyMap<string, readonly string[]>) {
    const statements = [...byTenant].flatMap(([tenantId, jobIds]) => [
      { text: "SELECT set_config('app.tenant_id', $1, true)", params: [tenantId] },
      {
        text: `WITH marked AS (
                 UPDATE ${dispatch} SET admitted = true
                 WHERE tenant_id = $1 AND job_id = ANY($2::uuid[]) AND NOT admitted RETURNING job_id
               )
               SELECT j.id AS job_id, j.queue_job_id FROM ${schema}.jobs j JOIN marked m ON m.job_id = j.id
               WHERE j.tenant_id = $1 AND j.status = 'queued'`,
        params: [tenantId, [...jobIds]],
      },
    ]);
    const results = await tx.batch([...statements, CONNECTING_ROLE]);
    const marked = results.flatMap((result) => result.rows as { job_id: string; queue_job_id: string }[]);
    return new Map(marked.map((row) => [row.job_id, row.queue_job_id]));
  }

  /** Admits the picks: marked per tenant, then every engine job in one statement, in the picks' order. */
  async function admit(tx: SqlTransaction, picks: readonly FairPick[]): Promise<number> {
    if (picks.length === 0) return 0;
    const byTenant = new Map<string, string[]>();
    for (const pick of picks)
      byTenant.set(pick.tenantId, [...(byTenant.get(pick.tenantId) ?? []), pick.jobId]);
    const queueJobIds = await markAdmitted(tx, byTenant);
    const jobs = picks.flatMap((pick) => {
      const queueJobId = queueJobIds.get(pick.jobId);
      return queueJobId ? [{ data: { jobId: pick.jobId, tenantId: pick.tenantId }, queueJobId }] : [];
    });
    if (jobs.length === 0) return 0;
    await deps.queue.sendAll(tx, jobs);
    return jobs.length;
  }

  async function round(tx: SqlTransaction): Promise<number> {
    // The lock, the counts and each tenant's first `concurrency` waiting jobs in one batch (the free slots are
    // known only from the counts, and never exceed the concurrency): no turn of this event loop between them.
    const [lock, counts, heads] = await tx.batch([
      {
        text: "SELECT set_config('role', $1, true), pg_try_advisory_xact_lock(hashtext($2)) AS taken",
        params: [appRole, `ai-jobs-dispatch:${schema}`],
      },
      {
        text: `SELECT tenant_id, count(*) FILTER (WHERE admitted) AS admitted,
                      count(*) FILTER (WHERE admitted AND NOT running) AS ready
               FROM ${dispatch} GROUP BY tenant_id`,
      },
      {
        text: `SELECT tenant_id, job_id FROM (
                 SELECT tenant_id, job_id, created_at,
                        row_number() OVER (PARTITION BY tenant_id ORDER BY created_at, job_id) AS place
                 FROM ${dispatch} WHERE NOT admitted
               ) waiting
               WHERE place <= $1 ORDER BY tenant_id, place`,
        params: [deps.concurrency],
      },
    ]);
    if (!(lock?.rows[0] as { taken?: boolean } | undefined)?.taken) return 0;
    const running = new Map<string, number>();
    let ready = 0;
    for (const row of (counts?.rows ?? []) as TenantCounts[]) {
      running.set(row.tenant_id, Number(row.admitted));
      ready += Number(row.ready);
    }
    const freeSlots = deps.concurrency - ready;
    if (freeSlots <= 0) return 0;
    const queued = new Map<string, string[]>();
    for (const row of (heads?.rows ?? []) as { tenant_id: string; job_id: string }[]) {
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
