-- 005_lifecycle.sql — what the dossier lifecycle needs beyond ingest: the
-- effective deposit date of the rights. Its functions live in sql/functions/.

-- The deposit date the rights use (SPEC §4): the partner's deposited_on for an
-- AME first request of a habilitated organisation, else the date of receipt
-- (then NULL here until the dossier is received).
ALTER TABLE dossiers ADD COLUMN ame_deposit_on date;
