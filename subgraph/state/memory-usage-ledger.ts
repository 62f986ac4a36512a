// The usage ledger in process memory: for one replica with no Redis configured. Each tenant keeps only its
// latest few days and months, as the Redis adapter's TTLs do, so memory stays bounded by the tenant count.
import { countersOf, dayKey, monthKey, snapshotOf } from './usage-ledger';
import type { UsageLedger } from './usage-ledger';

const DAYS_KEPT = 3;
const MONTHS_KEPT = 2;

type Periods = Map<string, Map<string, number>>;

function countersFor(periods: Periods, key: string, kept: number): Map<string, number> {
  let counters = periods.get(key);
  if (!counters) {
    periods.set(key, (counters = new Map<string, number>()));
    // ISO day and month keys sort by time: drop the oldest beyond what is kept.
    for (const old of [...periods.keys()].sort().slice(0, Math.max(0, periods.size - kept)))
      periods.delete(old);
  }
  return counters;
}

export function createMemoryUsageLedger(): UsageLedger {
  const tenants = new Map<string, { days: Periods; months: Periods }>();

  return {
    async record(event) {
      let usage = tenants.get(event.tenantId);
      if (!usage) tenants.set(event.tenantId, (usage = { days: new Map(), months: new Map() }));
      const buckets = [
        countersFor(usage.days, dayKey(event.at), DAYS_KEPT),
        countersFor(usage.months, monthKey(event.at), MONTHS_KEPT),
      ];
      for (const [field, value] of Object.entries(countersOf(event))) {
        const name = `${event.feature}:${field}`;
        for (const counters of buckets) counters.set(name, (counters.get(name) ?? 0) + value);
      }
    },
    async read(tenantId, at) {
      const usage = tenants.get(tenantId);
      return snapshotOf(
        usage?.days.get(dayKey(at)) ?? new Map<string, number>(),
        usage?.months.get(monthKey(at)) ?? new Map<string, number>(),
      );
    },
    async ping() {},
    async close() {
      tenants.clear();
    },
  };
}
