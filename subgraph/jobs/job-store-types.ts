// What the jobs store takes and gives besides the job records (job-record.ts): a job to queue, a claim's outcome,
// a run's end.
import type { JobKind } from './job-record';

/** How a run ended, as finish() stores it. */
export interface RunEnd {
  status: 'completed' | 'failed';
  result: unknown;
  /** The job's input as claimed (tenant content: never logged), for what the end stores beside the job. */
  input: unknown;
}

/** A run's end with the job it ended (what JobStoreOptions.finishing is given). */
export interface FinishedJob extends RunEnd {
  tenantId: string;
  id: string;
}

/** A job to queue: the engine job (queueJobId) is sent when the dispatcher admits it (job-dispatch.ts). */
export interface NewJob {
  tenantId: string;
  id: string;
  kind: JobKind;
  input: unknown;
  queueJobId: string;
}

/** What a runner needs to run a job it claimed. */
export interface ClaimedJob {
  kind: JobKind;
  /** The feature's input: tenant content, never logged. */
  input: unknown;
  attempts: number;
  /** Since the job was queued, by the database's clock (one clock for every replica). */
  waitedSeconds: number;
  /**
   * The job's first run: never started before (a run put back unspent, refused by our own limits, keeps its
   * start, so that its queue wait is measured once).
   */
  firstStart: boolean;
}

export type ClaimOutcome =
  | { kind: 'claimed'; job: ClaimedJob }
  /** The tenant already runs jobs.maxRunning jobs: try again later. */
  | { kind: 'busy' }
  /**
   * Another runner's claim holds it for `forMs` more: look again then (if that runner's replica died, the job
   * is taken over; if it finishes, there is nothing left to do).
   */
  | { kind: 'held'; forMs: number }
  /** Nothing to run: cancelled, finished, or no such job. */
  | { kind: 'gone' };
