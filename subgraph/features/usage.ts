// usage: the calling tenant's own spend and request counts, read from the usage ledger, and its caps from its
// policy (limits.monthlyCapUsd and dailyCapUsd; null when it has none).
import type { TenantContext } from '../auth/tenant-context';
import type { FeatureDeps } from './feature-deps';

export function createUsageFeature(deps: FeatureDeps) {
  return async function usage(tenant: TenantContext) {
    const snapshot = await deps.usage.read(tenant.tenantId, new Date());
    return {
      tenantId: tenant.tenantId,
      monthlyCapUsd: tenant.policy.limits.monthlyCapUsd ?? null,
      dailyCapUsd: tenant.policy.limits.dailyCapUsd ?? null,
      ...snapshot,
    };
  };
}
