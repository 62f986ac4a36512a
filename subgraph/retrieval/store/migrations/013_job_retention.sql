-- Retention of finished background jobs (JOB_RETENTION_DAYS, job-retention.ts): a job completed, failed or
-- cancelled longer ago than that is deleted by a periodic run, one across replicas. The run has no tenant: as
-- with the samples' expiry (009), one narrower policy lets the app role with no tenant set DELETE exactly such
-- rows of any tenant, and grants no read: a DELETE whose WHERE or RETURNING reads the rows is held to the
-- SELECT policy (the tenant's), so the run is a bare `DELETE FROM jobs` and this policy alone picks the rows.
-- The retention is the run's own setting (app.job_retention_days, SET LOCAL in its transaction); unset, as in
-- every other transaction, the policy matches nothing.
--
-- What depends on a job: its job_dispatch row is gone already (the trigger of 011 deletes it when the job
-- becomes final); a document_summaries row (012) names the job that filled it but belongs to the document, and
-- keeps serving its summary while the document stays at that version, the job gone or not; pg-boss's copy of
-- the job carries ids only and is archived and deleted by pg-boss's own maintenance.

CREATE POLICY retention_purge ON {{schema}}.jobs FOR DELETE TO {{app_role}}
  USING (
    status IN ('completed', 'failed', 'cancelled')
    AND completed_at <= now()
      - make_interval(days => nullif(current_setting('app.job_retention_days', true), '')::integer)
  );

-- The run finds the old finished jobs without reading every tenant's table.
CREATE INDEX jobs_finished_idx ON {{schema}}.jobs (completed_at) WHERE completed_at IS NOT NULL;

GRANT DELETE ON {{schema}}.jobs TO {{app_role}};
