-- Fair admission of background jobs (job-dispatch.ts): a queued job waits here, not in the queue engine, until
-- the dispatcher admits it (round robin over the tenants with work, fair-picker.ts), and only then gets its
-- pg-boss job. The dispatcher must see every tenant's waiting jobs, and row level security shows the app role
-- one tenant's jobs at a time; so each job not yet final has a row here, kept by trigger in the job's own
-- transaction: tenant id, job id, times and flags only, never content. Every tenant may read every row (the
-- dispatcher asks "whose jobs wait?"); a tenant may change only its own rows, as the trigger does inside the
-- writer's tenant scope and the dispatcher does with the tenant set for each admission.

CREATE TABLE {{schema}}.job_dispatch (
  tenant_id text NOT NULL,
  job_id uuid NOT NULL,
  created_at timestamptz NOT NULL,
  -- Given its engine job: counts against the tenant's jobs.maxRunning from then until the job is final.
  admitted boolean NOT NULL DEFAULT false,
  -- Claimed by a runner now (the job's status is 'running').
  running boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tenant_id, job_id)
);

-- The per-tenant queues' heads, oldest first.
CREATE INDEX job_dispatch_waiting_idx ON {{schema}}.job_dispatch (tenant_id, created_at, job_id)
  WHERE NOT admitted;

CREATE FUNCTION {{schema}}.track_job_dispatch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO {{schema}}.job_dispatch (tenant_id, job_id, created_at, running)
      VALUES (NEW.tenant_id, NEW.id, NEW.created_at, NEW.status = 'running');
  ELSIF NEW.status IN ('completed', 'failed', 'cancelled') THEN
    DELETE FROM {{schema}}.job_dispatch WHERE tenant_id = NEW.tenant_id AND job_id = NEW.id;
  ELSE
    UPDATE {{schema}}.job_dispatch SET running = (NEW.status = 'running')
      WHERE tenant_id = NEW.tenant_id AND job_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER jobs_track_dispatch
  AFTER INSERT OR UPDATE OF status ON {{schema}}.jobs
  FOR EACH ROW EXECUTE FUNCTION {{schema}}.track_job_dispatch();

-- Jobs queued before this migration already have their engine jobs: admitted. The jobs' policy hides every
-- row from a migrator that is not a superuser (FORCE): lifted for this one statement, in this transaction.
ALTER TABLE {{schema}}.jobs NO FORCE ROW LEVEL SECURITY;

INSERT INTO {{schema}}.job_dispatch (tenant_id, job_id, created_at, admitted, running)
  SELECT tenant_id, id, created_at, true, status = 'running' FROM {{schema}}.jobs
  WHERE status IN ('queued', 'running');

ALTER TABLE {{schema}}.jobs FORCE ROW LEVEL SECURITY;

ALTER TABLE {{schema}}.job_dispatch ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.job_dispatch FORCE ROW LEVEL SECURITY;

CREATE POLICY every_tenant_reads ON {{schema}}.job_dispatch FOR SELECT USING (true);
CREATE POLICY tenant_isolation ON {{schema}}.job_dispatch
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT, INSERT, UPDATE, DELETE ON {{schema}}.job_dispatch TO {{app_role}};
