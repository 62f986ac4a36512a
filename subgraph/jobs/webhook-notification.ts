// What a job webhook says: that a job changed state, never what it produced. The body names the job (id,
// kind, status, the result's GraphQL typename, attempts, times) and the tenant it belongs to; the summary or
// answer itself stays behind the tenant's token (`aiJob(id)`), so a leaked webhook body or a receiver's logs
// hold no tenant content.

export type JobKind = 'SUMMARY' | 'ANSWER';
export type JobStatus = 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

/** The fields the engine hands over; anything else on the object it passes is left out of the body. */
export interface JobNotification {
  readonly id: string;
  /** An identifier, not content: a receiver serving several tenants (the `default` entry's webhook) routes by it. */
  readonly tenantId: string;
  readonly kind: JobKind;
  readonly status: JobStatus;
  /** The union member's typename (`Summary`, `DegradedAnswer`, `AIUnavailable`…); null without a result. */
  readonly resultType: string | null;
  readonly attempts: number;
  /** ISO 8601, like the `AIJob` fields of the same names. */
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
}

/** `ai_job.completed`, `ai_job.failed`…: the `X-AI-Webhook-Event` header and the body's `event`. */
export function webhookEvent(notification: Pick<JobNotification, 'status'>): string {
  return `ai_job.${notification.status.toLowerCase()}`;
}

/**
 * One per job and status, the same on every attempt and every redelivery (a durable queue that retries after a
 * crash included): the receiver's idempotency key.
 */
export function deliveryId(notification: Pick<JobNotification, 'id' | 'status'>): string {
  return `${notification.id}.${notification.status.toLowerCase()}`;
}

/**
 * The JSON body, built field by field: the engine may pass its whole job row (result included), and only the
 * fields listed here go out.
 */
export function webhookBody(notification: JobNotification): string {
  return JSON.stringify({
    event: webhookEvent(notification),
    deliveryId: deliveryId(notification),
    id: notification.id,
    tenantId: notification.tenantId,
    kind: notification.kind,
    status: notification.status,
    resultType: notification.resultType,
    attempts: notification.attempts,
    createdAt: notification.createdAt,
    startedAt: notification.startedAt,
    completedAt: notification.completedAt,
  });
}
