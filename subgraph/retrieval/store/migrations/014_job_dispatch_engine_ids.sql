-- The dispatcher (job-dispatch.ts) sends a pick's engine job in the same batch that marks it admitted, with
-- nothing between the reads and that batch waiting on this process: on PGlite, whose one connection every
-- start waits for, a round then never holds it across a turn of the event loop. So it reads the engine job's
-- id with the queue's heads: mirrored here like the rest (an id, never content).

ALTER TABLE {{schema}}.job_dispatch ADD COLUMN queue_job_id uuid;

CREATE OR REPLACE FUNCTION {{schema}}.track_job_dispatch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO {{schema}}.job_dispatch (tenant_id, job_id, created_at, running, queue_job_id)
      VALUES (NEW.tenant_id, NEW.id, NEW.created_at, NEW.status = 'running', NEW.queue_job_id);
  ELSIF NEW.status IN ('completed', 'failed', 'cancelled') THEN
    DELETE FROM {{schema}}.job_dispatch WHERE tenant_id = NEW.tenant_id AND job_id = NEW.id;
  ELSE
    UPDATE {{schema}}.job_dispatch SET running = (NEW.status = 'running')
      WHERE tenant_id = NEW.tenant_id AND job_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;

-- The jobs waiting now: both tables' policies hide every row from a migrator that is not a superuser (FORCE),
-- lifted for this one statement, in this transaction.
ALTER TABLE {{schema}}.jobs NO FORCE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.job_dispatch NO FORCE ROW LEVEL SECURITY;

UPDATE {{schema}}.job_dispatch d SET queue_job_id = j.queue_job_id
  FROM {{schema}}.jobs j WHERE j.tenant_id = d.tenant_id AND j.id = d.job_id;

ALTER TABLE {{schema}}.jobs FORCE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.job_dispatch FORCE ROW LEVEL SECURITY;

ALTER TABLE {{schema}}.job_dispatch ALTER COLUMN queue_job_id SET NOT NULL;
