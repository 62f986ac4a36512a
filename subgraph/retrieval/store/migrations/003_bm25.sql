-- BM25 ranking: each chunk's length in terms (stopwords excluded, as in its tsvector), each document's title
-- as its own stemmed field, and an inverted index (chunk_terms: one row per chunk and term, with the term's
-- frequency) so a search reads only the postings of its query terms. The generated columns are computed for
-- every existing row as they are added; the postings of existing chunks are filled in below. Term statistics
-- (document frequency, chunk count, average length) are counted per tenant at query time under row level
-- security, so no tenant's documents can move another tenant's scores.

-- Occurrences of stemmed, non-stopword terms: the sum of each lexeme's position count.
CREATE FUNCTION {{schema}}.tsvector_term_count(tsvector) RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT coalesce(sum(cardinality(positions)), 0)::integer FROM unnest($1) $$;

ALTER TABLE {{schema}}.chunks
  ADD COLUMN term_count integer
  GENERATED ALWAYS AS ({{schema}}.tsvector_term_count(to_tsvector('english', content))) STORED;

ALTER TABLE {{schema}}.documents
  ADD COLUMN title_tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', title)) STORED;

CREATE INDEX documents_title_tsv_idx ON {{schema}}.documents USING gin (title_tsv);

-- chunk_length repeats the chunk's term_count so scoring a posting needs no visit to its chunk.
CREATE TABLE {{schema}}.chunk_terms (
  tenant_id text NOT NULL,
  lexeme text NOT NULL,
  document_id text NOT NULL,
  ordinal integer NOT NULL,
  tf integer NOT NULL,
  chunk_length integer NOT NULL,
  PRIMARY KEY (tenant_id, lexeme, document_id, ordinal),
  FOREIGN KEY (tenant_id, document_id, ordinal)
    REFERENCES {{schema}}.chunks (tenant_id, document_id, ordinal) ON DELETE CASCADE
);

CREATE INDEX chunk_terms_chunk_idx ON {{schema}}.chunk_terms (tenant_id, document_id, ordinal);

-- The chunks' policy hides every row from a migrator that is not a superuser (FORCE): lifted for this one
-- statement, inside the migration's transaction, so every tenant's existing chunks get their postings.
ALTER TABLE {{schema}}.chunks NO FORCE ROW LEVEL SECURITY;

INSERT INTO {{schema}}.chunk_terms (tenant_id, lexeme, document_id, ordinal, tf, chunk_length)
  SELECT c.tenant_id, u.lexeme, c.document_id, c.ordinal, cardinality(u.positions), c.term_count
  FROM {{schema}}.chunks c CROSS JOIN LATERAL unnest(c.tsv) AS u;

ALTER TABLE {{schema}}.chunks FORCE ROW LEVEL SECURITY;

ALTER TABLE {{schema}}.chunk_terms ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.chunk_terms FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON {{schema}}.chunk_terms
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT, INSERT, DELETE ON {{schema}}.chunk_terms TO {{app_role}};
