// One caller's use of a feature: who, which request, and the request-scoped document loader.
import type { TenantContext } from '../auth/tenant-context';
import type { ConnectionStreamSlots } from '../limits/connection-stream-slots';
import type { StoredDocument } from '../retrieval/store/document-store';

export interface FeatureCall {
  tenant: TenantContext;
  requestId: string;
  /** Batched per request (DataLoader): many entities cost one store query. */
  loadDocument(id: string): Promise<StoredDocument | null>;
  /** The stream slots of the graphql-ws connection the call came on; absent over HTTP. */
  connectionStreams?: ConnectionStreamSlots;
}
