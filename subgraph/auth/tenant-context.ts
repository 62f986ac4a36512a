// Who is calling: read only from a verified token, never from arguments, headers or variables. The tenant's
// policy travels with it, looked up by the verified tenant id.
import type { TenantPolicy } from '../tenancy/tenant-policies';

export interface TenantContext {
  tenantId: string;
  subject: string | null;
  scopes: ReadonlySet<string>;
  policy: TenantPolicy;
  /**
   * The token's `exp`, in epoch milliseconds (undefined for a token without one). A graphql-ws connection is
   * authenticated once, so it is what ends the connection's life.
   */
  tokenExpiresAt?: number;
}

export const TENANT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
