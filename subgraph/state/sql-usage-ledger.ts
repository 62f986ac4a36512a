// The usage ledger in the SQL store (migration 008_usage.sql): where REDIS_URL is unset, so the embedded PGlite
// default keeps a month's spend across restarts. Each event adds to its day's and its month's row in one
// atomic upsert; every statement runs in the tenant's scope under row level security.
import type { SqlDatabase } from '../retrieval/store/sql';
import { queryInTenantScope, tenantScopeStatement } from '../retrieval/store/tenant-scope';
import { COUNTER_FIELDS, countersOf, dayKey, monthKey, snapshotOf } from './usage-ledger';
import type { CounterField, UsageLedger } from './usage-ledger';

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

export function createSqlUsageLedger(db: SqlDatabase, { schema, appRole }: SqlUsageTarget): UsageLedger {
  const table = `${schema}.usage_counters`;
  // Two rows in one statement, so a day's and its month's totals never disagree after a failure.
  const upsert = `
    INSERT INTO ${table} AS counted
      (tenant_id, granularity, period, feature, requests, fallbacks, cache_hits, cost_nanos)
    VALUES ($1, 'day', $2, $4, $5, $6, $7, $8), ($1, 'month', $3, $4, $5, $6, $7, $8)
    ON CONFLICT (tenant_id, granularity, period, feature) DO UPDATE SET
      requests = counted.requests + EXCLUDED.requests,
      fallbacks = counted.fallbacks + EXCLUDED.fallbacks,
      cache_hits = counted.cache_hits + EXCLUDED.cache_hits,
      cost_nanos = counted.cost_nanos + EXCLUDED.cost_nanos`;
  const select = `
    SELECT granularity, feature, requests, fallbacks, cache_hits, cost_nanos FROM ${table}
    WHERE tenant_id = $1 AND ((granularity = 'day' AND period = $2) OR (granularity = 'month' AND period = $3))`;

  return {
    async record(event) {
      const counters = countersOf(event);
      // The tenant's scope (the statement inTenantScope opens with) and the upsert as one batch: on PGlite one
      // message, so the one connection is not held across turns of a busy event loop for every model call metered.
      await db.batch([
        tenantScopeStatement(appRole, event.tenantId),
        {
          text: upsert,
          params: [
            event.tenantId,
            dayKey(event.at),
            monthKey(event.at),
            event.feature,
            counters.requests,
            counters.fallbacks,
            counters.cacheHits,
            // A bigint parameter as text: exact past 2^53, though a month's nanos stay far below it.
            String(counters.costNanos),
          ],
        },
      ]);
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
    // The store owns the database and closes it.
    async close() {},
  };
}
