// The `jobs` key of a tenant policy entry: how many background jobs a tenant may have queued and running, and
// where their completion is announced (a webhook, signed with the tenant's own secret). Kept apart from
// tenant-policies.ts so the job engine and the webhook deliverer read one small module.
import { z } from 'zod';

const positiveInt = (max: number) => {
  const message = `expects an integer between 1 and ${max}`;
  return z.number().int({ message }).min(1, { message }).max(max, { message });
};

/**
 * Every key optional: a tenant's `jobs` is merged over the default's key by key, the webhook as a pair (a
 * tenant's URL is never signed with another entry's secret).
 */
export const jobsPolicySchema = z
  .strictObject({
    /** Jobs the tenant may have waiting (QUEUED) at once; one more is refused when it is reached. */
    maxQueued: positiveInt(1_000_000).optional(),
    /** Jobs of the tenant running at once over every replica; the fair picker leaves the rest waiting. */
    maxRunning: positiveInt(10_000).optional(),
    /** Where each finished job is announced: an http(s) URL, set together with `webhookSecret`. */
    webhookUrl: z
      .url({ protocol: /^https?$/, message: 'expects an http(s) URL' })
      .max(2048, { message: 'expects an http(s) URL of at most 2048 characters' })
      .optional(),
    /** The HMAC-SHA256 key of the webhook's signature, shared with the receiver only. */
    webhookSecret: z
      .string()
      .min(16, { message: 'expects a secret of 16 to 256 characters' })
      .max(256, { message: 'expects a secret of 16 to 256 characters' })
      .optional(),
  })
  .superRefine((jobs, context) => {
    // Named on the missing half, so the error points where the operator must write.
    if (jobs.webhookUrl !== undefined && jobs.webhookSecret === undefined) {
      context.addIssue({ code: 'custom', path: ['webhookSecret'], message: 'is required with webhookUrl' });
    }
    if (jobs.webhookSecret !== undefined && jobs.webhookUrl === undefined) {
      context.addIssue({ code: 'custom', path: ['webhookUrl'], message: 'is required with webhookSecret' });
    }
  });

export type JobsPolicyEntry = z.infer<typeof jobsPolicySchema>;

export interface WebhookTarget {
  readonly url: string;
  /** Never logged, never sent: it only keys the signature. */
  readonly secret: string;
}

export interface JobsPolicy {
  readonly maxQueued: number;
  readonly maxRunning: number;
  /** Unset: no webhook; the job's result is still stored and readable through `aiJob`. */
  readonly webhook?: WebhookTarget;
}

/**
 * The job limits of a tenant whose policy sets none: a thousand waiting (a large upload's worth of summaries,
 * yet a bound on what one tenant can pile up) and four running at once, so that with the engine's default
 * worker pool one tenant alone cannot hold every worker even before the fair picker's rotation.
 */
export const DEFAULT_JOBS_POLICY: JobsPolicy = Object.freeze({ maxQueued: 1_000, maxRunning: 4 });

/** `entry` over `base` key by key; the webhook's URL and secret only ever together. */
export function mergedJobsPolicy(base: JobsPolicy, entry: JobsPolicyEntry | undefined): JobsPolicy {
  if (!entry) return base;
  const webhook =
    entry.webhookUrl !== undefined && entry.webhookSecret !== undefined
      ? Object.freeze({ url: entry.webhookUrl, secret: entry.webhookSecret })
      : base.webhook;
  return Object.freeze({
    maxQueued: entry.maxQueued ?? base.maxQueued,
    maxRunning: entry.maxRunning ?? base.maxRunning,
    ...(webhook ? { webhook } : {}),
  });
}
