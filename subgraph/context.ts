// The per-request GraphQL context: the verified tenant (or none, for `_service` only), a request id, the
// features, and what lives as long as the operation: the document DataLoader and the AI work budget.
import { randomUUID } from 'node:crypto';
import { context as traceContexts } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import DataLoader from 'dataloader';
import type { TenantContext } from './auth/tenant-context';
import type { FeatureCall } from './features/feature-call';
import type { Features } from './features';
import type { JobsService } from './jobs/create-jobs';
import { createOperationBudget } from './features/operation-budget';
import type { ConnectionStreamSlots } from './limits/connection-stream-slots';
import type { Logger } from './observability/logger';
import type { DocumentStore, StoredDocument } from './retrieval/store/document-store';

export interface RequestContext {
  tenant: TenantContext | null;
  requestId: string;
  features: Features;
  /** Background AI jobs (startSummaryJob, aiJob, ...). */
  jobs: JobsService;
  logger: Logger;
  /** The feature call of the verified tenant; throws for an anonymous context (guarded before resolvers). */
  call(): FeatureCall;
}

export interface ContextDeps {
  features: Features;
  jobs: JobsService;
  documents: DocumentStore;
  logger: Logger;
  /** Distinct AI field resolutions per operation (MAX_AI_FIELDS_PER_OPERATION). */
  maxAiFieldsPerOperation: number;
}

export interface RequestOrigin {
  requestId?: string;
  /** The stream slots of the graphql-ws connection the operation came on; absent over HTTP. */
  connectionStreams?: ConnectionStreamSlots;
  /** The parent of the operation's spans: the graphql-ws connection's; over HTTP, the active (request's) one. */
  traceContext?: Context;
}

export function createRequestContext(
  deps: ContextDeps,
  tenant: TenantContext | null,
  { requestId = randomUUID(), connectionStreams, traceContext = traceContexts.active() }: RequestOrigin = {},
): RequestContext {
  let call: FeatureCall | null = null;
  return {
    tenant,
    requestId,
    features: deps.features,
    jobs: deps.jobs,
    logger: deps.logger,
    call() {
      if (!tenant) throw new Error('feature call without a verified tenant');
      if (!call) {
        const loader = new DataLoader<string, StoredDocument | null>(async (ids) => {
          const found = await deps.documents.getDocuments(tenant.tenantId, ids);
          const byId = new Map(found.map((doc) => [doc.id, doc]));
          return ids.map((id) => byId.get(id) ?? null);
        });
        call = {
          tenant,
          requestId,
          loadDocument: (id) => loader.load(id),
          budget: createOperationBudget(deps.maxAiFieldsPerOperation),
          connectionStreams,
          traceContext,
        };
      }
      return call;
    },
  };
}

/** What the supergraph sends for a Document entity this subgraph extends. */
export interface DocumentReference {
  id: string;
}
