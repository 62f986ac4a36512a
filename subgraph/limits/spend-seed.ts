// Where the spend caps start from: the usage ledger's day and month spend of a tenant. Without Redis it is in
// the SQL store, so a restart keeps it; with Redis it is in Redis, and it counts spend the cap never saw (made
// before the cap was set, while the tenant had none, or before the cap's counters existed). The ledger reports
// dollars as whole nano-dollars / 1e9, so the nanos come back exactly.
import { nanosOfUsd } from '../gateway/pricing';
import type { UsageLedger } from '../state/usage-ledger';
import type { SpendSeed } from './memory-spend-limiter';
import { spendPeriods } from './spend-limiter';
import type { SharedSpendLimiter } from './spend-limiter';

export function spendSeedOf(usage: UsageLedger): SpendSeed {
  return async (tenantId, at) => {
    const snapshot = await usage.read(tenantId, at);
    return {
      dayNanos: nanosOfUsd(snapshot.spendUsdToday),
      monthNanos: nanosOfUsd(snapshot.spendUsdThisMonth),
    };
  };
}

/**
 * With Redis: before a tenant's first reservation of a UTC day here, its day and month counters start from the
 * ledger where no replica started them yet (SharedSpendLimiter.seed). Undefined once done for the day: the
 * ledger is read at most once per tenant and day per process, and again only after a failed read or seed.
 */
export function sharedSpendSeeding(
  shared: SharedSpendLimiter,
  seed: SpendSeed,
): (tenantId: string) => Promise<void> | undefined {
  const seededDay = new Map<string, string>();
  const inFlight = new Map<string, Promise<void>>();
  const seeding = (tenantId: string, retry: boolean): Promise<void> | undefined => {
    const at = new Date();
    const periods = spendPeriods(at.getTime());
    if (seededDay.get(tenantId) === periods.day) return undefined;
    let pending = inFlight.get(tenantId);
    if (!pending) {
      pending = seed(tenantId, at)
        .then((spend) => shared.seed(tenantId, { ...periods, ...spend }))
        .then(() => void seededDay.set(tenantId, periods.day))
        .finally(() => inFlight.delete(tenantId));
      inFlight.set(tenantId, pending);
    }
    // A burst's first reservations wait on one read, whose failure can be of its own moment (a command timed
    // out while the loop was busy with the burst): each tries once more, sharing the retry, before failing.
    return retry ? pending.catch(() => seeding(tenantId, false)) : pending;
  };
  return (tenantId) => seeding(tenantId, true);
}
