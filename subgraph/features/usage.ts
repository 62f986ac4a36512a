// usage: the calling tenant's own spend and request counts, read from the usage ledger.
import type { TenantContext } from '../auth/tenant-context';
import type { FeatureDeps } from './feature-deps';

export function createUsageFeature(deps: FeatureDeps, monthlyCapUsd: (tenantId: string) => number | null) {
  return async function usage(tenant: TenantContext) {
    const snapshot = await deps.usage.read(tenant.tenantId, new Date());
    return { tenantId: tenant.tenantId, monthlyCapUsd: monthlyCapUsd(tenant.tenantId), ...snapshot };
  };
}
