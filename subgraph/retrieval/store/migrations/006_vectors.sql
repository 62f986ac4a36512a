-- requires: vector
-- Each chunk's embedding (pgvector), its model and dimensions, under the same row level security as the
-- chunks. Applied only where the `vector` extension is available: elsewhere the store starts lexical only and
-- this migration stays pending, to be applied at the first start after pgvector is installed.
-- The vector column has no fixed dimensions, so a model change needs no migration; the HNSW indexes are per
-- dimension (partial expression indexes, `embedding::vector(n) WHERE dims = n`), created by the store at
-- open for the configured dimensions (vector-indexes.ts).

CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE {{schema}}.chunk_embeddings (
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  ordinal integer NOT NULL,
  model text NOT NULL,
  dims integer NOT NULL,
  embedding vector NOT NULL,
  PRIMARY KEY (tenant_id, document_id, ordinal),
  FOREIGN KEY (tenant_id, document_id, ordinal)
    REFERENCES {{schema}}.chunks (tenant_id, document_id, ordinal) ON DELETE CASCADE,
  CHECK (dims = vector_dims(embedding))
);

-- A tenant's vectors of one model: the exact search of a small tenant and the count that chooses the path.
CREATE INDEX chunk_embeddings_tenant_model_idx ON {{schema}}.chunk_embeddings (tenant_id, model, dims);

ALTER TABLE {{schema}}.chunk_embeddings ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.chunk_embeddings FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON {{schema}}.chunk_embeddings
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT, INSERT, DELETE ON {{schema}}.chunk_embeddings TO {{app_role}};
