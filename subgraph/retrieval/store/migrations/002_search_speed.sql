-- Matching and ranking both read tsv: kept inline it is read once per row instead of twice through TOAST.
ALTER TABLE {{schema}}.chunks ALTER COLUMN tsv SET STORAGE MAIN;
