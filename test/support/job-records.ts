// Job records for the unit suites of the job streams and watches (job-updates.ts, run-cancel.ts), read through
// their `find` seam instead of a database: each record's timestamps agree with its status.
import type { JobRecord, JobStatus } from '../../subgraph/jobs/job-record';
import { isFinal } from '../../subgraph/jobs/job-record';

/** Job `id` of tenant 'acme' in `status`: started unless queued, completed once final. */
export function jobRecord(id: string, status: JobStatus): JobRecord {
  return {
    id,
    tenantId: 'acme',
    kind: 'summary',
    status,
    attempts: 1,
    createdAt: new Date(),
    startedAt: status === 'queued' ? null : new Date(),
    completedAt: isFinal(status) ? new Date() : null,
    result: null,
  };
}

/**
 * A find answering job `id` from `script` in order, its last entry again once the script is spent: a status,
 * or an error to reject with. `reads()` counts the calls so far.
 */
export function scriptedFind(id: string, ...script: (JobStatus | Error)[]) {
  let reads = 0;
  return {
    reads: () => reads,
    find: (): Promise<JobRecord | null> => {
      const next = script[Math.min(reads, script.length - 1)]!;
      reads += 1;
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(jobRecord(id, next));
    },
  };
}
