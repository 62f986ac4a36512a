-- A term no chunk of the tenant holds any more leaves term_stats. Migration 004's trigger only lowered df, so
-- every delete and re-ingest left the old text's terms behind at df = 0: the table grew with each change of
-- vocabulary, and a deleted document's words stayed readable there. BM25 reads term_stats with a LEFT JOIN
-- and takes a missing row as df = 0 (bm25-search.ts), so deleting such a row changes no score.

-- The trigger runs as the app role that deleted the chunks: it may now delete the tenant's rows too.
GRANT DELETE ON {{schema}}.term_stats TO {{app_role}};

-- The rows reaching 0 are deleted in a second statement: they are the ones the first just updated and
-- locked, so it waits on no other transaction. An ingest of the same terms running beside it waits on those
-- locks, then inserts the row again (ON CONFLICT retries on a row deleted under it).
CREATE OR REPLACE FUNCTION {{schema}}.count_terms() RETURNS trigger LANGUAGE plpgsql AS $$
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
    DELETE FROM {{schema}}.term_stats s
      USING (SELECT DISTINCT tenant_id, lexeme FROM removed) r
      WHERE s.tenant_id = r.tenant_id AND s.lexeme = r.lexeme AND s.df <= 0;
  END IF;
  RETURN NULL;
END $$;

-- The rows left at 0 before this migration, of every tenant: read past row level security (see 004).
ALTER TABLE {{schema}}.term_stats NO FORCE ROW LEVEL SECURITY;
DELETE FROM {{schema}}.term_stats WHERE df <= 0;
ALTER TABLE {{schema}}.term_stats FORCE ROW LEVEL SECURITY;
