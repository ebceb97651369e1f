-- 018_demandes.sql — "Mes demandes" (GET /v1/demandes): every request of a
-- scope, dossiers and the three services of SPEC §8 in one keyset-paged list,
-- newest first.
--
-- Each item is a summary: what a list of requests shows (kind, reference,
-- status, the person's name, what is asked, the clocks) and nothing more of the
-- person; the whole document stays behind GET of the request itself. The items
-- are built by sql/functions/demandes.sql.

-- The requests of every kind of one scope, newest first (the existing indexes
-- lead with kind, for the per-service lists).
CREATE INDEX requests_org_all_page ON requests (org_id, created_at DESC, id DESC);
CREATE INDEX requests_caisse_all_page ON requests (caisse, created_at DESC, id DESC);
CREATE INDEX requests_all_page ON requests (created_at DESC, id DESC);
