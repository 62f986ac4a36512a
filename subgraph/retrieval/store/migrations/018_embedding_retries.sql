-- How many times in a row the embedding sweep tried a document and could store nothing for it (a failure of
-- its own: a timeout or error the provider did not give the other documents): the sweep's backoff
-- (embedding-backlog.ts) lists such a document behind every tenant's documents not failed, and one that
-- failed TRIES_BEFORE_LONG_WAIT times (3) once a day at most. Kept by trigger from the attempt record of
-- migration 016: each attempt the sweep records (embedding_attempted_at set) counts one; a re-ingest, which
-- clears that record (new text), and a successful embedding start the count again.

ALTER TABLE {{schema}}.documents ADD COLUMN embedding_failures integer NOT NULL DEFAULT 0;

CREATE FUNCTION {{schema}}.count_embedding_failures() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.embedding_attempted_at IS NULL
     OR (NEW.embedding_model IS NOT NULL AND NEW.embedding_model IS DISTINCT FROM OLD.embedding_model) THEN
    NEW.embedding_failures := 0;
  ELSIF NEW.embedding_attempted_at IS DISTINCT FROM OLD.embedding_attempted_at THEN
    NEW.embedding_failures := OLD.embedding_failures + 1;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER documents_count_embedding_failures
  BEFORE UPDATE OF embedding_attempted_at, embedding_model ON {{schema}}.documents
  FOR EACH ROW EXECUTE FUNCTION {{schema}}.count_embedding_failures();

-- Documents the sweep tried before this migration count one failed try. The documents' policy hides every row
-- from a migrator that is not a superuser (FORCE): lifted for this one statement, in this transaction.
ALTER TABLE {{schema}}.documents NO FORCE ROW LEVEL SECURITY;

UPDATE {{schema}}.documents SET embedding_failures = 1
  WHERE embedding_attempted_at IS NOT NULL;

ALTER TABLE {{schema}}.documents FORCE ROW LEVEL SECURITY;
