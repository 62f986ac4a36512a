// Runs the queued jobs of this replica, at most JOB_CONCURRENCY at once. Which job runs next is chosen in one
// place, the picker (job-picker.ts). A run claims the job (job-store.ts: the SQL-guarded status change that
// keeps two replicas off one job), runs its feature, and settles both the app's row and the engine's job.
// A run that throws (a bug, the database away) is retried by the engine with backoff; the last try's failure
// is FAILED. On stop, runs still going after the grace are handed back to the queue for another replica. A
// cancel (cancel() here, or seen through run-cancel.ts when made elsewhere) aborts the run's model calls: the
// run ends with nothing written (the cancel wrote CANCELLED) and its engine job settled without a retry. A run
// whose work is no longer wanted (NOT_WANTED: its document deleted or changed) ends CANCELLED the same way,
// also when that happens during the run (the end's own transaction cancels it: document-summaries.ts).
// A run refused by one of our own limits is put back to start again once the limit has room, spending no try,
// instead of ending COMPLETED with the refusal (own-limit-refusal.ts).
import { randomUUID } from 'node:crypto';
import { unreachable } from '../errors/unreachable';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { TenantPolicies } from '../tenancy/tenant-policies';
import { endsWithDocument } from './document-summaries';
import type { JobEvents } from './job-events';
import { NOT_WANTED, executeJob } from './job-execution';
import type { JobExecutionDeps } from './job-execution';
import type { JobPicker } from './job-picker';
import { DEAD_LETTER_QUEUE } from './job-queue';
import type { FetchedJob, JobQueue } from './job-queue';
import type { JobRecord } from './job-record';
import type { JobStore } from './job-store';
import type { ClaimedJob } from './job-store-types';
import { REFUSED_WAIT_LIMIT_SECONDS, refusedByOurLimits, refusedForGood } from './own-limit-refusal';
import { watchRunCancel } from './run-cancel';
import type { RunCancel } from './run-cancel';
import { wakeablePause } from './wakeable-pause';

/** Called once a job reaches a final status (completed, failed or cancelled): webhooks hook in here. */
export type JobFinishedListener = (job: JobRecord) => void;

export interface JobRunnerDeps {
  queue: JobQueue;
  store: JobStore;
  events: JobEvents;
  picker: JobPicker;
  execution: JobExecutionDeps;
  tenants: TenantPolicies;
  logger: Logger;
  concurrency: number;
  /**
   * Whether the process has room for another run now (loop-utilization.ts): background work gives way to the
   * requests callers wait on. Asked only while a run is going, so jobs never stall altogether.
   */
  loopHasRoom: () => boolean;
  pollIntervalMs: number;
  /** How long a claim holds: the job deadline plus part of the margin, less than the engine's expiry. */
  claimHoldMs: number;
  finished: JobFinishedListener;
  metrics: Pick<Metrics, 'jobs' | 'jobRunDuration' | 'jobQueueWait' | 'jobsRunning'>;
}

export interface JobRunner {
  start(): void;
  /** Looks for work now (a job was just queued, or a run ended). */
  wake(): void;
  /** Aborts the job's run if this replica runs it (its tenant cancelled it): its model calls end now. */
  cancel(jobId: string): void;
  /** Takes no new job; waits up to `graceMs` for the runs going, then hands the rest back to the queue. */
  stop(graceMs: number): Promise<void>;
}

interface Run {
  done: Promise<void>;
  /** Set when stop() handed the job back: the run's end must then touch nothing. */
  abandoned: boolean;
  handBack(): Promise<void>;
}

export function createJobRunner(deps: JobRunnerDeps): JobRunner {
  const { queue, store, logger, metrics } = deps;
  const runs = new Set<Run>();
  /** The claimed runs of this replica by job id, for cancel(). */
  const cancels = new Map<string, RunCancel>();
  let stopping = false;
  let loop: Promise<void> | null = null;
  const pause = wakeablePause();

  /** Puts the job back to start after `seconds`, with the tries it had left: waiting spends none. */
  const requeue = (job: FetchedJob, seconds: number) => queue.sendLater(job, seconds);

  async function runClaimed(job: FetchedJob, run: Run, claimId: string, claimed: ClaimedJob) {
    const { jobId, tenantId } = job.data;
    deps.events.changed(jobId, 'running');
    const kind = claimed.kind;
    metrics.jobs.inc({ kind, outcome: 'started' });
    // The first run's wait since the job was queued; a retry's would count its backoff as waiting.
    if (claimed.firstStart) metrics.jobQueueWait.observe({ kind }, claimed.waitedSeconds);
    metrics.jobsRunning.inc();
    const cancel = watchRunCancel(
      {
        events: deps.events,
        find: (tenant, id) => store.find(tenant, id),
        pollIntervalMs: deps.pollIntervalMs,
      },
      tenantId,
      jobId,
    );
    cancels.set(jobId, cancel);
    const stopClock = metrics.jobRunDuration.startTimer({ kind });
    try {
      return await runToEnd(job, run, claimId, claimed, cancel);
    } finally {
      stopClock();
      cancel.stop();
      if (cancels.get(jobId) === cancel) cancels.delete(jobId);
      metrics.jobsRunning.dec();
    }
  }

  /** The run's cancel: its row says CANCELLED already; the engine job is settled, never retried. */
  const settleCancelled = (job: FetchedJob) => queue.complete(job);

  /** Ends the run's job CANCELLED, as cancelAIJob would (create-jobs.ts): no result, no retry. */
  async function cancelUnwanted(job: FetchedJob, cancel: RunCancel): Promise<void> {
    const { jobId, tenantId } = job.data;
    // Its own end is not a cancel from elsewhere: the watch stops before hearing of it.
    cancel.stop();
    const ended = await store.end(tenantId, jobId, 'cancelled');
    await settleCancelled(job);
    if (ended?.changed) {
      deps.events.changed(jobId, ended.job.status);
      deps.finished(ended.job);
    }
  }

  /**
   * Puts a run refused by our own limits back to the queue, to start after `seconds`: its claim released and its
   * attempt taken back (no try of the job's), its engine job sent again with the tries it had left, as a job waiting
   * its tenant's turn is (`busy`). A claim no longer held (cancelled meanwhile, or taken over) leaves the job as
   * it is, its engine job settled as this fetch took it.
   */
  async function putBack(job: FetchedJob, claimId: string, cancel: RunCancel, seconds: number) {
    const { jobId, tenantId } = job.data;
    // Its own change back to QUEUED is not a cancel: the watch stops before hearing of it.
    cancel.stop();
    if (!(await store.putBack(tenantId, jobId, claimId))) return queue.complete(job);
    deps.events.changed(jobId, 'queued');
    await requeue(job, seconds);
  }

  async function runToEnd(
    job: FetchedJob,
    run: Run,
    claimId: string,
    claimed: ClaimedJob,
    cancel: RunCancel,
  ): Promise<void> {
    const { jobId, tenantId } = job.data;
    const cancelled = cancel.signal;
    let outcome;
    try {
      outcome = await executeJob(deps.execution, {
        jobId,
        kind: claimed.kind,
        input: claimed.input,
        tenantId,
        requestId: `job-${jobId}-${claimed.attempts}`,
        signal: cancelled,
      });
    } catch (error) {
      if (run.abandoned) return;
      if (cancelled.aborted) return settleCancelled(job);
      logger.error({ err: error, jobId, attempt: claimed.attempts }, 'AI job run failed');
      const lastTry = job.retryCount >= job.retryLimit;
      const ended = lastTry
        ? await store.finish(tenantId, jobId, claimId, {
            status: 'failed',
            result: null,
            input: claimed.input,
          })
        : null;
      const stillClaimed = lastTry ? ended !== null : await store.release(tenantId, jobId, claimId);
      cancel.stop();
      if (!stillClaimed) {
        // The claim no longer holds (the job cancelled, or its claim lapsed and another run took it over): the
        // failure is not the job's. Its engine job is settled as this fetch took it, without a retry; if another
        // run's fetch holds it now (an expiry and a retry), that run settles it.
        await queue.complete(job);
        return;
      }
      if (!lastTry) metrics.jobs.inc({ kind: claimed.kind, outcome: 'retried' });
      await queue.fail(job);
      deps.events.changed(jobId, ended?.status ?? 'queued');
      if (ended) deps.finished(ended);
      return;
    }
    if (run.abandoned) return;
    if (cancelled.aborted) return settleCancelled(job);
    if (outcome === NOT_WANTED) return cancelUnwanted(job, cancel);
    const retryAfter = refusedByOurLimits(outcome);
    // Waiting out the refusal keeps the job within its bound: the wait counts from when it was queued.
    if (retryAfter !== null && claimed.waitedSeconds + retryAfter <= REFUSED_WAIT_LIMIT_SECONDS)
      return putBack(job, claimId, cancel, retryAfter);
    const result = retryAfter === null ? outcome : refusedForGood(outcome, claimed.waitedSeconds);
    // Null when the job was cancelled meanwhile, or taken over: its result is dropped.
    // The engine job completes with the run's end, in one batch, whatever the end found, but only as this
    // run's fetch took it: a run taken over after an expiry leaves the engine job of the run that took over.
    const completed = await store.finish(
      tenantId,
      jobId,
      claimId,
      { status: 'completed', result, input: claimed.input },
      [queue.completeStatement(job)],
    );
    // A summary of a stored document (kept with it, or pinned to its version) ends CANCELLED instead, in the same
    // transaction, when the document was deleted or changed during the run (document-summaries.ts): read again,
    // what it ended as is announced.
    const ended =
      completed && endsWithDocument(claimed.input)
        ? ((await store.find(tenantId, jobId).catch(() => null)) ?? completed)
        : completed;
    if (ended) {
      // Its own end is not a cancel: the watch stops before hearing of it.
      cancel.stop();
      deps.events.changed(jobId, ended.status);
      deps.finished(ended);
    }
  }

  async function runOne(job: FetchedJob, run: Run, claimId: string): Promise<void> {
    const { jobId, tenantId } = job.data;
    if (job.queue === DEAD_LETTER_QUEUE) {
      // The last try was lost (its replica died each time): the job is FAILED, its dead letter settled.
      const ended = await store.end(tenantId, jobId, 'failed');
      await queue.complete(job);
      if (ended?.changed) {
        deps.events.changed(jobId, ended.job.status);
        deps.finished(ended.job);
      }
      return;
    }
    const claim = await store.claim(tenantId, jobId, {
      claimId,
      holdMs: deps.claimHoldMs,
      maxRunning: deps.tenants.forTenant(tenantId).jobs.maxRunning,
    });
    switch (claim.kind) {
      case 'gone':
        return queue.complete(job);
      case 'busy':
        // The tenant runs its jobs.maxRunning already: the job waits its turn without spending a try.
        return requeue(job, 1);
      case 'held':
        // A duplicate of a job another runner holds: looked at again once that claim would have lapsed.
        return requeue(job, Math.ceil(claim.forMs / 1000) + 1);
      case 'claimed':
        return runClaimed(job, run, claimId, claim.job);
      default:
        return unreachable(claim);
    }
  }

  function track(job: FetchedJob): void {
    const claimId = randomUUID();
    const run: Run = {
      abandoned: false,
      done: Promise.resolve(),
      async handBack() {
        run.abandoned = true;
        // Its result is no longer wanted: the model call is aborted now (its spend settled by the gateway),
        // not left running to its deadline on a replica going away.
        cancels.get(job.data.jobId)?.abort();
        if (await store.release(job.data.tenantId, job.data.jobId, claimId))
          deps.events.changed(job.data.jobId, 'queued');
        await requeue(job, 0);
      },
    };
    run.done = runOne(job, run, claimId)
      .catch((error: unknown) => {
        if (!run.abandoned)
          logger.error({ err: error, jobId: job.data.jobId }, 'AI job could not be settled');
      })
      .finally(() => {
        runs.delete(run);
        pause.wake();
      });
    runs.add(run);
  }

  async function work(): Promise<void> {
    while (!stopping) {
      // Held back while the loop is busy: a run ending wakes this loop to look again.
      while (!stopping && runs.size < deps.concurrency && (runs.size === 0 || deps.loopHasRoom())) {
        let next: FetchedJob | null;
        try {
          next = await deps.picker.next();
        } catch (error) {
          logger.warn({ err: error }, 'AI job queue could not be read; trying again');
          break;
        }
        if (!next || stopping) {
          // Picked as the runner stopped: handed straight back; if that fails, the queue retries it on expiry.
          if (next) {
            const jobId = next.data.jobId;
            await requeue(next, 0).catch((error: unknown) => {
              logger.warn(
                { err: error, jobId },
                'AI job picked while stopping could not be handed back; the queue retries it after its expiry',
              );
            });
          }
          break;
        }
        track(next);
      }
      if (stopping) break;
      await pause.sleep(deps.pollIntervalMs);
    }
  }

  return {
    start() {
      if (loop || deps.concurrency === 0) return;
      loop = work();
    },
    wake: () => pause.wake(),
    cancel: (jobId) => cancels.get(jobId)?.abort(),
    async stop(graceMs) {
      stopping = true;
      pause.wake();
      await loop;
      const going = [...runs];
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.allSettled(going.map((run) => run.done)), grace]);
      clearTimeout(timer);
      await Promise.allSettled(
        [...runs].map((run) =>
          run.handBack().catch((error: unknown) => {
            logger.warn(
              { err: error },
              'AI job could not be handed back; the queue retries it after its expiry',
            );
          }),
        ),
      );
    },
  };
}
