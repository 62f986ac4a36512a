-- Each chunk's verdict from the injection screen (the retrieval rail), written with the chunk at ingest so a
-- question does not screen the same text again: the version of the screen's rules that judged it, and, when
-- it was flagged, the category and score. screen_version NULL means the chunk was stored before screening
-- existed (every row already here): such a chunk, like one judged by older rules, is screened when it is
-- retrieved (guardrails/retrieval/chunk-verdict.ts). No row is rewritten here, so the chunks' forced row level
-- security needs no lifting; the columns fall under the chunks' existing policy and grants.

ALTER TABLE {{schema}}.chunks
  ADD COLUMN flag_kind text,
  ADD COLUMN flag_score real,
  ADD COLUMN screen_version smallint;

-- A flag has both a category and a score, and only a screened chunk can carry one.
ALTER TABLE {{schema}}.chunks
  ADD CONSTRAINT chunks_flag_whole CHECK ((flag_kind IS NULL) = (flag_score IS NULL)),
  ADD CONSTRAINT chunks_flag_screened CHECK (flag_kind IS NULL OR screen_version IS NOT NULL);
