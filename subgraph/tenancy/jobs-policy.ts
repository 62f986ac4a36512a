// The `jobs` entry of the tenant policy document: how many background AI jobs a tenant may have waiting and
// running at once, over every replica. Its own file so the policy document's schema stays one screen.
import { z } from 'zod';

const count = (max: number) =>
  z
    .number()
    .int({ message: `expects an integer between 1 and ${max}` })
    .min(1, { message: `expects an integer between 1 and ${max}` })
    .max(max, { message: `expects an integer between 1 and ${max}` });

/** Every key optional: merged over the default's `jobs` key by key, then over DEFAULT_JOBS_POLICY. */
export const jobsPolicySchema = z.strictObject({
  /** Jobs queued and not yet started; startSummaryJob and startAskJob refuse past it. */
  maxQueued: count(1_000_000).optional(),
  /** Jobs running at once; the tenant's next job waits its turn in the queue. */
  maxRunning: count(10_000).optional(),
});

export interface JobsPolicy {
  readonly maxQueued: number;
  readonly maxRunning: number;
}

/** Generous bounds that still keep one tenant from filling the queue or every worker slot without end. */
export const DEFAULT_JOBS_POLICY: JobsPolicy = Object.freeze({ maxQueued: 1_000, maxRunning: 4 });
