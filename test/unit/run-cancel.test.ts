// A run's cancel watch (run-cancel.ts) against the real job events of a replica without LISTEN (PGlite's case,
// or PostgreSQL's while its notifications are lost): the job is read through the watch's `find` seam.
// Finding: a cancel made between the claim and the start of the watch was announced to nobody yet listening,
// and the watch's first read came ten poll intervals later, the model call paid all that time.
import { setTimeout as sleep } from 'node:timers/promises';
import { createJobEvents } from '../../subgraph/jobs/job-events';
import type { JobEvents } from '../../subgraph/jobs/job-events';
import type { JobStatus } from '../../subgraph/jobs/job-record';
import { watchRunCancel } from '../../subgraph/jobs/run-cancel';
import type { RunCancel } from '../../subgraph/jobs/run-cancel';
import { scriptedFind } from '../support/job-records';

const POLL_MS = 100;
const JOB_ID = '5b0e8d8e-4a5c-4a31-9a55-0d7c1b3f2e10';

let events: JobEvents;
beforeEach(async () => (events = await createJobEvents({ onListenError: () => undefined })));
afterEach(() => events.close());

/** A watch of JOB_ID polling every `pollIntervalMs`, its reads answered from `script` (see scriptedFind). */
function watch(pollIntervalMs: number, ...script: (JobStatus | Error)[]) {
  const reads = scriptedFind(JOB_ID, ...script);
  const cancel = watchRunCancel({ events, find: reads.find, pollIntervalMs }, 'acme', JOB_ID);
  return { cancel, reads: reads.reads };
}

/** Resolves once the watch has aborted the run. */
const aborted = (cancel: RunCancel) =>
  new Promise<void>((resolve) => cancel.signal.addEventListener('abort', () => resolve()));

describe('a run’s cancel watch', () => {
  it('a cancel missed before the watch started is seen within a poll interval, not ten', async () => {
    const started = performance.now();
    const { cancel, reads } = watch(POLL_MS, 'cancelled');
    try {
      await aborted(cancel);
      // Ten poll intervals (1 s) was the first read before; one (0.1 s) now.
      expect(performance.now() - started).toBeLessThan(5 * POLL_MS);
      expect(reads()).toBe(1);
    } finally {
      cancel.stop();
    }
  });

  it('a read that fails is tried again a poll interval later, not ten', async () => {
    const started = performance.now();
    const { cancel, reads } = watch(POLL_MS, new Error('Connection terminated unexpectedly'), 'cancelled');
    try {
      await aborted(cancel);
      expect(performance.now() - started).toBeLessThan(8 * POLL_MS);
      expect(reads()).toBe(2);
    } finally {
      cancel.stop();
    }
  });

  it('a run that ends within a poll interval reads nothing', async () => {
    const { cancel, reads } = watch(POLL_MS, 'running');
    await sleep(POLL_MS / 4);
    cancel.stop();
    await sleep(POLL_MS * 2);
    expect(reads()).toBe(0);
    expect(cancel.signal.aborted).toBe(false);
  });

  it('a job announced cancelled aborts at once, without a read', async () => {
    const { cancel, reads } = watch(10_000, 'running');
    try {
      events.changed(JOB_ID, 'cancelled');
      await sleep(0);
      expect(cancel.signal.aborted).toBe(true);
      expect(reads()).toBe(0);
    } finally {
      cancel.stop();
    }
  });
});
