// Runs one job's feature: the same pipeline as the synchronous field (gateway, guardrails, spend reservation,
// cache, metering, sampling), as its tenant, with no caller waiting: the deadline is the job's own
// (JOB_DEADLINE_MS, shared by all its model calls), and a provider failure ends in the feature's floor, a
// result like any other. A summary of a long text goes by parts (long-summary.ts). A document's summary kept
// with it (ingest with summarize: true) whose document was deleted or changed since is not run at all; one
// whose document is deleted or changed while it runs ends CANCELLED, with no result, in the transaction that
// would have completed it (document-summaries.ts: completeStatement). A direct summary of a stored document
// (startSummaryJob { documentId }) is held likewise to the document's version when it was started (pinned).
import type { TenantContext } from '../auth/tenant-context';
import { unreachable } from '../errors/unreachable';
import type { Features } from '../features';
import type { FeatureCall } from '../features/feature-call';
import { parseInput, summarizeInputSchema } from '../features/inputs';
import { createOperationBudget } from '../features/operation-budget';
import { Deadline } from '../gateway/resilience/deadline';
import type { DocumentStore } from '../retrieval/store/document-store';
import type { TenantPolicies } from '../tenancy/tenant-policies';
import type { DocumentSummaries } from './document-summaries';
import { isKeptSummary, pinnedDocument } from './document-summaries';
import type { JobKind, JobOutcome } from './job-record';
import { summarizeByParts, summaryTextOf } from './long-summary';

export interface JobExecutionDeps {
  features: Pick<Features, 'summarize' | 'ask'>;
  documents: Pick<DocumentStore, 'getDocuments'>;
  summaries: Pick<DocumentSummaries, 'isAsked' | 'isCurrent'>;
  tenants: TenantPolicies;
  deadlineMs: number;
  /** Longest text a summary job summarizes in one call (JOB_SUMMARY_PART_CHARS). */
  summaryPartChars: number;
}

/** Parts of a long text summarized at once: a job is one of JOB_CONCURRENCY, not a burst of its own. */
const PARTS_AT_ONCE = 4;

/**
 * The AI fields a summary job may run: its parts and their summaries' summaries. A caller's operation is
 * bounded against aliases multiplying work; a job's work is bounded by its text and its deadline instead.
 */
const SUMMARY_JOB_CALLS = 10_000;

/** The feature call of a job: its tenant (no subject, no scopes: nobody is calling), `fields` AI fields. */
export function jobCall(
  deps: JobExecutionDeps,
  tenantId: string,
  requestId: string,
  fields = 1,
  deadline = new Deadline(deps.deadlineMs),
  signal?: AbortSignal,
): FeatureCall {
  const tenant: TenantContext = {
    tenantId,
    subject: null,
    scopes: new Set(),
    policy: deps.tenants.forTenant(tenantId),
  };
  return {
    tenant,
    requestId,
    loadDocument: async (id) => (await deps.documents.getDocuments(tenantId, [id]))[0] ?? null,
    budget: createOperationBudget(fields),
    deadline,
    ...(signal ? { signal } : {}),
  };
}

/** A run whose work nobody wants any more (its document deleted or changed since): it ends CANCELLED. */
export const NOT_WANTED = Symbol('not wanted');

async function summaryJob(deps: JobExecutionDeps, job: ExecutedJob): Promise<JobOutcome | typeof NOT_WANTED> {
  const { tenantId, requestId, signal } = job;
  // Checked before any model call: the summary of a deleted document (or of another text under its id) would be
  // paid for and kept nowhere. Checked again, atomically, when the run completes (completeStatement).
  if (isKeptSummary(job.input) && !(await deps.summaries.isAsked(tenantId, job.jobId))) return NOT_WANTED;
  const pinned = pinnedDocument(job.input);
  if (pinned && !(await deps.summaries.isCurrent(tenantId, pinned))) return NOT_WANTED;
  const input = parseInput(summarizeInputSchema, job.input);
  const reader = jobCall(deps, tenantId, requestId, 1, undefined, signal);
  const text = await summaryTextOf(reader, input);
  // Short enough for one call (or no such document, which the feature answers): the synchronous field's path.
  if (text === null || text.length <= deps.summaryPartChars) return deps.features.summarize(reader, input);
  const call = jobCall(deps, tenantId, requestId, SUMMARY_JOB_CALLS, reader.deadline, signal);
  return summarizeByParts(
    { summarize: deps.features.summarize, partChars: deps.summaryPartChars, parallel: PARTS_AT_ONCE },
    call,
    text,
    input.maxWords ?? undefined,
  );
}

export interface ExecutedJob {
  jobId: string;
  kind: JobKind;
  input: unknown;
  tenantId: string;
  requestId: string;
  /** The job's cancel: aborts its model calls, and the run rejects with its reason. */
  signal?: AbortSignal;
}

export function executeJob(
  deps: JobExecutionDeps,
  job: ExecutedJob,
): Promise<JobOutcome | typeof NOT_WANTED> {
  switch (job.kind) {
    case 'summary':
      return summaryJob(deps, job);
    case 'answer':
      return deps.features.ask(
        jobCall(deps, job.tenantId, job.requestId, 1, undefined, job.signal),
        job.input,
      );
    default:
      return unreachable(job.kind);
  }
}
