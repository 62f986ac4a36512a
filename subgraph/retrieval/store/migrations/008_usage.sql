-- The usage ledger in the SQL store, for a deployment with no Redis (the embedded PGlite default above all):
-- a restart keeps the month's spend. One row per tenant, period and feature; each event adds to its day's and
-- its month's rows with INSERT … ON CONFLICT DO UPDATE SET x = x + EXCLUDED.x, atomic under concurrent writers.
-- Amounts are integer nano-dollars (bigint: 9.2e9 USD per row before overflow).
--
-- Rows are per tenant and hold what a tenant spent, which is its own business: under forced row level security
-- like documents, so the ledger reads and writes inside the tenant's scope (tenant-scope.ts) and a query that
-- forgot its tenant filter still sees one tenant only. No cross-tenant reader exists (unlike the embedding
-- backlog's counts), so there is no read-all policy.

CREATE TABLE {{schema}}.usage_counters (
  tenant_id text NOT NULL,
  -- 'day' rows are keyed by the UTC day (YYYY-MM-DD), 'month' rows by the UTC month (YYYY-MM).
  granularity text NOT NULL CHECK (granularity IN ('day', 'month')),
  period text NOT NULL,
  feature text NOT NULL,
  requests bigint NOT NULL DEFAULT 0 CHECK (requests >= 0),
  fallbacks bigint NOT NULL DEFAULT 0 CHECK (fallbacks >= 0),
  cache_hits bigint NOT NULL DEFAULT 0 CHECK (cache_hits >= 0),
  cost_nanos bigint NOT NULL DEFAULT 0 CHECK (cost_nanos >= 0),
  PRIMARY KEY (tenant_id, granularity, period, feature)
);

ALTER TABLE {{schema}}.usage_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.usage_counters FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON {{schema}}.usage_counters
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT, INSERT, UPDATE ON {{schema}}.usage_counters TO {{app_role}};
