-- The embedding sweep's record of the documents it tried to embed and could store nothing for. A document
-- it tried goes behind the tenant's documents not tried since (embedding_attempted_at), so one that fails
-- every run cannot hold the head of the work list. A document whose vectors in a model the store cannot keep
-- (a provider's zero or oversized vector) is not tried, nor paid for, in that model again
-- (embedding_failed_model): it stays lexical only. A re-ingest brings new text and clears both.
-- embedding_model is left as it is, so such a document is still not embedded, and the backlog counts
-- (tenant_embedding_models, migration 005) still count it under its model.

ALTER TABLE {{schema}}.documents ADD COLUMN embedding_attempted_at timestamptz;
ALTER TABLE {{schema}}.documents ADD COLUMN embedding_failed_model text;
