// usage: the calling tenant's own spend and request counts, read from the usage ledger, and its monthly cap
// from its policy (limits.monthlyCapUsd; null when it has none).
import type { TenantContext } from '../auth/tenant-context';
import type { FeatureDeps } from './feature-deps';

export function createUsageFeature(deps: FeatureDeps) {
  return async function usage(tenant: TenantContext) {
    const snapshot = await deps.usage.read(tenant.tenantId, new Date());
    return {
      tenantId: tenant.tenantId,
      monthlyCapUsd: tenant.policy.limits.monthlyCapUsd ?? null,
      ...snapshot,
    };
  };
}
