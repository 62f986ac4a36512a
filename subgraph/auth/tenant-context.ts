// Who is calling: read only from a verified token, never from arguments, headers or variables.
export interface TenantContext {
  tenantId: string;
  subject: string | null;
  scopes: ReadonlySet<string>;
}

export const TENANT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
