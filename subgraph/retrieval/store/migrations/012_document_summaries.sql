-- Summaries computed in the background for Document.aiSummary (ingestDocument with summarize: true): one row
-- per document asked for, written when the ingest queues the job and filled in the transaction that completes
-- it. The row names the document version it was asked for: a re-ingest bumps the document's version, so the
-- stored summary stops being served (and a new request replaces the row, the old job's result then matching
-- no row). Tenant content (the summary), so under forced row level security like the documents.

CREATE TABLE {{schema}}.document_summaries (
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  document_version integer NOT NULL,
  -- The job that fills the row; a result of any other job is not this row's.
  job_id uuid NOT NULL,
  -- The summary's outcome (a full Summary only), null until the job completes.
  summary jsonb,
  completed_at timestamptz,
  PRIMARY KEY (tenant_id, document_id),
  FOREIGN KEY (tenant_id, document_id) REFERENCES {{schema}}.documents (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX document_summaries_job_idx ON {{schema}}.document_summaries (tenant_id, job_id);

ALTER TABLE {{schema}}.document_summaries ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.document_summaries FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON {{schema}}.document_summaries
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT, INSERT, UPDATE, DELETE ON {{schema}}.document_summaries TO {{app_role}};
