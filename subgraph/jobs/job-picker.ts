// The one place that chooses the next job this replica runs. The default takes the oldest: dead letters first
// (they only mark a job FAILED), then the main queue in pg-boss's order (FOR UPDATE SKIP LOCKED, so replicas
// never fetch the same job). A fair picker across tenants replaces it here without touching the runner.
import { DEAD_LETTER_QUEUE, JOB_QUEUE } from './job-queue';
import type { FetchedJob, JobQueue } from './job-queue';

export interface JobPicker {
  /** The next job to run, already taken from the queue (active in the engine); null when none waits. */
  next(): Promise<FetchedJob | null>;
}

export function oldestFirstPicker(queue: Pick<JobQueue, 'fetch'>): JobPicker {
  return {
    async next() {
      return (await queue.fetch(DEAD_LETTER_QUEUE)) ?? (await queue.fetch(JOB_QUEUE));
    },
  };
}
