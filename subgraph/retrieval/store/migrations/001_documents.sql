-- Documents and their chunks, with full-text search, isolated per tenant by row level security.
-- {{schema}} and {{app_role}} are validated SQL identifiers substituted by the migrator.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{{app_role}}') THEN
    CREATE ROLE {{app_role}} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

-- The connecting user switches to the app role inside each transaction, so it must be a member.
DO $$
BEGIN
  EXECUTE format('GRANT %I TO %I', '{{app_role}}', current_user);
EXCEPTION WHEN others THEN NULL;
END $$;

CREATE TABLE {{schema}}.documents (
  tenant_id text NOT NULL,
  id text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE {{schema}}.chunks (
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  ordinal integer NOT NULL,
  document_version integer NOT NULL,
  content text NOT NULL,
  tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
  PRIMARY KEY (tenant_id, document_id, ordinal),
  FOREIGN KEY (tenant_id, document_id) REFERENCES {{schema}}.documents (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX chunks_tsv_idx ON {{schema}}.chunks USING gin (tsv);

ALTER TABLE {{schema}}.documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.documents FORCE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.chunks ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.chunks FORCE ROW LEVEL SECURITY;

-- current_setting(..., true) is NULL when no tenant was set: then no row matches at all.
CREATE POLICY tenant_isolation ON {{schema}}.documents
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY tenant_isolation ON {{schema}}.chunks
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT USAGE ON SCHEMA {{schema}} TO {{app_role}};
GRANT SELECT, INSERT, UPDATE, DELETE ON {{schema}}.documents, {{schema}}.chunks TO {{app_role}};
