// Announces finished jobs to their tenant's webhook without ever holding up the worker that finished them.
//
// Two ways to use it, one contract:
// - `sendOnce` is one signed POST, logged and counted, no retry. RECOMMENDED: the engine enqueues a pg-boss
//   job (`ai-job-webhook`, data `{ jobId, tenantId }` only, sent with the job's final status update in one
//   transaction) whose handler reads the job row and the tenant's current policy, calls `sendOnce`, and throws
//   on a `retryable` outcome so pg-boss retries it with its backoff (`retryLimit`, `retryBackoff`; the
//   attempt is `{ number: retryCount + 1, last: retryCount >= retryLimit }`, from `includeMetadata`). That
//   survives a restart between the job's end and the POST, keeps the secret out of pg-boss's tables, and
//   signs with the secret as it is at send time (a rotation applies at once).
// - `deliver` is the in-process path: it returns at once, and the notification waits in a bounded set of
//   pending deliveries (full: dropped and counted), its POSTs bounded in number at once (a cockatiel bulkhead)
//   and retried with jittered exponential backoff (cockatiel retry, the receiver's Retry-After honoured).
//   A restart loses what is pending: fine where a receiver also polls `aiJob`, and for tests.
// Either way the job's result is already stored: a receiver that never answers loses a notice, never a result.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DelegateBackoff, bulkhead, handleWhenResult, retry } from 'cockatiel';
import type { IRetryBackoffContext } from 'cockatiel';
import type { Counter } from 'prom-client';
import type { Logger } from '../observability/logger';
import type { WebhookTarget } from '../tenancy/jobs-policy';
import { deliveryId } from './webhook-notification';
import type { JobNotification } from './webhook-notification';
import { sendSignedNotification } from './webhook-sender';
import type { SendOutcome } from './webhook-sender';

/**
 * `ai_job_webhooks_total{outcome}`: each attempt counts once, as `delivered`, `rejected` (a 4xx or 3xx, not
 * retried), `retried` (a retryable failure with another try to come) or `exhausted` (one on the last try);
 * a notification never attempted counts once as `dropped` (no room) or `abandoned` (shut down mid-retry).
 */
export type WebhookMetricOutcome =
  'delivered' | 'rejected' | 'retried' | 'exhausted' | 'dropped' | 'abandoned';

/** Where a notification ended: the last attempt's outcome, or why none (more) was made. */
export type DeliveryOutcome = 'delivered' | 'rejected' | 'exhausted' | 'dropped' | 'abandoned';

export interface WebhookDelivererSettings {
  /** POSTs in flight at once, over every tenant. */
  readonly concurrency: number;
  /** Notifications accepted and not yet settled (waiting, in flight or between tries); one more is dropped. */
  readonly maxPending: number;
  /** Tries per notification, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** One POST's limit: a receiver should answer at once and do its work after. */
  readonly requestTimeoutMs: number;
}

/** Nine tries; the waits between them random up to 1, 2, 4 … 60 s (at most about 3 minutes); each POST cut at 5 s. */
export const DEFAULT_WEBHOOK_SETTINGS: WebhookDelivererSettings = Object.freeze({
  concurrency: 8,
  maxPending: 1_000,
  maxAttempts: 9,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  requestTimeoutMs: 5_000,
});

export interface WebhookAttempt {
  /** 1 for the first try. */
  readonly number: number;
  /** Whether no try follows this one: a retryable failure then counts as `exhausted`. */
  readonly last: boolean;
}

export interface WebhookDeliverer {
  /** Starts delivery and returns at once; the promise settles when it ends, and never rejects. */
  deliver(target: WebhookTarget, notification: JobNotification): Promise<DeliveryOutcome>;
  /** One signed POST, logged and counted; for a durable queue that owns the retries. */
  sendOnce(
    target: WebhookTarget,
    notification: JobNotification,
    attempt: WebhookAttempt,
  ): Promise<SendOutcome>;
  /** Takes no more, gives up pending retries, and resolves once the POSTs in flight have ended. */
  close(): Promise<void>;
}

export interface WebhookDelivererDependencies {
  readonly logger: Logger;
  readonly outcomes: Counter<'outcome'>;
  readonly settings?: Partial<WebhookDelivererSettings>;
  /** Unix milliseconds, for the signature's timestamp. */
  readonly now?: () => number;
}

export function createWebhookDeliverer(dependencies: WebhookDelivererDependencies): WebhookDeliverer {
  const settings = { ...DEFAULT_WEBHOOK_SETTINGS, ...dependencies.settings };
  const { logger, outcomes } = dependencies;
  const inFlight = bulkhead(settings.concurrency, settings.maxPending);
  const shutdown = new AbortController();
  const settled = new Set<Promise<DeliveryOutcome>>();

  const retryPolicy = retry(
    handleWhenResult((result) => (result as SendOutcome).kind === 'retryable'),
    {
      maxAttempts: settings.maxAttempts - 1,
      backoff: new DelegateBackoff((context: IRetryBackoffContext<SendOutcome>) => {
        const hinted = 'value' in context.result ? context.result.value : undefined;
        if (hinted?.kind === 'retryable' && hinted.retryAfterMs !== undefined) {
          return Math.min(hinted.retryAfterMs, settings.maxDelayMs);
        }
        // Full jitter: receivers that fail together (one host, many tenants) are not hit again together.
        const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (context.attempt - 1));
        return Math.random() * ceiling;
      }),
    },
  ).dangerouslyUnref(); // a pending retry must not keep a stopping process alive

  async function sendOnce(
    target: WebhookTarget,
    notification: JobNotification,
    attempt: WebhookAttempt,
  ): Promise<SendOutcome> {
    const started = performance.now();
    const outcome = await sendSignedNotification(target, notification, {
      timeoutMs: settings.requestTimeoutMs,
      ...(dependencies.now ? { now: dependencies.now } : {}),
    });
    const label = metricOutcome(outcome, attempt.last);
    outcomes.inc({ outcome: label });
    // Never the URL's path or query (a receiver may put a token there), the secret, nor the body.
    const fields = {
      jobId: notification.id,
      tenant: notification.tenantId,
      deliveryId: deliveryId(notification),
      receiver: receiverHost(target.url),
      attempt: attempt.number,
      outcome: label,
      ...('status' in outcome && outcome.status !== undefined ? { httpStatus: outcome.status } : {}),
      ...(outcome.kind === 'retryable' ? { reason: outcome.reason } : {}),
      durationMs: Math.round(performance.now() - started),
    };
    if (label === 'delivered') logger.info(fields, 'job webhook delivered');
    else logger.warn(fields, 'job webhook not delivered');
    return outcome;
  }

  async function run(target: WebhookTarget, notification: JobNotification): Promise<DeliveryOutcome> {
    await nextTurn(); // the finishing worker's turn ends before any of this work starts
    let attempt: WebhookAttempt = { number: 0, last: false };
    /** The try under way; `sent()` once the bulkhead has let it through (until then it waits for a slot). */
    let posting: { result: Promise<SendOutcome>; sent: () => boolean } | undefined;
    const tries = retryPolicy.execute(() => {
      if (shutdown.signal.aborted) throw new DeliveryAbandoned();
      const current = { number: attempt.number + 1, last: attempt.number + 1 >= settings.maxAttempts };
      attempt = current;
      let sent = false;
      const result = inFlight.execute(() => {
        sent = true;
        return sendOnce(target, notification, current);
      }, shutdown.signal);
      const post = { result, sent: () => sent };
      posting = post;
      void post.result.finally(() => posting === post && (posting = undefined)).catch(() => undefined);
      return post.result;
    }, shutdown.signal);
    try {
      return finalOutcome(await Promise.race([tries, abandonedOnShutdown(shutdown.signal)]));
    } catch {
      tries.catch(() => undefined); // the retry loop stops on its own: no further try after shutdown
      // Shutting down: a POST already under way ends first (its timeout bounds it) and may still land. One still
      // waiting for a slot is not waited for: cockatiel's bulkhead, once its signal has aborted, settles only one
      // waiting call per slot freed, so past the concurrency some would never settle and close() would hang.
      const last = posting?.sent() ? await posting.result.catch(() => undefined) : undefined;
      if (last && (last.kind !== 'retryable' || attempt.last)) return finalOutcome(last);
      outcomes.inc({ outcome: 'abandoned' });
      logger.warn({ jobId: notification.id, attempts: attempt.number }, 'job webhook abandoned at shutdown');
      return 'abandoned';
    }
  }

  return {
    deliver(target, notification) {
      if (shutdown.signal.aborted || settled.size >= settings.maxPending) {
        outcomes.inc({ outcome: 'dropped' });
        logger.warn({ jobId: notification.id, pending: settled.size }, 'job webhook dropped: no room');
        return Promise.resolve('dropped');
      }
      const delivery = run(target, notification);
      settled.add(delivery);
      void delivery.finally(() => settled.delete(delivery));
      return delivery;
    },
    sendOnce,
    async close() {
      shutdown.abort();
      await Promise.all(settled);
    },
  };
}

class DeliveryAbandoned extends Error {
  override readonly name = 'DeliveryAbandoned';
}

function abandonedOnShutdown(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(new DeliveryAbandoned());
    else signal.addEventListener('abort', () => reject(new DeliveryAbandoned()), { once: true });
  });
}

function finalOutcome(outcome: SendOutcome): DeliveryOutcome {
  return outcome.kind === 'retryable' ? 'exhausted' : outcome.kind;
}

function metricOutcome(outcome: SendOutcome, last: boolean): WebhookMetricOutcome {
  switch (outcome.kind) {
    case 'delivered':
      return 'delivered';
    case 'rejected':
      return 'rejected';
    case 'retryable':
      return last ? 'exhausted' : 'retried';
  }
}

function receiverHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'unparseable';
  }
}
