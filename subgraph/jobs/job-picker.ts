// The one place that chooses the next job this replica runs: dead letters first (they only mark a job
// FAILED; looked for at most once per poll interval while none turns up: they are rare, and each look is a
// query the busy runner would otherwise pay for every job), then the jobs already admitted into the engine in
// pg-boss's order (FOR UPDATE SKIP LOCKED, so replicas never fetch the same job); when none is ready, an
// admission round (job-dispatch.ts) lets the fair picker (fair-picker.ts) choose across the tenants' queues
// which waiting jobs come next, and the first of them is fetched. A ready buffer of at most JOB_CONCURRENCY
// admitted jobs keeps a tenant's backlog out of the engine, so a new tenant's job waits for at most a round's
// worth of another's.
import type { JobDispatcher } from './job-dispatch';
import { DEAD_LETTER_QUEUE, JOB_QUEUE } from './job-queue';
import type { FetchedJob, JobQueue } from './job-queue';

export interface JobPicker {
  /** The next job to run, already taken from the queue (active in the engine); null when none waits. */
  next(): Promise<FetchedJob | null>;
}

export function fairPicker(
  queue: Pick<JobQueue, 'fetch'>,
  dispatcher: JobDispatcher,
  deadLetterEveryMs: number,
): JobPicker {
  let deadLettersAfter = 0;
  const deadLetter = async () => {
    if (performance.now() < deadLettersAfter) return null;
    const dead = await queue.fetch(DEAD_LETTER_QUEUE);
    // One found: there may be more, so the next pick looks again at once.
    deadLettersAfter = dead ? 0 : performance.now() + deadLetterEveryMs;
    return dead;
  };
  return {
    async next() {
      const ready = (await deadLetter()) ?? (await queue.fetch(JOB_QUEUE));
      if (ready) return ready;
      return (await dispatcher.admit()) > 0 ? queue.fetch(JOB_QUEUE) : null;
    },
  };
}
