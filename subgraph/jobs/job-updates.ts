// The stream behind Subscription.aiJobUpdated: the job as it stands, then again at each status change, ending
// after a final status. A change is noticed through job-events.ts (notification or poll); a run short enough to
// pass from QUEUED to its end between two looks is still reported as RUNNING in between (its startedAt says it
// ran), so a client sees every status the job went through. A read that fails (the database away a moment) is
// tried again at the next change or poll; only MAX_FAILED_READS failures in a row end the stream with the error.
import type { JobEvents } from './job-events';
import { isFinal } from './job-record';
import type { JobRecord } from './job-record';

export interface JobUpdateDeps {
  find(tenantId: string, id: string): Promise<JobRecord | null>;
  events: JobEvents;
  pollMs: number;
  /**
   * Reads in a row that may fail (the database away a moment: each failure is retried at the next change or
   * poll) before the stream ends with the last one's error. MAX_FAILED_READS unless given.
   */
  maxFailedReads?: number;
}

/** At the default poll interval (1 s), about five seconds of a database away before the stream gives up. */
export const MAX_FAILED_READS = 5;

/** The job's states from `first` (already read, so an unknown id is refused before the stream starts). */
export async function* jobUpdates(
  deps: JobUpdateDeps,
  first: JobRecord,
  signal: AbortSignal,
): AsyncGenerator<JobRecord> {
  // Ends the wait still pending when the stream ends (a change seen by a read, or the final status).
  const waits = new AbortController();
  const stopWaiting = () => waits.abort();
  signal.addEventListener('abort', stopWaiting, { once: true });
  try {
    const maxFailedReads = deps.maxFailedReads ?? MAX_FAILED_READS;
    let failedReads = 0;
    let last = first;
    yield first;
    while (!isFinal(last.status) && !signal.aborted) {
      const change = deps.events.nextChange(first.id, deps.pollMs, waits.signal);
      let job: JobRecord | null;
      try {
        job = await deps.find(first.tenantId, first.id);
      } catch (error) {
        // One failed read is not the end of the job: the next change or poll reads it again. Only a database
        // away for several reads in a row ends the stream, with the error.
        failedReads += 1;
        if (failedReads >= maxFailedReads) throw error;
        await change;
        continue;
      }
      failedReads = 0;
      // A job does not disappear while watched; if it did, there is nothing more to report.
      if (!job) return;
      if (job.status === last.status) {
        await change;
        continue;
      }
      if (last.status === 'queued' && isFinal(job.status) && job.startedAt !== null) {
        yield { ...job, status: 'running', completedAt: null, result: null };
      }
      yield job;
      last = job;
    }
  } finally {
    signal.removeEventListener('abort', stopWaiting);
    waits.abort();
  }
}
