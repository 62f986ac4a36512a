// The memory ledger keeps a bounded history per tenant, like the Redis adapter's TTLs.
import { createMemoryUsageLedger } from '../../subgraph/state/memory-usage-ledger';

const at = (day: number) => new Date(Date.UTC(2026, 0, day, 12));

describe('memory usage ledger', () => {
  it('forgets days older than the latest three, and keeps counting the current one', async () => {
    const ledger = createMemoryUsageLedger();
    for (let day = 1; day <= 10; day++) {
      await ledger.record({
        tenantId: 'acme',
        feature: 'search',
        requests: 1,
        fallback: false,
        cacheHit: false,
        costNanos: 0,
        at: at(day),
      });
    }
    expect((await ledger.read('acme', at(10))).requestsToday).toBe(1);
    expect((await ledger.read('acme', at(8))).requestsToday).toBe(1);
    expect((await ledger.read('acme', at(7))).requestsToday).toBe(0);
    expect((await ledger.read('acme', at(10))).byFeature).toEqual([
      { feature: 'search', requests: 10, costUsd: 0, fallbacks: 0, cacheHits: 0 },
    ]);
  });
});
