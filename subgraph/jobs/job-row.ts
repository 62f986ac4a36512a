// A row of the app's `jobs` table as the store reads it (the columns every read selects), and the record the
// rest of the service sees; the store's statements are in job-store.ts.
import type { JobKind, JobRecord, JobStatus } from './job-record';

export interface JobRow {
  tenant_id: string;
  id: string;
  kind: JobKind;
  status: JobStatus;
  attempts: number;
  result: unknown;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` can name a job at all; anything else reads as an unknown id without reaching SQL. */
export const isJobId = (id: string): boolean => UUID.test(id);

export const COLUMNS = 'tenant_id, id, kind, status, attempts, result, created_at, started_at, completed_at';

export function toRecord(row: JobRow): JobRecord {
  const fields = {
    id: row.id,
    tenantId: row.tenant_id,
    status: row.status,
    attempts: Number(row.attempts),
    createdAt: new Date(row.created_at),
    startedAt: row.started_at === null ? null : new Date(row.started_at),
    completedAt: row.completed_at === null ? null : new Date(row.completed_at),
  };
  // The stored outcome is the one the job's own kind produced (runner.ts writes it).
  return row.kind === 'summary'
    ? { ...fields, kind: 'summary', result: row.result as Extract<JobRecord, { kind: 'summary' }>['result'] }
    : { ...fields, kind: 'answer', result: row.result as Extract<JobRecord, { kind: 'answer' }>['result'] };
}
