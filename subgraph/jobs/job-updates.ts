// The stream behind Subscription.aiJobUpdated: the job as it stands, then again at each status change, ending
// after a final status. A change is noticed through job-events.ts (notification or poll); a run short enough to
// pass from QUEUED to its end between two looks is still reported as RUNNING in between (its startedAt says it
// ran), so a client sees every status the job went through. A read that fails (the database away a moment) is
// tried again at the next change or poll; only MAX_FAILED_READS failures in a row end the stream with the error.
// While PostgreSQL's notifications are live every status change is announced, so the job is read only when one
// announces a status other than the last seen, when the listening connection was reopened, and every
// POLLS_PER_CHECK poll intervals in case a notification was missed: a subscription reading once a poll interval
// made every watched queued job a database read a second (300 subscriptions: 1,700 commits in 5 s). Without
// notifications (PGlite, or the connection lost until it is back) each poll reads, as before.
import type { JobEvents } from './job-events';
import { isFinal } from './job-record';
import type { JobRecord, JobStatus } from './job-record';

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

/** Polls between reads while notifications are live: a missed one is reported within ten poll intervals. */
export const POLLS_PER_CHECK = 10;

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
    // The first look reads at once: the job may have changed after `first` was read and before the wait below
    // listened for it, announced to nobody.
    let mustRead = true;
    let idlePolls = 0;
    let listenedOn = deps.events.listening();
    while (!isFinal(last.status) && !signal.aborted) {
      // Listening before the read: a change made while it runs wakes the wait after it.
      const change = deps.events.nextChange(first.id, deps.pollMs, waits.signal);
      if (mustRead) {
        idlePolls = 0;
        let job: JobRecord | null | undefined;
        try {
          job = await deps.find(first.tenantId, first.id);
          failedReads = 0;
        } catch (error) {
          // One failed read is not the end of the job: the next change or poll reads it again. Only a database
          // away for several reads in a row ends the stream, with the error.
          failedReads += 1;
          if (failedReads >= maxFailedReads) throw error;
        }
        // A job does not disappear while watched; if it did, there is nothing more to report.
        if (job === null) return;
        if (job && job.status !== last.status) {
          if (last.status === 'queued' && isFinal(job.status) && job.startedAt !== null) {
            yield { ...job, status: 'running', completedAt: null, result: null };
          }
          yield job;
          last = job;
          if (isFinal(job.status)) break;
        }
      }
      const announced = await change;
      const listening = deps.events.listening();
      mustRead = shouldRead({ announced, last: last.status, failedReads, listening, listenedOn });
      listenedOn = listening;
      if (!mustRead && announced === null) {
        // A quiet poll interval with notifications live: only every POLLS_PER_CHECK-th reads.
        idlePolls += 1;
        mustRead = idlePolls >= POLLS_PER_CHECK;
      }
    }
  } finally {
    signal.removeEventListener('abort', stopWaiting);
    waits.abort();
  }
}

/** Whether the wake just had (an announced status, or null for a poll, a reopened connection, an abort) needs a read. */
function shouldRead(wake: {
  announced: JobStatus | null;
  last: JobStatus;
  failedReads: number;
  listening: number | null;
  listenedOn: number | null;
}): boolean {
  // The last read failed: tried again at this change or poll, whatever it is.
  if (wake.failedReads > 0) return true;
  // No notifications (PGlite, or the connection lost): every poll reads, the only way to see another replica's
  // change. Reopened since the last look: what changed meanwhile was announced to nobody.
  if (wake.listening === null || wake.listening !== wake.listenedOn) return true;
  // Announced: worth a read only for a status this stream has not reported (the runner's own announcement and
  // the NOTIFY of the same change wake it twice).
  return wake.announced !== null && wake.announced !== wake.last;
}
