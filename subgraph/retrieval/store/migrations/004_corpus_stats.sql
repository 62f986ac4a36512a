-- BM25's term statistics kept as the corpus changes, so a search reads them instead of counting them: each
-- tenant's number of chunks and total length (corpus_stats), and each of its terms' document frequency
-- (term_stats). Statement-level triggers on chunks and chunk_terms apply each statement's change in the same
-- transaction, so the statistics always agree with the committed chunks, cascaded deletes included. Both
-- tables are per tenant under row level security, like the rows they count.

CREATE TABLE {{schema}}.corpus_stats (
  tenant_id text PRIMARY KEY,
  chunks bigint NOT NULL,
  total_terms bigint NOT NULL
);

CREATE TABLE {{schema}}.term_stats (
  tenant_id text NOT NULL,
  lexeme text NOT NULL,
  df bigint NOT NULL,
  PRIMARY KEY (tenant_id, lexeme)
);

-- A search reads a term's postings best first (most occurrences, then the shortest chunks) and may stop
-- after a bounded number of them: this index hands them over in that order.
CREATE INDEX chunk_terms_impact_idx ON {{schema}}.chunk_terms (tenant_id, lexeme, tf DESC, chunk_length)
  INCLUDE (document_id, ordinal);

-- Rows are locked in key order (ORDER BY before ON CONFLICT), so two ingests of one tenant that share terms
-- wait for each other instead of deadlocking.
CREATE FUNCTION {{schema}}.count_chunks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO {{schema}}.corpus_stats AS s (tenant_id, chunks, total_terms)
      SELECT tenant_id, count(*), sum(term_count) FROM added GROUP BY tenant_id ORDER BY tenant_id
      ON CONFLICT (tenant_id) DO UPDATE
        SET chunks = s.chunks + EXCLUDED.chunks, total_terms = s.total_terms + EXCLUDED.total_terms;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE {{schema}}.corpus_stats s SET chunks = s.chunks - r.chunks, total_terms = s.total_terms - r.total_terms
      FROM (SELECT tenant_id, count(*) AS chunks, sum(term_count) AS total_terms FROM removed GROUP BY tenant_id) r
      WHERE s.tenant_id = r.tenant_id;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION {{schema}}.count_terms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO {{schema}}.term_stats AS s (tenant_id, lexeme, df)
      SELECT tenant_id, lexeme, count(*) FROM added GROUP BY tenant_id, lexeme ORDER BY tenant_id, lexeme
      ON CONFLICT (tenant_id, lexeme) DO UPDATE SET df = s.df + EXCLUDED.df;
  ELSE
    UPDATE {{schema}}.term_stats s SET df = s.df - r.df
      FROM (SELECT tenant_id, lexeme, count(*) AS df FROM removed GROUP BY tenant_id, lexeme
            ORDER BY tenant_id, lexeme) r
      WHERE s.tenant_id = r.tenant_id AND s.lexeme = r.lexeme;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER chunks_counted_on_insert AFTER INSERT ON {{schema}}.chunks
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.count_chunks();
CREATE TRIGGER chunks_counted_on_update AFTER UPDATE ON {{schema}}.chunks
  REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.count_chunks();
CREATE TRIGGER chunks_counted_on_delete AFTER DELETE ON {{schema}}.chunks
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.count_chunks();

CREATE TRIGGER chunk_terms_counted_on_insert AFTER INSERT ON {{schema}}.chunk_terms
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.count_terms();
CREATE TRIGGER chunk_terms_counted_on_delete AFTER DELETE ON {{schema}}.chunk_terms
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.count_terms();

-- The statistics of the chunks stored before this migration, read past row level security (see 003).
ALTER TABLE {{schema}}.chunks NO FORCE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.chunk_terms NO FORCE ROW LEVEL SECURITY;

INSERT INTO {{schema}}.corpus_stats (tenant_id, chunks, total_terms)
  SELECT tenant_id, count(*), coalesce(sum(term_count), 0) FROM {{schema}}.chunks GROUP BY tenant_id;

INSERT INTO {{schema}}.term_stats (tenant_id, lexeme, df)
  SELECT tenant_id, lexeme, count(*) FROM {{schema}}.chunk_terms GROUP BY tenant_id, lexeme;

ALTER TABLE {{schema}}.chunks FORCE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.chunk_terms FORCE ROW LEVEL SECURITY;

ALTER TABLE {{schema}}.corpus_stats ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.corpus_stats FORCE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.term_stats ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.term_stats FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON {{schema}}.corpus_stats
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY tenant_isolation ON {{schema}}.term_stats
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT, INSERT, UPDATE ON {{schema}}.corpus_stats, {{schema}}.term_stats TO {{app_role}};
