-- Background AI jobs (startSummaryJob, startAskJob): what a tenant may see of a job, owned by the app. The
-- queue engine (pg-boss, in a schema of its own) carries only the job's id and tenant id; the input, which is
-- tenant content, and the result live here, under forced row level security like documents, read and written
-- inside the tenant's scope (tenant-scope.ts).
--
-- A runner takes a job by one guarded UPDATE: from 'queued', or from 'running' once the previous runner's
-- claim has lapsed (its replica died); it writes the result only while its own claim (claim_id) still holds
-- and the job is still 'running', so a cancelled job or one taken over never gets a stale result.

CREATE TABLE {{schema}}.jobs (
  tenant_id text NOT NULL,
  id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('summary', 'answer')),
  status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- The feature's input (tenant content): never logged.
  input jsonb NOT NULL,
  -- The feature's outcome (full, degraded or unavailable), set once the job completes.
  result jsonb,
  -- The queue engine's job that carries this one (cancelled with it).
  queue_job_id uuid NOT NULL,
  -- The runner holding the job, and until when its claim holds.
  claim_id uuid,
  claim_expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  completed_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);

-- maxQueued and maxRunning count a tenant's jobs by status.
CREATE INDEX jobs_status_idx ON {{schema}}.jobs (tenant_id, status);

ALTER TABLE {{schema}}.jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.jobs FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON {{schema}}.jobs
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT, INSERT, UPDATE ON {{schema}}.jobs TO {{app_role}};
