// One caller's use of a feature: who, which request, the request-scoped document loader and AI budget.
import type { Context } from '@opentelemetry/api';
import type { TenantContext } from '../auth/tenant-context';
import type { Deadline } from '../gateway/resilience/deadline';
import type { ConnectionStreamSlots } from '../limits/connection-stream-slots';
import type { StoredDocument } from '../retrieval/store/document-store';
import type { OperationBudget } from './operation-budget';

export interface FeatureCall {
  tenant: TenantContext;
  requestId: string;
  /** Batched per request (DataLoader): many entities cost one store query. */
  loadDocument(id: string): Promise<StoredDocument | null>;
  /** The operation's AI work: identical asks share one run, and distinct ones stop at the limit. */
  budget: OperationBudget;
  /** The stream slots of the graphql-ws connection the call came on; absent over HTTP. */
  connectionStreams?: ConnectionStreamSlots;
  /**
   * The parent of the call's spans (the router's trace, continued). A stream needs it handed over: its steps
   * run when graphql-ws asks for the next event, outside the request's async context.
   */
  traceContext?: Context;
  /**
   * The call's own time budget for its model work, in place of the task's: a background job's JOB_DEADLINE_MS,
   * longer than any caller would wait, shared by every model call of the job. Absent for a caller's request.
   */
  deadline?: Deadline;
  /**
   * Aborted when nobody wants the call's result any more (a background job cancelled, a stream's client
   * gone): its model calls are abandoned, their provider requests aborted, and the call rejects with the
   * signal's reason. Absent for a query, whose caller waits for the result.
   */
  signal?: AbortSignal;
}
