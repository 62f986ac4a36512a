// The usage ledger in the SQL store (migration 008_usage.sql): where REDIS_URL is unset, so the embedded PGlite
// default keeps a month's spend across restarts. Each event adds to its day's and its month's row in one
// atomic upsert; every statement runs in the tenant's scope under row level security.
//
// Written by group commit: an event recorded while a write is on its way waits for the next one, which takes
// every event that came meanwhile, summed per tenant, feature and day, in one transaction. Nothing waits that
// would not have waited anyway (the first event of a quiet moment is written at once), and record() still
// resolves only once its event is committed. On PGlite an upsert of its own cost a request about 0.7 ms of the
// database thread, most of it the transaction and the message rather than the row; under load, when events
// queue behind each other, one write now serves many.
import type { SqlDatabase } from '../retrieval/store/sql';
import { perTenantStatements, valuesRows } from '../retrieval/store/tenant-rows';
import { queryInTenantScope } from '../retrieval/store/tenant-scope';
import { groupCommit } from './group-commit';
import { COUNTER_FIELDS, countersOf, dayKey, monthKey, snapshotOf } from './usage-ledger';
import type { CounterField, UsageEvent, UsageLedger } from './usage-ledger';

export interface SqlUsageTarget {
  /** A validated SQL identifier (the store's config): interpolated, never a parameter. */
  schema: string;
  appRole: string;
}

interface CounterRow {
  granularity: 'day' | 'month';
  feature: string;
  requests: string | number;
  fallbacks: string | number;
  cache_hits: string | number;
  cost_nanos: string | number;
}

const COLUMN: Record<CounterField, keyof CounterRow> = {
  requests: 'requests',
  fallbacks: 'fallbacks',
  cacheHits: 'cache_hits',
  costNanos: 'cost_nanos',
};

interface CounterUpdate {
  tenantId: string;
  granularity: 'day' | 'month';
  period: string;
  feature: string;
  counters: Record<CounterField, number>;
}

/**
 * The events summed into one row update per tenant, granularity, period and feature (an event adds to its day
 * and to its month), in a fixed order: two replicas writing the same rows lock them in the same order, so their
 * transactions never deadlock on each other. Each tenant's rows come together (their keys share its prefix).
 */
function summedRows(events: readonly UsageEvent[]): CounterUpdate[] {
  const rows = new Map<string, CounterUpdate>();
  for (const event of events) {
    const counters = countersOf(event);
    for (const [granularity, period] of [
      ['day', dayKey(event.at)],
      ['month', monthKey(event.at)],
    ] as const) {
      const key = JSON.stringify([event.tenantId, granularity, period, event.feature]);
      const row = rows.get(key);
      if (row) for (const field of COUNTER_FIELDS) row.counters[field] += counters[field];
      else
        rows.set(key, {
          tenantId: event.tenantId,
          granularity,
          period,
          feature: event.feature,
          counters: { ...counters },
        });
    }
  }
  return [...rows.keys()].sort().map((key) => rows.get(key) as CounterUpdate);
}

const PARAMS_PER_ROW = 8;

function rowParams(row: CounterUpdate): unknown[] {
  return [
    row.tenantId,
    row.granularity,
    row.period,
    row.feature,
    row.counters.requests,
    row.counters.fallbacks,
    row.counters.cacheHits,
    // A bigint parameter as text: exact past 2^53, though a month's nanos stay far below it.
    String(row.counters.costNanos),
  ];
}

export function createSqlUsageLedger(db: SqlDatabase, { schema, appRole }: SqlUsageTarget): UsageLedger {
  const table = `${schema}.usage_counters`;
  const rowValues = (n: number) =>
    `($${n}, $${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7})`;
  // Rows of distinct keys (summedRows): an upsert may not touch one row twice.
  const upsertRows = (count: number) => `
    INSERT INTO ${table} AS counted
      (tenant_id, granularity, period, feature, requests, fallbacks, cache_hits, cost_nanos)
    VALUES ${valuesRows(count, PARAMS_PER_ROW, rowValues)}
    ON CONFLICT (tenant_id, granularity, period, feature) DO UPDATE SET
      requests = counted.requests + EXCLUDED.requests,
      fallbacks = counted.fallbacks + EXCLUDED.fallbacks,
      cache_hits = counted.cache_hits + EXCLUDED.cache_hits,
      cost_nanos = counted.cost_nanos + EXCLUDED.cost_nanos`;
  const select = `
    SELECT granularity, feature, requests, fallbacks, cache_hits, cost_nanos FROM ${table}
    WHERE tenant_id = $1 AND ((granularity = 'day' AND period = $2) OR (granularity = 'month' AND period = $3))`;

  const writes = groupCommit<UsageEvent>(async (events) => {
    await db.batch(
      perTenantStatements(appRole, summedRows(events), (rows) => ({
        text: upsertRows(rows.length),
        params: rows.flatMap(rowParams),
      })),
    );
  });

  return {
    async record(event) {
      // Refused before it joins a batch: a bad event never fails the others written with it.
      countersOf(event);
      await writes.write(event);
    },
    async read(tenantId, at) {
      const { rows } = await queryInTenantScope<CounterRow>(db, appRole, tenantId, {
        text: select,
        params: [tenantId, dayKey(at), monthKey(at)],
      });
      const today = new Map<string, number>();
      const month = new Map<string, number>();
      for (const row of rows) {
        const counters = row.granularity === 'day' ? today : month;
        for (const field of COUNTER_FIELDS)
          counters.set(`${row.feature}:${field}`, Number(row[COLUMN[field]]));
      }
      return snapshotOf(today, month);
    },
    async ping() {
      await db.query('SELECT 1');
    },
    // The store owns the database and closes it; a write on its way is finished first.
    close: () => writes.settled(),
  };
}
