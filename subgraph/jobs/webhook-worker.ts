// Delivers the webhook notices queued with each job's final status (job-store.ts's onFinal, in the same
// transaction): a loop of its own beside the job runner, so a slow receiver never holds a job worker. Each
// notice carries ids only; the handler reads the job row and the tenant's policy as they are now (a rotated
// secret applies at once, a removed webhook sends nothing), makes one signed POST, and on a retryable outcome
// fails the engine job so pg-boss tries again with its backoff; after the last try the notice is dropped
// (logged and counted as `exhausted`), the job's result staying readable through `aiJob`. A receiver's
// Retry-After longer than the backoff (a 429 or 503 saying when) is honoured: the notice waits that long, up to
// an hour, its tries counted on. Notices are taken
// oldest first, but never more than half the POSTs in flight for one tenant: a receiver that hangs until the
// timeout delays its own tenant's notices, not everyone's.
import type { Logger } from '../observability/logger';
import type { TenantPolicies } from '../tenancy/tenant-policies';
import { unreachable } from '../errors/unreachable';
import { WEBHOOK_QUEUE } from './job-queue';
import type { FetchedJob, JobQueue } from './job-queue';
import { isFinal } from './job-record';
import type { JobRecord } from './job-record';
import type { WebhookDeliverer } from './webhook-deliverer';
import type { JobNotification } from './webhook-notification';
import { wakeablePause } from './wakeable-pause';

export interface WebhookWorkerDeps {
  queue: Pick<JobQueue, 'fetch' | 'complete' | 'fail' | 'failAfter'>;
  /** The webhook queue's tries after the first, and the first retry's delay, doubled per try (job-queue.ts). */
  retries: { limit: number; delaySeconds: number };
  /** The job as its tenant sees it (row level security holds). */
  find(tenantId: string, jobId: string): Promise<JobRecord | null>;
  tenants: TenantPolicies;
  deliverer: Pick<WebhookDeliverer, 'sendOnce'>;
  logger: Logger;
  /**
   * POSTs in flight at once on this replica; one tenant's at most half of them (rounded up), so a receiver that
   * hangs until the timeout, and its retries, leave the other tenants' notices room.
   */
  concurrency: number;
  pollIntervalMs: number;
}

export interface WebhookWorker {
  start(): void;
  /**
   * A job of `tenantId` just ended here: looks for its notice now when the tenant has a webhook. A tenant
   * without one queued no notice, and a fetch of the empty queue per job would cost the store a query each
   * (most of a busy runner's webhook fetches before this). Notices queued elsewhere, and retries after their
   * backoff, are found by the poll.
   */
  jobEnded(tenantId: string): void;
  /** Takes no new notice; resolves once the POSTs in flight have ended (each is cut by its timeout). */
  stop(): Promise<void>;
}

/** The longest a receiver's Retry-After delays its notice: past it, a receiver's hint reads as a fault. */
const MAX_RETRY_AFTER_SECONDS = 3_600;

/** Whether the tenant's jobs are announced: a notice is queued for its finished jobs, and only for them. */
export const hasJobWebhook = (tenants: TenantPolicies, tenantId: string): boolean =>
  tenants.forTenant(tenantId).jobs.webhook !== undefined;

/** The union member's typename, as `AIJob.summary` / `AIJob.answer` would report it. */
function resultType(job: JobRecord): string | null {
  if (!job.result) return null;
  const names = job.kind === 'summary' ? ['Summary', 'DegradedSummary'] : ['Answer', 'DegradedAnswer'];
  switch (job.result.kind) {
    case 'full':
      return names[0]!;
    case 'degraded':
      return names[1]!;
    case 'unavailable':
      return 'AIUnavailable';
    default:
      return unreachable(job.result);
  }
}

export function jobNotification(job: JobRecord): JobNotification {
  return {
    id: job.id,
    tenantId: job.tenantId,
    kind: job.kind === 'summary' ? 'SUMMARY' : 'ANSWER',
    status: job.status.toUpperCase() as JobNotification['status'],
    resultType: resultType(job),
    attempts: job.attempts,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    completedAt: job.completedAt?.toISOString() ?? null,
  };
}

export function createWebhookWorker(deps: WebhookWorkerDeps): WebhookWorker {
  const { queue, logger } = deps;
  const inFlight = new Set<Promise<void>>();
  /** POSTs in flight per tenant: a tenant at perTenant is passed over by the fetch. */
  const tenantsInFlight = new Map<string, number>();
  const perTenant = Math.max(1, Math.ceil(deps.concurrency / 2));
  const fullTenants = () =>
    [...tenantsInFlight].filter(([, count]) => count >= perTenant).map(([tenantId]) => tenantId);
  let stopping = false;
  let loop: Promise<void> | null = null;
  const pause = wakeablePause();

  async function handle(notice: FetchedJob): Promise<void> {
    const { jobId, tenantId } = notice.data;
    const job = await deps.find(tenantId, jobId);
    const target = deps.tenants.forTenant(tenantId).jobs.webhook;
    if (!job || !target || !isFinal(job.status)) return queue.complete(notice);
    // Tries spent by the notice's earlier engine jobs: one queued again after a Retry-After holds fewer.
    const triedBefore = Math.max(0, deps.retries.limit - notice.retryLimit);
    const last = notice.retryCount >= notice.retryLimit;
    const outcome = await deps.deliverer.sendOnce(target, jobNotification(job), {
      number: triedBefore + notice.retryCount + 1,
      last,
    });
    if (outcome.kind !== 'retryable') return queue.complete(notice);
    // A failed engine job comes back after its backoff; the last one stays failed (sendOnce counted it).
    const waitSeconds = last
      ? null
      : retryAfterSeconds(outcome.retryAfterMs, triedBefore + notice.retryCount);
    return waitSeconds === null ? queue.fail(notice) : queue.failAfter(notice, waitSeconds);
  }

  /** The receiver's Retry-After in whole seconds (at most an hour) where longer than the try's backoff. */
  function retryAfterSeconds(retryAfterMs: number | undefined, tried: number): number | null {
    if (retryAfterMs === undefined) return null;
    const seconds = Math.min(MAX_RETRY_AFTER_SECONDS, Math.ceil(retryAfterMs / 1000));
    return seconds > deps.retries.delaySeconds * 2 ** tried ? seconds : null;
  }

  function track(notice: FetchedJob): void {
    const { tenantId } = notice.data;
    tenantsInFlight.set(tenantId, (tenantsInFlight.get(tenantId) ?? 0) + 1);
    const done = handle(notice)
      .catch(async (error: unknown) => {
        logger.warn({ err: error, jobId: notice.data.jobId }, 'job webhook could not be handled; retried');
        await queue.fail(notice).catch(() => undefined);
      })
      .finally(() => {
        inFlight.delete(done);
        const left = (tenantsInFlight.get(tenantId) ?? 1) - 1;
        if (left > 0) tenantsInFlight.set(tenantId, left);
        else tenantsInFlight.delete(tenantId);
        pause.wake();
      });
    inFlight.add(done);
  }

  async function work(): Promise<void> {
    while (!stopping) {
      while (!stopping && inFlight.size < deps.concurrency) {
        let next: FetchedJob | null;
        try {
          // Oldest first, passing over the tenants with their share in flight: one tenant's slow receiver (and
          // its retries, older than anyone's new notice) cannot take every slot.
          const full = fullTenants();
          next = await queue.fetch(WEBHOOK_QUEUE, full.length > 0 ? { exceptTenants: full } : undefined);
        } catch (error) {
          logger.warn({ err: error }, 'job webhook queue could not be read; trying again');
          break;
        }
        if (!next) break;
        // Fetched while stopping: handled all the same (one POST, bounded by its timeout), never left active.
        track(next);
      }
      if (stopping) break;
      await pause.sleep(deps.pollIntervalMs);
    }
  }

  return {
    start() {
      if (!loop && deps.concurrency > 0) loop = work();
    },
    jobEnded(tenantId) {
      if (hasJobWebhook(deps.tenants, tenantId)) pause.wake();
    },
    async stop() {
      stopping = true;
      pause.wake();
      await loop;
      await Promise.allSettled([...inFlight]);
    },
  };
}
