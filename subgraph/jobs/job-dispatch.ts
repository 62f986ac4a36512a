// Admission of waiting jobs into the queue engine, fairly across tenants (fair-picker.ts's recommended shape).
// A started job is a row of the app's `jobs` table, mirrored in `job_dispatch` (migrations 011, 014) by
// trigger; it gets its pg-boss job only when admitted here. One round is two batches: take the dispatch lock
// and read the per-tenant queues' heads (with their engine job ids) and what each tenant has admitted; let
// `pickFairly` choose; then mark the picks admitted (one statement per tenant) and send their engine jobs
// (one statement for all), committing together or not at all.
// On PostgreSQL both batches run in one transaction under the lock (one dispatcher at a time over every
// replica, so two cannot both give a tenant its last slot; the loser skips the round). On PGlite there is
// one process, whose rounds follow one another, and one connection that every start waits for: the two
// batches go on their own, so a round never holds that connection across a turn of this event loop. What
// they read may be a moment old by the second, which only errs safe: a runner's fetch since then frees a
// slot (admitting less than it could), a start adds a job to a later round, and a job cancelled since has no
// row to mark, its engine job then found gone by the runner that fetches it. What is admitted stays admitted
// through retries, hand-backs and expiry: pg-boss owns it from then on.
//
// The slots: at most JOB_CONCURRENCY engine jobs ready for a runner (the engine's ready buffer: what pg-boss's
// fetch would take now, counted in its own table in the same batch), and per tenant at most its
// jobs.maxRunning admitted and not final. The buffer being this small is what makes the rotation matter:
// tenant A's backlog never sits in the engine ahead of tenant B's one job. A job waiting out its retry backoff
// (or handed back to start later) is admitted but not ready: it takes no slot of the buffer until its time
// comes (counting it, as `job_dispatch` admitted and not running, let a tenant's failing jobs fill the buffer
// for their whole backoff, every runner idle and every other tenant's job waiting), though it still counts
// against its own tenant's maxRunning.
import type { SqlDatabase, SqlStatement } from '../retrieval/store/sql';
import { perTenantStatements } from '../retrieval/store/tenant-rows';
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
  queue: Pick<JobQueue, 'sendAllStatement' | 'readyStatement'>;
  tenants: TenantPolicies;
  /** JOB_CONCURRENCY: engine jobs ready for a runner, at most. */
  concurrency: number;
}

interface TenantCounts {
  tenant_id: string;
  admitted: string | number;
}

interface QueueHead {
  tenant_id: string;
  job_id: string;
  queue_job_id: string;
}

/** Statements in, each one's rows out, in one trip: a transaction's batch, or one of its own on PGlite. */
type Batch = (statements: readonly SqlStatement[]) => Promise<{ rows: unknown[] }[]>;

export function createJobDispatcher(deps: JobDispatcherDeps): JobDispatcher {
  const { db, schema, appRole } = deps;
  const dispatch = `${schema}.job_dispatch`;
  // Where the last round stopped: the next one starts with the tenant after it.
  let cursor: string | undefined;

  /**
   * The lock, the counts, each tenant's first `concurrency` waiting jobs and the engine's ready jobs in one
   * batch (the free slots are known only from the counts, and never exceed the concurrency); the fair picks,
   * with their engine job ids. Null when another replica holds the lock or there is no free slot.
   */
  async function choose(batch: Batch) {
    const [lock, counts, heads, , engine] = await batch([
      {
        text: "SELECT set_config('role', $1, true), pg_try_advisory_xact_lock(hashtext($2)) AS taken",
        params: [appRole, `ai-jobs-dispatch:${schema}`],
      },
      {
        text: `SELECT tenant_id, count(*) AS admitted FROM ${dispatch} WHERE admitted GROUP BY tenant_id`,
      },
      {
        text: `SELECT tenant_id, job_id, queue_job_id FROM (
                 SELECT tenant_id, job_id, queue_job_id, created_at,
                        row_number() OVER (PARTITION BY tenant_id ORDER BY created_at, job_id) AS place
                 FROM ${dispatch} WHERE NOT admitted
               ) waiting
               WHERE place <= $1 ORDER BY tenant_id, place`,
        params: [deps.concurrency],
      },
      // The engine's tables are not the tenant's.
      CONNECTING_ROLE,
      deps.queue.readyStatement(),
    ]);
    if (!(lock?.rows[0] as { taken?: boolean } | undefined)?.taken) return null;
    const running = new Map<string, number>();
    for (const row of (counts?.rows ?? []) as TenantCounts[]) {
      running.set(row.tenant_id, Number(row.admitted));
    }
    const ready = Number((engine?.rows[0] as { ready?: string | number } | undefined)?.ready ?? 0);
    const freeSlots = deps.concurrency - ready;
    if (freeSlots <= 0) return null;
    const queued = new Map<string, string[]>();
    const queueJobIds = new Map<string, string>();
    for (const row of (heads?.rows ?? []) as QueueHead[]) {
      const jobs = queued.get(row.tenant_id) ?? [];
      jobs.push(row.job_id);
      queued.set(row.tenant_id, jobs);
      queueJobIds.set(row.job_id, row.queue_job_id);
    }
    const result = pickFairly({
      queued,
      running,
      freeSlots,
      maxRunning: (tenantId) => deps.tenants.forTenant(tenantId).jobs.maxRunning,
      ...(cursor === undefined ? {} : { after: cursor }),
    });
    return { picks: result.picks, cursor: result.cursor, queueJobIds };
  }

  /**
   * Marks each tenant's picks admitted (one statement per tenant, in the tenant's scope as the app role, which
   * this batch sets itself: on PGlite it is a transaction of its own; a job cancelled since the heads were read
   * has no row left, and is skipped) and sends every pick's engine job, in the picks' order, as the connecting
   * role (the engine's tables are not the tenant's): one batch. How many were marked.
   */
  async function admitPicks(
    batch: Batch,
    picks: readonly FairPick[],
    queueJobIds: ReadonlyMap<string, string>,
  ): Promise<number> {
    if (picks.length === 0) return 0;
    const marks = perTenantStatements(appRole, picks, (ofTenant) => ({
      text: `UPDATE ${dispatch} SET admitted = true
             WHERE tenant_id = $1 AND job_id = ANY($2::uuid[]) AND NOT admitted RETURNING job_id`,
      params: [ofTenant[0]?.tenantId, ofTenant.map((pick) => pick.jobId)],
    }));
    const engineJobs = await deps.queue.sendAllStatement(
      picks.flatMap((pick) => {
        const queueJobId = queueJobIds.get(pick.jobId);
        return queueJobId ? [{ data: { jobId: pick.jobId, tenantId: pick.tenantId }, queueJobId }] : [];
      }),
    );
    const results = await batch([...marks, CONNECTING_ROLE, engineJobs]);
    // Each tenant's marks are the second statement of its pair (its scope first).
    return results
      .slice(0, marks.length)
      .reduce((sum, result, i) => sum + (i % 2 === 1 ? result.rows.length : 0), 0);
  }

  async function round(batch: Batch): Promise<number> {
    const chosen = await choose(batch);
    if (!chosen) return 0;
    const admitted = await admitPicks(batch, chosen.picks, chosen.queueJobIds);
    cursor = chosen.cursor;
    return admitted;
  }

  return {
    admit: () =>
      db.dialect === 'pglite'
        ? round((statements) => db.batch(statements))
        : db.transaction((tx) => round((statements) => tx.batch(statements))),
  };
}
