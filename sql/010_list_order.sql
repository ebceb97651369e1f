-- 010_list_order.sql — lists are newest first "by creation, then id" (SPEC §4):
-- the keyset indexes follow that order exactly.
DROP INDEX IF EXISTS dossiers_org_page;
DROP INDEX IF EXISTS dossiers_caisse_page;
DROP INDEX IF EXISTS dossiers_page;
CREATE INDEX dossiers_org_page ON dossiers (org_id, created_at DESC, id DESC);
CREATE INDEX dossiers_caisse_page ON dossiers (caisse, created_at DESC, id DESC);
CREATE INDEX dossiers_page ON dossiers (created_at DESC, id DESC);

DROP INDEX IF EXISTS requests_org_page;
DROP INDEX IF EXISTS requests_caisse_page;
DROP INDEX IF EXISTS requests_page;
CREATE INDEX requests_org_page ON requests (kind, org_id, created_at DESC, id DESC);
CREATE INDEX requests_caisse_page ON requests (kind, caisse, created_at DESC, id DESC);
CREATE INDEX requests_page ON requests (kind, created_at DESC, id DESC);

DROP INDEX IF EXISTS organisations_page;
CREATE INDEX organisations_page ON organisations (created_at DESC, id DESC);
