// The cancel of a job while it runs, wherever it was asked: each run holds an AbortController, aborted by a
// cancelAIJob on this replica at once (create-jobs.ts calls the runner), or, for a cancel made on another
// replica, when the job is announced final (LISTEN/NOTIFY on PostgreSQL carries the status, so the run's own
// claim costs no read), or seen final when re-read every few poll intervals in case a notification was missed. The abort reaches the job's
// model calls (FeatureCall.signal), so the provider request is closed rather than left to its deadline.
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

  async function watch(): Promise<void> {
    const checkMs = deps.pollIntervalMs * POLLS_PER_CHECK;
    while (!watching.signal.aborted && !cancel.signal.aborted) {
      const announced = await deps.events.nextChange(jobId, checkMs, watching.signal);
      if (watching.signal.aborted) return;
      if (announced !== null) {
        if (isFinal(announced)) abort();
        continue;
      }
      // Unreadable now (the database away): the next change or check reads it again.
      const job = await deps.find(tenantId, jobId).catch(() => null);
      if (job && isFinal(job.status) && !watching.signal.aborted) abort();
    }
  }

  void watch();
  return {
    signal: cancel.signal,
    abort,
    stop: () => watching.abort(RUN_ENDED),
  };
}
