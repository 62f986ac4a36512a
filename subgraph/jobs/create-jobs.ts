// Background AI jobs, assembled: the app's `jobs` table, the queue engine beside it in the same database, the
// change notifications, and this replica's runner. The resolvers see only this service: start, read, cancel,
// watch, and onJobFinished for whatever must follow a job's end (webhooks).
import { randomUUID } from 'node:crypto';
import type { Counter } from 'prom-client';
import type { TenantContext } from '../auth/tenant-context';
import type { JobsConfig, StoreConfig } from '../config';
import { JobLimitError } from '../errors/job-limit-error';
import { JobNotFoundError } from '../errors/job-not-found-error';
import { unreachable } from '../errors/unreachable';
import { askInputSchema, parseInput, summarizeInputSchema } from '../features/inputs';
import type { Logger } from '../observability/logger';
import { watchLoopUtilization } from '../observability/loop-utilization';
import type { Metrics } from '../observability/metrics';
import type { SqlDatabase } from '../retrieval/store/sql';
import { CONNECTING_ROLE } from '../retrieval/store/tenant-scope';
import type { JobExecutionDeps } from './job-execution';
import { createJobEvents } from './job-events';
import { createJobDispatcher } from './job-dispatch';
import { fairPicker } from './job-picker';
import { openJobQueue } from './job-queue';
import type { JobKind, JobRecord } from './job-record';
import { createJobRunner } from './job-runner';
import type { JobFinishedListener } from './job-runner';
import { createDocumentSummaries, keptSummaryInput } from './document-summaries';
import type { SummarizeOutcome } from '../features/feature-result';
import type { SqlExecutor } from '../retrieval/store/sql';
import { createJobStore } from './job-store';
import { jobUpdates } from './job-updates';
import { createWebhookDeliverer } from './webhook-deliverer';
import { createWebhookWorker, hasJobWebhook } from './webhook-worker';
import { createSweepWorker } from './sweep-worker';
import { createJobRetention } from './job-retention';

export interface JobsService {
  start(kind: JobKind, tenant: TenantContext, input: unknown): Promise<JobRecord>;
  /** Queues the summary of a stored document, kept with it once complete (ingestDocument's summarize). */
  startDocumentSummary(tenant: TenantContext, documentId: string): Promise<JobRecord>;
  /**
   * The job whose summary of the document at its current version is stored or still to come (queued or
   * running), or null: what an ingest of the same document again answers with instead of queuing another.
   */
  keptDocumentSummary(tenantId: string, documentId: string): Promise<string | null>;
  /** The documents' summaries made by such jobs, while each is at the version it was made of (null if none). */
  storedSummaries(tenantId: string, documentIds: readonly string[]): Promise<(SummarizeOutcome | null)[]>;
  /** The tenant's job; null for an unknown id and for another tenant's alike. */
  get(tenantId: string, id: string): Promise<JobRecord | null>;
  /** Cancels a job not final yet; the job as it now stands, or null like get. */
  cancel(tenantId: string, id: string): Promise<JobRecord | null>;
  /**
   * The job now and at each status change until a final one, as a stream to start (with the signal that ends
   * it); JobNotFoundError where get would answer null, before any stream starts.
   */
  updates(tenantId: string, id: string): Promise<(signal: AbortSignal) => AsyncGenerator<JobRecord>>;
  /** Registers a listener for every job reaching a final status on this replica; returns its removal. */
  onJobFinished(listener: JobFinishedListener): () => void;
  /**
   * This replica's runner takes no new job from now on; the runs going get `stopGraceMs` (from this call), then
   * are handed back to the queue. Resolves once none is left; called again (or by close()), the same promise.
   */
  stopRunning(): Promise<void>;
  /** stopRunning(), then the webhook, sweep and retention workers, the queue engine and the notifications. */
  close(): Promise<void>;
}

export interface JobsDeps {
  db: SqlDatabase;
  store: Pick<StoreConfig, 'schema' | 'appRole' | 'databaseUrl'>;
  execution: Omit<JobExecutionDeps, 'deadlineMs' | 'summaryPartChars' | 'summaries'>;
  logger: Logger;
  /** `ai_job_webhooks_total{outcome}`. */
  webhookOutcomes: Counter<'outcome'>;
  /** `ai_jobs_total`, the run and queue-wait histograms, the running gauge (none with a tenant label). */
  metrics: Pick<Metrics, 'jobs' | 'jobRunDuration' | 'jobQueueWait' | 'jobsRunning'>;
  /** How long stopRunning() (or close()) lets running jobs finish before handing them back to the queue. */
  stopGraceMs: number;
  /** The embedding sweep, run through the engine once per interval across replicas (sweep-worker.ts). */
  embeddingSweep: { run: () => Promise<unknown>; intervalMs: number };
}

/** pg-boss's schema beside the app's (`ai` -> `ai_queue`), dropped with nothing of the app's. */
export const queueSchemaOf = (schema: string): string => `${schema}_queue`;

export async function createJobs(config: JobsConfig, deps: JobsDeps): Promise<JobsService> {
  const { db, logger } = deps;
  const channel = deps.store.databaseUrl ? `${deps.store.schema}_jobs` : null;
  const tenants = deps.execution.tenants;
  const expireMs = config.deadlineMs + config.expiryMarginMs;
  const queue = await openJobQueue(
    db,
    {
      schema: queueSchemaOf(deps.store.schema),
      expireSeconds: Math.ceil(expireMs / 1000),
      retryLimit: config.retryLimit,
      retryDelaySeconds: config.retryDelaySeconds,
      maintenanceIntervalSeconds: config.maintenanceIntervalSeconds,
      webhookRetryLimit: config.webhookRetryLimit,
      webhookRetryDelaySeconds: config.webhookRetryDelaySeconds,
    },
    (error) => logger.warn({ err: error }, 'AI job queue maintenance failed; it runs again next interval'),
  );
  const summaries = createDocumentSummaries(db, deps.store);
  const store = createJobStore(db, {
    ...deps.store,
    notifyChannel: channel,
    finishing: (job) => summaries.completeStatement(job),
    // The notice commits with the job's final status, so a restart between the two loses neither; the
    // engine's tables are not the tenant's, hence the connecting role (the transaction's last statement).
    onFinal: {
      applies: (tenantId) => hasJobWebhook(tenants, tenantId),
      async run(tx, job) {
        await tx.query(CONNECTING_ROLE.text);
        await queue.sendWebhook(tx, { jobId: job.id, tenantId: job.tenantId });
      },
    },
  });
  const webhooks = createWebhookWorker({
    queue,
    find: (tenantId, id) => store.find(tenantId, id),
    tenants,
    deliverer: createWebhookDeliverer({ logger, outcomes: deps.webhookOutcomes }),
    retries: { limit: config.webhookRetryLimit, delaySeconds: config.webhookRetryDelaySeconds },
    logger,
    // Idle unless jobs end; a replica that runs no jobs delivers no notices either.
    concurrency: config.concurrency > 0 ? 4 : 0,
    pollIntervalMs: config.pollIntervalMs,
  });
  const events = await createJobEvents({
    listen:
      deps.store.databaseUrl && channel ? { connectionString: deps.store.databaseUrl, channel } : undefined,
    onListenError: (error) =>
      logger.warn(
        { err: error },
        'AI job notifications lost; job subscriptions and cancels poll until they are back (tried again with backoff)',
      ),
    onListenRestored: () => logger.info('AI job notifications back; watched jobs read again'),
  }).catch(async (error: unknown) => {
    await queue.stop();
    throw error;
  });
  const listeners = new Set<JobFinishedListener>();
  const finished: JobFinishedListener = (job) => {
    // Counted where the final status was written: each job once, on one replica.
    deps.metrics.jobs.inc({ kind: job.kind, outcome: job.status });
    webhooks.jobEnded(job.tenantId);
    for (const listener of listeners) {
      try {
        listener(job);
      } catch (error) {
        logger.error({ err: error, jobId: job.id }, 'AI job finish listener failed');
      }
    }
  };
  const runner = createJobRunner({
    queue,
    store,
    events,
    picker: fairPicker(
      queue,
      createJobDispatcher({
        db,
        schema: deps.store.schema,
        appRole: deps.store.appRole,
        queue,
        tenants,
        concurrency: config.concurrency,
      }),
      config.pollIntervalMs,
    ),
    execution: {
      ...deps.execution,
      summaries,
      deadlineMs: config.deadlineMs,
      summaryPartChars: config.summaryPartChars,
    },
    tenants,
    logger,
    concurrency: config.concurrency,
    loopHasRoom: roomForRuns(
      { loop: config.maxLoopUtilization, database: config.maxDatabaseUtilization },
      db,
    ),
    pollIntervalMs: config.pollIntervalMs,
    // Lapses before the engine's expiry brings the job back, so the retry can take it over.
    claimHoldMs: config.deadlineMs + Math.floor(config.expiryMarginMs / 2),
    finished,
    metrics: deps.metrics,
  });
  const sweep = createSweepWorker({
    name: 'embedding sweep',
    sweeps: queue.sweeps,
    run: deps.embeddingSweep.run,
    logger,
    // A replica that only queues runs no sweep either.
    intervalMs: config.concurrency > 0 ? deps.embeddingSweep.intervalMs : 0,
  });
  const purge = createJobRetention(db, { ...deps.store, retentionDays: config.retentionDays });
  const retention = createSweepWorker({
    name: 'job retention',
    sweeps: queue.retentionRuns,
    run: () => purge.purge(),
    logger,
    // Like the sweep, on the replicas that run jobs; none at all when finished jobs are kept forever.
    intervalMs: config.concurrency > 0 && config.retentionDays > 0 ? config.retentionIntervalMs : 0,
  });
  runner.start();
  let runnerStopped: Promise<void> | undefined;
  const stopRunning = () => (runnerStopped ??= runner.stop(deps.stopGraceMs));
  webhooks.start();
  sweep.start();
  retention.start();

  /** Queues a job of `input`, checked already (tenant content: stored, never logged). */
  async function enqueue(
    kind: JobKind,
    tenant: TenantContext,
    input: unknown,
    alongside?: (tx: SqlExecutor, id: string) => Promise<void>,
  ): Promise<JobRecord> {
    const { tenantId } = tenant;
    const id = randomUUID();
    const queueJobId = randomUUID();
    const { maxQueued } = tenant.policy.jobs;
    // The row waits in its tenant's queue; the dispatcher gives it its engine job (queueJobId) when the
    // fair picker admits it (job-dispatch.ts).
    const queued = { tenantId, id, kind, input, queueJobId };
    const job = await (alongside
      ? store.startWith(queued, maxQueued, (tx) => alongside(tx, id))
      : store.start(queued, maxQueued));
    if (!job) throw new JobLimitError('jobs.maxQueued', maxQueued);
    events.changed(id, job.status);
    // After this response is on its way: the runner's next pick is queries the caller need not wait behind.
    setImmediate(() => runner.wake());
    return job;
  }

  return {
    start(kind, tenant, raw) {
      switch (kind) {
        case 'summary': {
          const input = parseInput(summarizeInputSchema, raw);
          const { documentId } = input;
          if (!documentId) return enqueue(kind, tenant, input);
          // A stored document's summary is of the document as it is now: its version pinned with the job, in
          // the same transaction, so its run and its end can tell it was deleted or changed (pinnedDocument).
          return enqueue(kind, tenant, input, (tx, id) => summaries.pin(tx, tenant.tenantId, id, documentId));
        }
        case 'answer':
          return enqueue(kind, tenant, parseInput(askInputSchema, raw));
        default:
          return unreachable(kind);
      }
    },
    // Marked as kept with the document, so that its run first checks the document is still the one asked about.
    startDocumentSummary: (tenant, documentId) =>
      enqueue(
        'summary',
        tenant,
        keptSummaryInput(parseInput(summarizeInputSchema, { documentId })),
        (tx, id) => summaries.request(tx, tenant.tenantId, documentId, id),
      ),
    keptDocumentSummary: (tenantId, documentId) => summaries.keptJob(tenantId, documentId),
    storedSummaries: (tenantId, documentIds) => summaries.findMany(tenantId, documentIds),
    get: (tenantId, id) => store.find(tenantId, id),
    async cancel(tenantId, id) {
      const ended = await store.end(tenantId, id, 'cancelled');
      if (!ended) return null;
      if (ended.changed) {
        events.changed(id, ended.job.status);
        // A run going here stops now; one on another replica when it sees the change (run-cancel.ts). A
        // queued engine job goes too; a running one is settled by its runner, with no result.
        runner.cancel(id);
        await queue.cancel(ended.queueJobId).catch(() => undefined);
        finished(ended.job);
      }
      return ended.job;
    },
    async updates(tenantId, id) {
      const first = await store.find(tenantId, id);
      if (!first) throw new JobNotFoundError();
      return (signal) =>
        jobUpdates(
          { find: (tenant, job) => store.find(tenant, job), events, pollMs: config.pollIntervalMs },
          first,
          signal,
        );
    },
    onJobFinished(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stopRunning,
    async close() {
      await stopRunning();
      await Promise.all([webhooks.stop(), sweep.stop(), retention.stop()]);
      await Promise.allSettled([queue.stop(), events.close()]);
    },
  };
}

/**
 * Room for another run: this event loop busy at most `loop` of the last window, and PGlite's thread at most
 * `database` (a limit of 1 is no limit).
 */
function roomForRuns(limits: { loop: number; database: number }, db: SqlDatabase): () => boolean {
  const checks: (() => boolean)[] = [];
  if (limits.loop < 1) {
    const loop = watchLoopUtilization();
    checks.push(() => loop.busy() <= limits.loop);
  }
  if (limits.database < 1 && db.threadUtilization) {
    const thread = watchLoopUtilization(db.threadUtilization);
    checks.push(() => thread.busy() <= limits.database);
  }
  return () => checks.every((check) => check());
}
