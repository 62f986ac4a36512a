// The cancel of a job while it runs, wherever it was asked: each run holds an AbortController, aborted by a
// cancelAIJob on this replica at once (create-jobs.ts calls the runner), or, for a cancel made on another
// replica, when the job is announced final (LISTEN/NOTIFY on PostgreSQL carries the status, so the run's own
// claim costs no read), or seen final when re-read: once a poll interval after the run starts (a cancel made
// between the claim and the watch was announced to nobody listening yet), every few poll intervals after that
// in case a notification was missed, and whenever the notifications' connection is back after a loss. The
// abort reaches the job's model calls (FeatureCall.signal), so the provider request is closed rather than
// left to its deadline.
import type { JobEvents } from './job-events';
import { isFinal } from './job-record';
import type { JobRecord } from './job-record';

/** Re-reads between notifications, in poll intervals: a missed one costs a few seconds of a cancelled run. */
const POLLS_PER_CHECK = 10;
/** Why the watch ends, made once: an abort without a reason makes a DOMException (and its stack) each time. */
const RUN_ENDED = new DOMException('the run ended', 'AbortError');

export interface RunCancelDeps {
  events: Pick<JobEvents, 'nextChange'>;
  find(tenantId: string, jobId: string): Promise<JobRecord | null>;
  pollIntervalMs: number;
}

export interface RunCancel {
  /** Aborted when the job is cancelled (or otherwise ended elsewhere): the run's result is not wanted. */
  readonly signal: AbortSignal;
  /** Aborts the run now (a cancel on this replica). */
  abort(): void;
  /** The run has ended: stops watching the job (before its own end is announced, which it would take for a cancel). */
  stop(): void;
}

export function watchRunCancel(deps: RunCancelDeps, tenantId: string, jobId: string): RunCancel {
  const cancel = new AbortController();
  const watching = new AbortController();
  const abort = () => cancel.abort(new DOMException('the job was cancelled', 'AbortError'));

  /**
   * Reads the job: ended elsewhere, the run is aborted. False when it could not be read (the database away): it
   * is read again a poll interval later.
   */
  async function check(): Promise<boolean> {
    const job = await deps.find(tenantId, jobId).catch(() => undefined);
    if (job && isFinal(job.status) && !watching.signal.aborted) abort();
    return job !== undefined;
  }

  async function watch(): Promise<void> {
    const checkMs = deps.pollIntervalMs * POLLS_PER_CHECK;
    // The watch starts once the claim has returned: a cancel made in between was announced before anyone here
    // listened for it. So the first read comes one poll interval after the start, not ten: a run that ends
    // sooner costs no read, and a cancel in that gap stops the model call within a poll interval.
    let waitMs = deps.pollIntervalMs;
    while (!watching.signal.aborted && !cancel.signal.aborted) {
      const announced = await deps.events.nextChange(jobId, waitMs, watching.signal);
      if (watching.signal.aborted) return;
      if (announced !== null) {
        if (isFinal(announced)) abort();
        continue;
      }
      // A poll's turn, or notifications were missed (job-events.ts listens again after a lost connection).
      waitMs = (await check()) ? checkMs : deps.pollIntervalMs;
    }
  }

  void watch();
  return {
    signal: cancel.signal,
    abort,
    stop: () => watching.abort(RUN_ENDED),
  };
}
