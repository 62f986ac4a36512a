// ai_usage_ledger_writes_unconfirmed_total is declared with the other metrics (createMetrics), so /metrics shows
// it from the start, at 0, not only once a ledger write has been lost; and the writer counts on that one
// counter. The old code registered it lazily, on the first lost write, in bounded-usage-writes.ts.
import { Counter } from 'prom-client';
import { createMetrics } from '../../subgraph/observability/metrics';

const NAME = 'ai_usage_ledger_writes_unconfirmed_total';

test('is in the registry createMetrics makes before any ledger write', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  expect(await metrics.registry.metrics()).toContain(`# TYPE ${NAME} counter`);
  expect(metrics.usageLedgerWritesUnconfirmed).toBeInstanceOf(Counter);
  // Compared as a boolean: a failed toBe would print the registry, which refers to itself.
  expect(metrics.registry.getSingleMetric(NAME) === metrics.usageLedgerWritesUnconfirmed).toBe(true);
});
