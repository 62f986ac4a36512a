// The app-owned `jobs` table (migration 010_jobs.sql): every read and write inside the tenant's scope, so row
// level security holds whatever a query forgets. Status changes are guarded in SQL (see the migration's header),
// and each one is announced on the store's NOTIFY channel (PostgreSQL) for the other replicas' subscriptions.
import {
  CONNECTING_ROLE,
  inTenantScope,
  queryInTenantScope,
  tenantScopeStatement,
} from '../retrieval/store/tenant-scope';
import type {
  SqlDatabase,
  SqlExecutor,
  SqlStatement,
  SqlTransaction,
  TransactionPriority,
} from '../retrieval/store/sql';
import { isFinal } from './job-record';
import type { JobKind, JobRecord, JobStatus } from './job-record';
import { COLUMNS, isJobId, toRecord } from './job-row';
import type { JobRow } from './job-row';
import type { ClaimOutcome, FinishedJob, NewJob, RunEnd } from './job-store-types';

export interface JobStoreOptions {
  schema: string;
  appRole: string;
  /** The LISTEN/NOTIFY channel status changes are announced on; null where no replica listens (PGlite). */
  notifyChannel: string | null;
  /** A statement to run in the batch that completes or fails a run, after the update (its document summary). */
  finishing?: (job: FinishedJob) => SqlStatement | null;
  /**
   * Runs inside the transaction that makes a job final (completed, failed or cancelled), after the update, for
   * the tenants `applies` picks: what must follow a job's end durably (its webhook notice) commits with that
   * status or not at all. For the other tenants a run ends in one batch, no turn of the event loop inside it.
   */
  onFinal?: { applies(tenantId: string): boolean; run(tx: SqlExecutor, job: JobRecord): Promise<void> };
}

/** `statements` after a switch back to the connecting role: the engine's tables are not the tenant's. */
const asConnectingRole = (statements: readonly SqlStatement[]): SqlStatement[] =>
  statements.length === 0 ? [] : [CONNECTING_ROLE, ...statements];

export function createJobStore(db: SqlDatabase, options: JobStoreOptions) {
  const table = `${options.schema}.jobs`;
  const scoped = <T>(tenantId: string, work: (tx: SqlTransaction) => Promise<T>) =>
    inTenantScope(db, options.appRole, tenantId, work);
  /**
   * The first statement of a transaction holding the tenant's lock: the scope (as `scoped` sets it) and the
   * lock in one round trip. The lock serializes a tenant's limit checks (maxQueued at start, maxRunning at
   * claim) over every replica; the statements after it take their snapshots once it is held, so they see every
   * job its previous holder committed.
   */
  const lockStatement = (tenantId: string): SqlStatement =>
    tenantScopeStatement(
      options.appRole,
      tenantId,
      // PGlite runs one transaction at a time for its one process: the lock could never be contended there.
      db.dialect === 'postgres' ? `ai-jobs:${options.schema}:${tenantId}` : undefined,
    );
  /** Like `scoped`, holding the tenant's lock from the first statement (lockStatement). */
  const lockedScope = <T>(
    tenantId: string,
    priority: TransactionPriority,
    work: (tx: SqlExecutor) => Promise<T>,
  ) =>
    db.transaction(
      async (tx) => {
        const { text, params } = lockStatement(tenantId);
        await tx.query(text, params);
        return work(tx);
      },
      'read-write',
      priority,
    );
  const announce = async (tx: SqlExecutor, id: string, status: JobStatus) => {
    // Delivered at commit, to every replica listening; the payload is the id and the status, never tenant
    // content (job-events.ts reads it).
    if (options.notifyChannel)
      await tx.query('SELECT pg_notify($1, $2)', [options.notifyChannel, `${id} ${status}`]);
  };
  /**
   * A select list's column announcing the changed row (its id and status columns, under `row.` when the select
   * joins), like `announce` but inside the statement that makes the change, not one more round trip after it:
   * the statement's $1 is the channel, null for none; a row with no id (nothing changed) announces nothing.
   */
  const announced = (row = '') =>
    `, CASE WHEN $1::text IS NOT NULL AND ${row}id IS NOT NULL
            THEN pg_notify($1::text, ${row}id::text || ' ' || ${row}status::text) END AS announced`;
  const channel = options.notifyChannel;
  /**
   * Adds a queued job unless the tenant already has `maxQueued` jobs queued (no row then): the count and the
   * insert are one statement, run after lockStatement, so two starts can never both pass the limit.
   */
  const insertQueued = (job: NewJob, maxQueued: number): SqlStatement => ({
    text: `WITH added AS (
             INSERT INTO ${table} (tenant_id, id, kind, status, input, queue_job_id)
             SELECT $2, $3, $4, 'queued', $5::jsonb, $6
             WHERE (SELECT count(*) FROM ${table} WHERE tenant_id = $2 AND status = 'queued') < $7
             RETURNING ${COLUMNS}
           )
           SELECT ${COLUMNS}${announced()} FROM added`,
    params: [channel, job.tenantId, job.id, job.kind, JSON.stringify(job.input), job.queueJobId, maxQueued],
  });
  const added = (rows: unknown[]) => (rows[0] ? toRecord(rows[0] as JobRow) : null);

  return {
    /**
     * Queues a job unless its tenant has `maxQueued` queued already (null then), in one batch (lock, then count
     * and insert): a request waits on it, so on PGlite it is one message, begun `first` (TransactionPriority).
     */
    async start(job: NewJob, maxQueued: number): Promise<JobRecord | null> {
      const [, inserted] = await db.batch(
        [lockStatement(job.tenantId), insertQueued(job, maxQueued)],
        'first',
      );
      return added(inserted?.rows ?? []);
    },

    /**
     * Like start, with `alongside` run in the same transaction once the job is inserted (what must commit
     * with it, e.g. a document summary's request); nothing is written when the limit refuses the job.
     */
    startWith(
      job: NewJob,
      maxQueued: number,
      alongside: (tx: SqlExecutor) => Promise<void>,
    ): Promise<JobRecord | null> {
      return lockedScope(job.tenantId, 'first', async (tx) => {
        const { text, params } = insertQueued(job, maxQueued);
        const record = added((await tx.query(text, params)).rows);
        if (record) await alongside(tx);
        return record;
      });
    },

    async find(tenantId: string, id: string): Promise<JobRecord | null> {
      if (!isJobId(id)) return null;
      const result = await queryInTenantScope<JobRow>(db, options.appRole, tenantId, {
        text: `SELECT ${COLUMNS} FROM ${table} WHERE tenant_id = $1 AND id = $2`,
        params: [tenantId, id],
      });
      const row = result.rows[0];
      return row ? toRecord(row) : null;
    },

    /**
     * Takes the job for one run: from 'queued', or from 'running' whose claim lapsed (its runner's replica
     * died). `maxRunning` counts the tenant's live claims, under the tenant's lock so replicas agree.
     */
    async claim(
      tenantId: string,
      id: string,
      claim: { claimId: string; holdMs: number; maxRunning: number },
    ): Promise<ClaimOutcome> {
      // One batch (on PGlite one message, so the tenant's lock and the one connection are held for no turn
      // of this event loop): the lock, then the take, counting the tenant's live claims under the lock. The
      // take's statement also reads the job as it stood before it (the statement's snapshot), used only when it
      // found nothing to take: one row always, the taken columns null then.
      const [, taken] = await db.batch([
        lockStatement(tenantId),
        {
          text: `WITH taken AS (
                   UPDATE ${table}
                   SET status = 'running', attempts = attempts + 1, claim_id = $4,
                       claim_expires_at = now() + $5::integer * interval '1 millisecond',
                       started_at = COALESCE(started_at, now())
                   WHERE tenant_id = $2 AND id = $3
                     AND (status = 'queued' OR (status = 'running' AND claim_expires_at <= now()))
                     AND (SELECT count(*) FROM ${table}
                          WHERE tenant_id = $2 AND status = 'running' AND claim_expires_at > now()) < $6
                   RETURNING id, status, kind, input, attempts,
                     GREATEST(0, EXTRACT(EPOCH FROM (now() - created_at))) AS waited_s,
                     started_at = now() AS first_start
                 )
                 SELECT t.kind, t.input, t.attempts, t.waited_s, t.first_start${announced('t.')},
                        j.status AS current_status,
                        GREATEST(0, EXTRACT(EPOCH FROM (j.claim_expires_at - now())) * 1000) AS held_ms
                 FROM (SELECT 1) AS one
                 LEFT JOIN taken t ON true
                 LEFT JOIN ${table} j ON j.tenant_id = $2 AND j.id = $3`,
          params: [channel, tenantId, id, claim.claimId, claim.holdMs, claim.maxRunning],
        },
      ]);
      const row = taken?.rows[0] as
        | {
            kind: JobKind | null;
            input: unknown;
            attempts: number | null;
            waited_s: number | string | null;
            first_start: boolean | null;
            current_status: JobStatus | null;
            held_ms: number | string | null;
          }
        | undefined;
      if (row?.kind) {
        const job = {
          kind: row.kind,
          input: row.input,
          attempts: Number(row.attempts),
          waitedSeconds: Number(row.waited_s),
          firstStart: row.first_start === true,
        };
        return { kind: 'claimed', job };
      }
      if (!row?.current_status || isFinal(row.current_status)) return { kind: 'gone' };
      if (row.current_status === 'running' && row.held_ms !== null && Number(row.held_ms) > 0) {
        return { kind: 'held', forMs: Number(row.held_ms) };
      }
      return { kind: 'busy' };
    },

    /**
     * Ends the run holding `claimId`; null when the claim no longer holds (cancelled, or taken over). `engine`:
     * statements on the job engine's tables (its completion), run after as the connecting role, whatever the
     * end found.
     */
    async finish(
      tenantId: string,
      id: string,
      claimId: string,
      end: RunEnd,
      engine: readonly SqlStatement[] = [],
    ): Promise<JobRecord | null> {
      // Announced in the same statement: one round trip less for every job a runner ends.
      const ended: SqlStatement = {
        text: `WITH ended AS (
                 UPDATE ${table}
                 SET status = $5, result = $6::jsonb, completed_at = now(), claim_id = NULL, claim_expires_at = NULL
                 WHERE tenant_id = $2 AND id = $3 AND claim_id = $4 AND status = 'running'
                 RETURNING ${COLUMNS}
               )
               SELECT ${COLUMNS}${announced()} FROM ended`,
        params: [
          channel,
          tenantId,
          id,
          claimId,
          end.status,
          end.result === null ? null : JSON.stringify(end.result),
        ],
      };
      const after = options.finishing?.({ tenantId, id, ...end }) ?? null;
      const onFinal = options.onFinal?.applies(tenantId) ? options.onFinal : null;
      if (!onFinal) {
        // One batch: on PGlite the one connection is held for no turn of the event loop, on PostgreSQL one trip.
        const [, result] = await db.batch([
          tenantScopeStatement(options.appRole, tenantId),
          ended,
          ...(after ? [after] : []),
          ...asConnectingRole(engine),
        ]);
        const row = result?.rows[0] as JobRow | undefined;
        return row ? toRecord(row) : null;
      }
      return scoped(tenantId, async (tx) => {
        const row = (await tx.query<JobRow>(ended.text, ended.params)).rows[0];
        const job = row ? toRecord(row) : null;
        if (job && after) await tx.query(after.text, after.params);
        if (job) await onFinal.run(tx, job);
        if (engine.length > 0) await tx.batch(asConnectingRole(engine));
        return job;
      });
    },

    /** Hands a run back to the queue (a retryable error, or this replica shutting down). */
    release(tenantId: string, id: string, claimId: string): Promise<boolean> {
      return scoped(tenantId, async (tx) => {
        const result = await tx.query(
          `UPDATE ${table} SET status = 'queued', claim_id = NULL, claim_expires_at = NULL
           WHERE tenant_id = $1 AND id = $2 AND claim_id = $3 AND status = 'running' RETURNING 1`,
          [tenantId, id, claimId],
        );
        if (result.rows.length > 0) await announce(tx, id, 'queued');
        return result.rows.length > 0;
      });
    },

    /**
     * Puts a run back to the queue as if it had not started: refused by one of our own limits before it did any
     * work, it is no try of the job's, so the claim's count of attempts is taken back.
     */
    putBack(tenantId: string, id: string, claimId: string): Promise<boolean> {
      return scoped(tenantId, async (tx) => {
        const result = await tx.query(
          `UPDATE ${table}
           SET status = 'queued', attempts = GREATEST(0, attempts - 1), claim_id = NULL, claim_expires_at = NULL
           WHERE tenant_id = $1 AND id = $2 AND claim_id = $3 AND status = 'running' RETURNING 1`,
          [tenantId, id, claimId],
        );
        if (result.rows.length > 0) await announce(tx, id, 'queued');
        return result.rows.length > 0;
      });
    },

    /**
     * Ends a job that is not final yet with `status` whoever holds it: 'cancelled' by its tenant, 'failed' when
     * its last try was lost (the dead letter). Returns the job as it now stands (final either way), its engine
     * job id, and whether this call changed it; null for an unknown id.
     */
    end(
      tenantId: string,
      id: string,
      status: 'cancelled' | 'failed',
    ): Promise<{ job: JobRecord; queueJobId: string; changed: boolean } | null> {
      if (!isJobId(id)) return Promise.resolve(null);
      return scoped(tenantId, async (tx) => {
        const changed = await tx.query<JobRow & { queue_job_id: string }>(
          `UPDATE ${table} SET status = $3, completed_at = now(), claim_id = NULL, claim_expires_at = NULL
           WHERE tenant_id = $1 AND id = $2 AND status IN ('queued', 'running')
           RETURNING ${COLUMNS}, queue_job_id`,
          [tenantId, id, status],
        );
        const row =
          changed.rows[0] ??
          (
            await tx.query<JobRow & { queue_job_id: string }>(
              `SELECT ${COLUMNS}, queue_job_id FROM ${table} WHERE tenant_id = $1 AND id = $2`,
              [tenantId, id],
            )
          ).rows[0];
        if (!row) return null;
        const job = toRecord(row);
        if (changed.rows[0]) {
          await announce(tx, id, job.status);
          if (options.onFinal?.applies(tenantId)) await options.onFinal.run(tx, job);
        }
        return { job, queueJobId: row.queue_job_id, changed: changed.rows.length > 0 };
      });
    },
  };
}

export type JobStore = ReturnType<typeof createJobStore>;
