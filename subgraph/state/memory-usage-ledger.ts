// The usage ledger in process memory: for one replica with no Redis configured.
import { countersOf, dayKey, monthKey, snapshotOf } from './usage-ledger';
import type { UsageLedger } from './usage-ledger';

export function createMemoryUsageLedger(): UsageLedger {
  const buckets = new Map<string, Map<string, number>>();
  const bucket = (key: string) => {
    let counters = buckets.get(key);
    if (!counters) buckets.set(key, (counters = new Map()));
    return counters;
  };
  return {
    async record(event) {
      for (const key of [
        `${event.tenantId}:d:${dayKey(event.at)}`,
        `${event.tenantId}:m:${monthKey(event.at)}`,
      ]) {
        const counters = bucket(key);
        for (const [field, value] of Object.entries(countersOf(event))) {
          const name = `${event.feature}:${field}`;
          counters.set(name, (counters.get(name) ?? 0) + value);
        }
      }
    },
    async read(tenantId, at) {
      return snapshotOf(
        buckets.get(`${tenantId}:d:${dayKey(at)}`) ?? new Map(),
        buckets.get(`${tenantId}:m:${monthKey(at)}`) ?? new Map(),
      );
    },
    async ping() {},
    async close() {
      buckets.clear();
    },
  };
}
