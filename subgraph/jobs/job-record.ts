// What a tenant sees of a background AI job: its kind, where it stands, how many tries it took, its times, and
// once it completed the same outcome the synchronous field returns (a full, degraded or unavailable result).
import type { AskOutcome, SummarizeOutcome } from '../features/feature-result';

export type JobKind = 'summary' | 'answer';

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** A job in one of these statuses never changes again: its subscription ends after reporting it. */
export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);

export type JobOutcome = SummarizeOutcome | AskOutcome;

interface JobFields {
  id: string;
  tenantId: string;
  status: JobStatus;
  /** Runs started so far (a retry after a failure or a replica's death counts again). */
  attempts: number;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

export type JobRecord = JobFields &
  ({ kind: 'summary'; result: SummarizeOutcome | null } | { kind: 'answer'; result: AskOutcome | null });

export const isFinal = (status: JobStatus): boolean => FINAL_STATUSES.has(status);

const STATUSES: ReadonlySet<string> = new Set<JobStatus>(['queued', 'running', ...FINAL_STATUSES]);
export const isJobStatus = (value: string): value is JobStatus => STATUSES.has(value);
