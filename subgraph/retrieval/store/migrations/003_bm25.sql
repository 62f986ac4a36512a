-- BM25 ranking: each chunk's length in terms (stopwords excluded, as in its tsvector) and each document's
-- title as its own stemmed field. Both are stored generated columns, so adding them computes them for every
-- existing row. Term statistics (document frequency, chunk count, average length) are computed per tenant at
-- query time under row level security, so no tenant's documents can move another tenant's scores.

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
