// Runs one job's feature: the same pipeline as the synchronous field (gateway, guardrails, spend reservation,
// cache, metering, sampling), as its tenant, with no caller waiting: the deadline is the job's own
// (JOB_DEADLINE_MS), and a provider failure ends in the feature's floor, a result like any other.
import type { TenantContext } from '../auth/tenant-context';
import { unreachable } from '../errors/unreachable';
import type { Features } from '../features';
import type { FeatureCall } from '../features/feature-call';
import { createOperationBudget } from '../features/operation-budget';
import type { DocumentStore } from '../retrieval/store/document-store';
import type { TenantPolicies } from '../tenancy/tenant-policies';
import type { JobKind, JobOutcome } from './job-record';

export interface JobExecutionDeps {
  features: Pick<Features, 'summarize' | 'ask'>;
  documents: Pick<DocumentStore, 'getDocuments'>;
  tenants: TenantPolicies;
  deadlineMs: number;
}

/** The feature call of a job: its tenant (no subject, no scopes: nobody is calling), one AI field's budget. */
export function jobCall(deps: JobExecutionDeps, tenantId: string, requestId: string): FeatureCall {
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
    budget: createOperationBudget(1),
    deadlineMs: deps.deadlineMs,
  };
}

export function executeJob(
  deps: JobExecutionDeps,
  job: { kind: JobKind; input: unknown; tenantId: string; requestId: string },
): Promise<JobOutcome> {
  const call = jobCall(deps, job.tenantId, job.requestId);
  switch (job.kind) {
    case 'summary':
      return deps.features.summarize(call, job.input);
    case 'answer':
      return deps.features.ask(call, job.input);
    default:
      return unreachable(job.kind);
  }
}
