-- Chinese, Japanese and Korean text becomes searchable by its words. PostgreSQL's parser takes a run of
-- letters without spaces as one token, so "東京都の人口は約1400万人です" was a single lexeme and a search
-- for "人口" matched nothing. As Lucene's CJKAnalyzer and Elasticsearch's cjk_bigram do, each run of Han,
-- Hiragana, Katakana or Hangul characters is indexed as its overlapping character bigrams ("東京 京都 都の
-- の人 人口 口は"), with no dictionary; a one-character run stays one token. lexical_text does that rewrite
-- and every tsvector made for search goes through it: chunk text, its term count, document titles, and the
-- query (bm25-search.ts), so documents and queries are cut the same way. Text without such characters comes
-- back unchanged, so English lexemes and scores stay exactly what they were.

-- plpgsql so the character class is written once; both rewrites are regular expressions, run inside the
-- regex engine rather than a loop per run. Text of ASCII alone (byte length = character length) returns at
-- once, and other text without CJK after one regex test: most text indexed here is English.
CREATE FUNCTION {{schema}}.lexical_text(input text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  -- Han (radicals, ideographs, extensions A to H, compatibility, 々 〇 and the Hangzhou numerals), Hiragana,
  -- Katakana (with ー and the half-width forms; ・ stays a separator, as it is punctuation) and Hangul
  -- (jamo, compatibility jamo, syllables, half-width forms).
  cjk constant text := '[\u2E80-\u2FDF\u3005\u3007\u3021-\u3029\u3038-\u303B\u3400-\u4DBF\u4E00-\u9FFF'
    '\uF900-\uFAFF\U00020000-\U0003FFFF'
    '\u3041-\u309F\u30A1-\u30FA\u30FC-\u30FF\u31F0-\u31FF\uFF66-\uFF9F\U0001AFF0-\U0001B16F'
    '\u1100-\u11FF\u3131-\u318E\uA960-\uA97F\uAC00-\uD7A3\uD7B0-\uD7FF\uFFA0-\uFFDC]';
BEGIN
  IF octet_length(input) = char_length(input) OR input !~ cjk THEN
    RETURN input;
  END IF;
  -- Each run set off by spaces, so a run glued to Latin letters or digits ("Tokyo東京", "2024年3月") no longer
  -- hides them; then every character with a CJK neighbour on both sides is doubled around a space, which
  -- turns "東京都の" into "東京 京都 都の": its overlapping bigrams. A run of one or two is left as it is.
  RETURN regexp_replace(regexp_replace(input, cjk || '+', ' \& ', 'g'),
                        '(?<=' || cjk || ')' || cjk || '(?=' || cjk || ')', '\& \&', 'g');
END $$;

-- PostgreSQL 15 cannot change a generated column's expression: each is dropped and added again, which
-- recomputes it for every row (one rewrite per table) and drops the GIN index on it, made again below. tsv
-- keeps migration 002's inline storage, set in the same statement so the rewritten rows are stored that way.
ALTER TABLE {{schema}}.chunks
  DROP COLUMN tsv,
  DROP COLUMN term_count,
  ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', {{schema}}.lexical_text(content))) STORED,
  ADD COLUMN term_count integer
    GENERATED ALWAYS AS ({{schema}}.tsvector_term_count(to_tsvector('english', {{schema}}.lexical_text(content))))
    STORED,
  ALTER COLUMN tsv SET STORAGE MAIN;

CREATE INDEX chunks_tsv_idx ON {{schema}}.chunks USING gin (tsv);

ALTER TABLE {{schema}}.documents
  DROP COLUMN title_tsv,
  ADD COLUMN title_tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('english', {{schema}}.lexical_text(title))) STORED;

CREATE INDEX documents_title_tsv_idx ON {{schema}}.documents USING gin (title_tsv);

-- Only chunks holding CJK text changed their terms. Their postings are deleted and written again from the new
-- tsv, so migration 004/015's triggers move term_stats exactly as a re-ingest would (a bigram's df up, the old
-- long lexeme's down and gone at 0). Read past row level security for every tenant (see 003), the triggers'
-- writes to the statistics included.
ALTER TABLE {{schema}}.chunks NO FORCE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.chunk_terms NO FORCE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.term_stats NO FORCE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.corpus_stats NO FORCE ROW LEVEL SECURITY;

DELETE FROM {{schema}}.chunk_terms t
  USING {{schema}}.chunks c
  WHERE c.tenant_id = t.tenant_id AND c.document_id = t.document_id AND c.ordinal = t.ordinal
    AND {{schema}}.lexical_text(c.content) <> c.content;

INSERT INTO {{schema}}.chunk_terms (tenant_id, lexeme, document_id, ordinal, tf, chunk_length)
  SELECT c.tenant_id, u.lexeme, c.document_id, c.ordinal, cardinality(u.positions), c.term_count
  FROM {{schema}}.chunks c CROSS JOIN LATERAL unnest(c.tsv) AS u
  WHERE {{schema}}.lexical_text(c.content) <> c.content;

-- The rewrite fired no trigger, so a tenant holding such chunks has its total length counted again: the sum
-- of its chunks' new term counts, what the chunk trigger keeps it equal to.
UPDATE {{schema}}.corpus_stats s SET chunks = r.chunks, total_terms = r.total_terms
  FROM (SELECT tenant_id, count(*) AS chunks, coalesce(sum(term_count), 0) AS total_terms
        FROM {{schema}}.chunks
        WHERE tenant_id IN (SELECT tenant_id FROM {{schema}}.chunks
                            WHERE {{schema}}.lexical_text(content) <> content)
        GROUP BY tenant_id) r
  WHERE s.tenant_id = r.tenant_id;

ALTER TABLE {{schema}}.chunks FORCE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.chunk_terms FORCE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.term_stats FORCE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.corpus_stats FORCE ROW LEVEL SECURITY;
