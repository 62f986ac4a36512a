// The stream behind aiJobUpdated (job-updates.ts) against the real job events of a replica without LISTEN, the
// job read through the stream's `find` seam. Finding: one failed read (the database away a moment) ended the
// subscription with an error, though the next poll would have read the job; now a failed read is retried at
// the next change or poll, and only MAX_FAILED_READS failures in a row end it.
import { createJobEvents } from '../../subgraph/jobs/job-events';
import type { JobEvents } from '../../subgraph/jobs/job-events';
import type { JobRecord, JobStatus } from '../../subgraph/jobs/job-record';
import { MAX_FAILED_READS, jobUpdates } from '../../subgraph/jobs/job-updates';
import { jobRecord, scriptedFind } from '../support/job-records';

const POLL_MS = 10;
const JOB_ID = '8f6d1c2a-3b4e-4f50-8a61-7c9d0e1f2a3b';

async function statusesOf(stream: AsyncGenerator<JobRecord>): Promise<JobStatus[]> {
  const seen: JobStatus[] = [];
  for await (const job of stream) seen.push(job.status);
  return seen;
}

let events: JobEvents;
beforeEach(async () => (events = await createJobEvents({ onListenError: () => undefined })));
afterEach(() => events.close());

describe('a job subscription', () => {
  it('a transient read failure is retried at the next poll instead of ending the subscription', async () => {
    const blip = new Error('Connection terminated unexpectedly');
    const reads = scriptedFind(JOB_ID, 'queued', blip, blip, 'running', blip, 'completed');
    const stream = jobUpdates(
      { find: reads.find, events, pollMs: POLL_MS },
      jobRecord(JOB_ID, 'queued'),
      new AbortController().signal,
    );
    expect(await statusesOf(stream)).toEqual(['queued', 'running', 'completed']);
    expect(reads.reads()).toBe(6);
  });

  it('ends with the error after MAX_FAILED_READS failed reads in a row', async () => {
    const down = new Error('the database is down');
    const reads = scriptedFind(JOB_ID, 'queued', down);
    const stream = jobUpdates(
      { find: reads.find, events, pollMs: POLL_MS },
      jobRecord(JOB_ID, 'queued'),
      new AbortController().signal,
    );
    await expect(statusesOf(stream)).rejects.toBe(down);
    expect(reads.reads()).toBe(1 + MAX_FAILED_READS);
  });
});
