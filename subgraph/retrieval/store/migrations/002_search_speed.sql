-- Lets full-text matches use the GIN index under row level security, and keeps tsvectors in the main heap.
-- Row level security may only push a predicate below its policy (into an index scan) when the predicate's
-- function is LEAKPROOF. ts_match_vq (tsvector @@ tsquery) raises no error that depends on row data, so it
-- cannot leak another tenant's rows; marking it needs a superuser. Without one this step is skipped and
-- searches still work, as sequential scans of the tenant's chunks.
DO $$
BEGIN
  ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'ts_match_vq not marked LEAKPROOF (not a superuser): full-text search will not use the GIN index';
END $$;

-- Matching and ranking both read tsv: kept inline it is read once per row instead of twice through TOAST.
ALTER TABLE {{schema}}.chunks ALTER COLUMN tsv SET STORAGE MAIN;
