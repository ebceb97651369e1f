-- 021_history_once.sql — a dossier's and a request's histories are read by one
-- function, epart_history (sql/functions/00_format.sql); the two it replaces
-- go (sql/functions/README.md: a function is dropped by a numbered migration).

DROP FUNCTION IF EXISTS epart_dossier_history(uuid);
DROP FUNCTION IF EXISTS epart_request_history(uuid);
