// Where the spend caps start from when there is no Redis: the usage ledger's day and month spend of a tenant
// (in the SQL store, so it survives a restart). The ledger reports dollars as whole nano-dollars / 1e9, so the
// nanos come back exactly.
import { NANOS_PER_USD } from '../gateway/pricing';
import type { UsageLedger } from '../state/usage-ledger';
import type { SpendSeed } from './memory-spend-limiter';

export function spendSeedOf(usage: UsageLedger): SpendSeed {
  return async (tenantId, at) => {
    const snapshot = await usage.read(tenantId, at);
    return {
      dayNanos: Math.round(snapshot.spendUsdToday * NANOS_PER_USD),
      monthNanos: Math.round(snapshot.spendUsdThisMonth * NANOS_PER_USD),
    };
  };
}
