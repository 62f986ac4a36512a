// The queue engine: pg-boss on the app's own database (PGlite or PostgreSQL, through boss-database.ts), its
// tables in a schema of their own. Its jobs carry only ids ({ jobId, tenantId }); what they are about is in the
// app's `jobs` table. A job held past its expiry (its replica died) is failed by pg-boss's maintenance and
// retried with backoff; after the last try it lands in the dead-letter queue, which a runner turns into FAILED.
import PgBoss from 'pg-boss';
import { z } from 'zod';
import type { SqlDatabase, SqlExecutor, SqlStatement } from '../retrieval/store/sql';
import { bossDatabase, bossDatabaseIn } from './boss-database';
import type { BossDatabase } from './boss-database';

export const JOB_QUEUE = 'ai-jobs';
export const DEAD_LETTER_QUEUE = 'ai-jobs-dead-letter';
/** A finished job's webhook notice to deliver: its own retries, no dead letter (a notice lost is logged). */
export const WEBHOOK_QUEUE = 'ai-job-webhook';
export type QueueName = typeof JOB_QUEUE | typeof DEAD_LETTER_QUEUE | typeof WEBHOOK_QUEUE;
/** The embedding sweep's runs: 'stately' (at most one queued and one running, across replicas). */
export const EMBEDDING_SWEEP_QUEUE = 'ai-embedding-sweep';
/** The runs deleting finished jobs past JOB_RETENTION_DAYS (job-retention.ts): stately, like the sweep's. */
export const JOB_RETENTION_QUEUE = 'ai-job-retention';
/** A sweep's run held this long belongs to a replica that died: pg-boss's maintenance frees the queue. */
const SWEEP_EXPIRE_SECONDS = 600;

export interface JobQueueSettings {
  /** pg-boss's own schema. */
  schema: string;
  /** How long a fetched job may stay active before pg-boss takes it back: the job deadline plus a margin. */
  expireSeconds: number;
  /** Tries after the first, each after retryDelaySeconds doubled per try (with jitter). */
  retryLimit: number;
  retryDelaySeconds: number;
  /** How often pg-boss looks for expired jobs (one replica does, per interval). */
  maintenanceIntervalSeconds: number;
  /** The webhook notices' retries: tries after the first, the first wait (doubled per try, jittered). */
  webhookRetryLimit: number;
  webhookRetryDelaySeconds: number;
}

const jobDataSchema = z.object({ jobId: z.string().uuid(), tenantId: z.string().min(1) });
export type QueuedJobData = z.infer<typeof jobDataSchema>;

/** An engine job fetched for running: active in pg-boss until completed, failed or expired. */
export interface FetchedJob {
  queue: QueueName;
  queueJobId: string;
  data: QueuedJobData;
  /** Tries before this one, and how many retries the job has in all. */
  retryCount: number;
  retryLimit: number;
}

export interface JobQueue {
  /**
   * The engine jobs of admitted jobs as one statement for the caller's batch (run as the connecting role), so
   * they commit with the admission. An id already in the engine is skipped (pg-boss inserts ON CONFLICT DO
   * NOTHING).
   */
  sendAllStatement(jobs: readonly { data: QueuedJobData; queueJobId: string }[]): Promise<SqlStatement>;
  /**
   * How many engine jobs a runner could fetch now (one row, `ready`), as one statement for the caller's batch
   * (run as the connecting role): fetch's own condition, queued or up for a retry with its start time come. A
   * job waiting out its retry backoff, or handed back to start later, is not ready until that time.
   */
  readyStatement(): SqlStatement;
  /**
   * Queues the fetched job again as a new engine job, to start after `seconds` (a job handed back, or waiting
   * its tenant's turn), and settles the fetched one. The new job keeps the tries the fetched one had left (its
   * retry limit is what remained), so putting a job back never gives it more tries than it was queued with.
   */
  sendLater(job: FetchedJob, seconds: number): Promise<void>;
  /**
   * The next job of `queue` in pg-boss's order, taken (active until completed, failed or expired); with
   * `exceptTenants`, the next one of any other tenant (the webhook loop's fairness, webhook-worker.ts).
   */
  fetch(queue: QueueName, options?: { exceptTenants?: readonly string[] }): Promise<FetchedJob | null>;
  /**
   * Completes the engine job as this fetch took it, and only so: an engine job that expired and was fetched
   * again (pg-boss retries keep the id, counting the retry) belongs to that later fetch, and a stale run's end
   * leaves it alone.
   */
  complete(job: FetchedJob): Promise<void>;
  /**
   * complete() as a statement for the caller's batch (run as the connecting role): the run's end and its engine
   * job's completion then commit together, one trip to the store fewer per job.
   */
  completeStatement(job: FetchedJob): SqlStatement;
  /** A failed try: retried with backoff while tries remain, else the job goes to the dead-letter queue. */
  fail(job: FetchedJob): Promise<void>;
  /**
   * A failed try, not the last, to be tried again no sooner than `seconds` from now (a webhook receiver's
   * Retry-After, longer than the backoff): queued again as a new engine job holding the tries left after this
   * one, and the fetched one settled. pg-boss's fail() takes no delay of the caller's.
   */
  failAfter(job: FetchedJob, seconds: number): Promise<void>;
  cancel(queueJobId: string): Promise<void>;
  /** Queues a webhook notice inside `tx`: it exists exactly when the job's final status commits. */
  sendWebhook(tx: SqlExecutor, data: QueuedJobData): Promise<void>;
  /** The periodic runs of the embedding sweep, shared by all replicas. */
  sweeps: SweepQueue;
  /** The periodic runs of the finished jobs' retention, shared by all replicas. */
  retentionRuns: SweepQueue;
  stop(): Promise<void>;
}

export interface SweepQueue {
  /** Queues a run unless one was queued in this slot of `everySeconds` (by any replica) or one waits already. */
  offer(everySeconds: number): Promise<void>;
  /** Takes the queued run; null if there is none, or another replica's run is still going. */
  take(): Promise<string | null>;
  settle(runId: string, outcome: 'completed' | 'failed'): Promise<void>;
}

/** What a fetch reads of a job: pg-boss's own fetch, or fetchExceptTenants. */
interface FetchedRow {
  id: string;
  data: unknown;
  retryCount: number;
  retryLimit: number;
}

/** PostgreSQL's unique_violation: a stately queue's fetch meeting the run another replica holds. */
const isUniqueViolation = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';

export async function openJobQueue(
  db: SqlDatabase,
  settings: JobQueueSettings,
  onError: (error: unknown) => void,
): Promise<JobQueue> {
  const boss = new PgBoss({
    db: bossDatabase(db),
    schema: settings.schema,
    migrate: true,
    supervise: true,
    // No cron schedules: the timekeeper's clock checks would only cost queries.
    schedule: false,
    maintenanceIntervalSeconds: settings.maintenanceIntervalSeconds,
  });
  boss.on('error', onError);
  await boss.start();
  const policy = {
    retryLimit: settings.retryLimit,
    retryDelay: settings.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: settings.expireSeconds,
  };
  // Both idempotent (ON CONFLICT DO NOTHING), so replicas starting together agree; updated so a changed
  // JOB_DEADLINE_MS or retry setting applies to jobs queued from now on.
  await boss.createQueue(DEAD_LETTER_QUEUE, { name: DEAD_LETTER_QUEUE, ...policy });
  await boss.createQueue(JOB_QUEUE, { name: JOB_QUEUE, ...policy, deadLetter: DEAD_LETTER_QUEUE });
  await boss.updateQueue(JOB_QUEUE, { name: JOB_QUEUE, ...policy, deadLetter: DEAD_LETTER_QUEUE });
  const webhookPolicy = {
    name: WEBHOOK_QUEUE,
    retryLimit: settings.webhookRetryLimit,
    retryDelay: settings.webhookRetryDelaySeconds,
    retryBackoff: settings.webhookRetryDelaySeconds > 0,
    // One POST is cut at 5 s: a notice held a minute belongs to a replica that died.
    expireInSeconds: 60,
  };
  await boss.createQueue(WEBHOOK_QUEUE, webhookPolicy);
  await boss.updateQueue(WEBHOOK_QUEUE, webhookPolicy);
  // pg-boss 10's fetch of one job (plans.js fetchNextJob: its order, its lock, its change to 'active' and its
  // retry count) with one condition more, the tenants to pass over; pg-boss's fetch takes no condition. The
  // index job_i5 (name, start_after) WHERE state < 'active' serves it as it serves pg-boss's own.
  const fetchExceptTenants = `
    WITH next AS (
      SELECT id FROM ${settings.schema}.job
      WHERE name = $1 AND state < 'active' AND start_after < now()
        AND NOT (COALESCE(data->>'tenantId', '') = ANY($2::text[]))
      ORDER BY priority DESC, created_on, id
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    )
    UPDATE ${settings.schema}.job j SET
      state = 'active',
      started_on = now(),
      retry_count = CASE WHEN j.started_on IS NOT NULL THEN j.retry_count + 1 ELSE j.retry_count END
    FROM next
    WHERE j.name = $1 AND j.id = next.id
    RETURNING j.id, j.data, j.retry_count AS "retryCount", j.retry_limit AS "retryLimit"`;
  // pg-boss 10's completion (plans.js completeJobs, no output) of the job as one fetch took it: its retry count
  // then. A fetch after an expiry counted one more, so a run whose engine job expired and was taken by another
  // run (its claim taken over too) completes nothing of that run's.
  const completeFetched = (job: FetchedJob): SqlStatement => ({
    text: `UPDATE ${settings.schema}.job SET completed_on = now(), state = 'completed', output = NULL
           WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3`,
    params: [job.queue, job.queueJobId, job.retryCount],
  });
  const sweeps = await openPeriodicQueue(boss, EMBEDDING_SWEEP_QUEUE);
  const retentionRuns = await openPeriodicQueue(boss, JOB_RETENTION_QUEUE);

  return {
    sendAllStatement: (jobs) =>
      keptStatement('an admission', [], async (db) => {
        await boss.insert(
          jobs.map((job) => ({ id: job.queueJobId, name: JOB_QUEUE, data: job.data })),
          { db } as PgBoss.InsertOptions,
        );
      }),
    readyStatement: () => ({
      // pg-boss 10's fetch (plans.js fetchNextJob) takes `state < 'active' AND start_after < now()`; its index
      // job_i5 (name, start_after) WHERE state < 'active' serves this count too.
      text: `SELECT count(*) AS ready FROM ${settings.schema}.job
             WHERE name = $1 AND state < 'active' AND start_after < now()`,
      params: [JOB_QUEUE],
    }),
    async sendLater(job, seconds) {
      // Into its own queue: a dead letter handed back stays one.
      await boss.send(job.queue, job.data, {
        ...(seconds > 0 ? { startAfter: seconds } : {}),
        // A fetch's retryCount counts its failed tries (an expiry is one); a job put back has not failed.
        retryLimit: Math.max(0, job.retryLimit - job.retryCount),
      });
      const { text, params } = completeFetched(job);
      await db.query(text, params);
    },
    async fetch(queue, options) {
      const except = options?.exceptTenants ?? [];
      const [job] =
        except.length === 0
          ? await boss.fetch<unknown>(queue, { batchSize: 1, includeMetadata: true })
          : ((await db.query(fetchExceptTenants, [queue, except])).rows as FetchedRow[]);
      if (!job) return null;
      const data = jobDataSchema.safeParse(job.data);
      if (!data.success) {
        // Not ours to run (written by hand, or by another release): out of the queue, for good.
        await boss.cancel(queue, job.id);
        return null;
      }
      return {
        queue,
        queueJobId: job.id,
        data: data.data,
        retryCount: job.retryCount,
        retryLimit: job.retryLimit,
      };
    },
    async complete(job) {
      const { text, params } = completeFetched(job);
      await db.query(text, params);
    },
    completeStatement: (job) => completeFetched(job),
    fail: (job) => boss.fail(job.queue, job.queueJobId),
    async failAfter(job, seconds) {
      await boss.send(job.queue, job.data, {
        startAfter: seconds,
        retryLimit: Math.max(0, job.retryLimit - job.retryCount - 1),
      });
      const { text, params } = completeFetched(job);
      await db.query(text, params);
    },
    cancel: (queueJobId) => boss.cancel(JOB_QUEUE, queueJobId),
    async sendWebhook(tx, data) {
      await boss.send(WEBHOOK_QUEUE, data, { db: bossDatabaseIn(tx) } as PgBoss.SendOptions);
    },
    sweeps,
    retentionRuns,
    // Not graceful: the runner has already settled or handed back what it ran.
    stop: () => boss.stop({ graceful: false, close: false, wait: true }),
  };
}

/** A periodic task's runs, one per interval across replicas ('stately' with sendThrottled; see sweep-worker.ts). */
async function openPeriodicQueue(boss: PgBoss, name: string): Promise<SweepQueue> {
  // No retries: the next interval's run is the retry.
  await boss.createQueue(name, {
    name,
    policy: 'stately',
    retryLimit: 0,
    expireInSeconds: SWEEP_EXPIRE_SECONDS,
  });
  return {
    async offer(everySeconds) {
      await boss.sendThrottled(name, {}, {}, Math.max(1, everySeconds));
    },
    async take() {
      try {
        const [run] = await boss.fetch(name, { batchSize: 1 });
        return run?.id ?? null;
      } catch (error) {
        // Promoting the queued run while another is active breaks the stately index: that run goes on.
        if (isUniqueViolation(error)) return null;
        throw error;
      }
    },
    settle: (runId, outcome) =>
      outcome === 'completed' ? boss.complete(name, runId) : boss.fail(name, runId),
  };
}

/**
 * The one statement pg-boss builds for `run`, kept instead of sent: `run` gets a `db` that records it and
 * answers with `rows` (what pg-boss reads back from it), so the caller can send it in a batch of its own.
 */
async function keptStatement(
  what: string,
  rows: unknown[],
  run: (db: BossDatabase) => Promise<unknown>,
): Promise<SqlStatement> {
  let kept: SqlStatement | null = null;
  await run({
    async executeSql(text, values) {
      kept = { text, params: values ?? [] };
      return { rows };
    },
  });
  if (!kept) throw new Error(`pg-boss built no statement for ${what}`);
  return kept;
}
