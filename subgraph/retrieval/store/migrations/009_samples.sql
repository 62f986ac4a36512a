-- Sampled requests kept for the tenant's ai:admin to read (Query.aiSamples): only for tenants whose policy opts
-- in (sampling.keepContent), input and output redacted by the PII redactor before they are written. A row is
-- inserted with its grades empty; the quality grader fills them in with an UPDATE once it has run.
--
-- Rows hold a tenant's questions and answers: under forced row level security like documents, read and written
-- inside the tenant's scope (tenant-scope.ts). One narrower policy besides: the expiry sweep, running as the
-- app role with no tenant set, may DELETE rows whose expires_at has passed, of any tenant. It grants no read:
-- a DELETE whose WHERE or RETURNING reads the rows is also held to the SELECT policy (the tenant's), so the
-- sweep is a bare `DELETE FROM samples` and the policy alone picks the expired rows.

CREATE TABLE {{schema}}.samples (
  tenant_id text NOT NULL,
  -- One per sampled feature call: an operation's request id is shared by every AI field it selects.
  sample_id text NOT NULL,
  request_id text NOT NULL,
  feature text NOT NULL,
  created_at timestamptz NOT NULL,
  -- created_at plus the tenant's sampling.retentionDays when the row was written.
  expires_at timestamptz NOT NULL,
  input text NOT NULL,
  chunk_ids text[] NOT NULL DEFAULT '{}',
  output text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('full', 'degraded', 'unavailable')),
  reason text,
  -- The grades: all null until graded_at is set (a search result, or a request no model answered, stays so).
  grounding double precision CHECK (grounding >= 0 AND grounding <= 1),
  citations_valid boolean,
  abstained boolean,
  graded_at timestamptz,
  PRIMARY KEY (tenant_id, sample_id),
  CHECK (expires_at > created_at)
);

-- aiSamples reads a tenant's newest first; the sweep finds what has expired.
CREATE INDEX samples_recent_idx ON {{schema}}.samples (tenant_id, created_at DESC);
CREATE INDEX samples_expiry_idx ON {{schema}}.samples (expires_at);

ALTER TABLE {{schema}}.samples ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.samples FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON {{schema}}.samples
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

CREATE POLICY expired_sweep ON {{schema}}.samples FOR DELETE TO {{app_role}}
  USING (expires_at <= now());

GRANT SELECT, INSERT, UPDATE, DELETE ON {{schema}}.samples TO {{app_role}};
