-- Which documents are embedded, and in which model: kept on every database, with or without pgvector, so a
-- store that gains the extension later knows what to embed, and a model change knows what to re-embed.
-- A document is embedded when every one of its chunks has a vector of `embedding_model`; a re-ingest clears
-- it (the new chunks have no vectors yet), and the store sets it when it writes the vectors.

ALTER TABLE {{schema}}.documents ADD COLUMN embedding_model text;
ALTER TABLE {{schema}}.documents
  ADD COLUMN embedded boolean GENERATED ALWAYS AS (embedding_model IS NOT NULL) STORED;

-- The background sweep must find documents to embed across tenants, and row level security lets the app role
-- read one tenant's documents at a time. So each tenant's documents are counted by embedding model ('' for
-- none) here, by trigger, in the same transaction as the document: tenant ids, model names and counts only,
-- never content. Every tenant may read every row (a sweep asks "which tenants have documents not in model
-- M?"); a tenant may change only its own rows, as the trigger does inside the writer's tenant scope.
CREATE TABLE {{schema}}.tenant_embedding_models (
  tenant_id text NOT NULL,
  model text NOT NULL,
  documents integer NOT NULL CHECK (documents >= 0),
  PRIMARY KEY (tenant_id, model)
);

CREATE FUNCTION {{schema}}.count_embedding_models() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE {{schema}}.tenant_embedding_models SET documents = documents - 1
      WHERE tenant_id = OLD.tenant_id AND model = coalesce(OLD.embedding_model, '');
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO {{schema}}.tenant_embedding_models AS counted (tenant_id, model, documents)
      VALUES (NEW.tenant_id, coalesce(NEW.embedding_model, ''), 1)
      ON CONFLICT (tenant_id, model) DO UPDATE SET documents = counted.documents + 1;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER documents_count_embedding_models
  AFTER INSERT OR DELETE OR UPDATE OF embedding_model ON {{schema}}.documents
  FOR EACH ROW EXECUTE FUNCTION {{schema}}.count_embedding_models();

-- Documents stored before this migration are not embedded. The documents' policy hides every row from a
-- migrator that is not a superuser (FORCE): lifted for this one statement, inside the migration's transaction.
ALTER TABLE {{schema}}.documents NO FORCE ROW LEVEL SECURITY;

INSERT INTO {{schema}}.tenant_embedding_models (tenant_id, model, documents)
  SELECT tenant_id, '', count(*) FROM {{schema}}.documents GROUP BY tenant_id;

ALTER TABLE {{schema}}.documents FORCE ROW LEVEL SECURITY;

ALTER TABLE {{schema}}.tenant_embedding_models ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.tenant_embedding_models FORCE ROW LEVEL SECURITY;

CREATE POLICY every_tenant_reads ON {{schema}}.tenant_embedding_models FOR SELECT USING (true);
CREATE POLICY tenant_isolation ON {{schema}}.tenant_embedding_models
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT, INSERT, UPDATE ON {{schema}}.tenant_embedding_models TO {{app_role}};
