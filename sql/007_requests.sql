-- 007_requests.sql — the other Espace Partenaires services (SPEC §8):
-- signalements to the Mission accompagnement santé, rendez-vous, document
-- requests, and partnership messages without personal data.
--
-- The three kinds of requests follow the dossier's pattern and share one table:
-- queued by the API, persisted by the worker under the id the API gave, read
-- and instructed by the caisse, every change an event. Their functions live in
-- sql/functions/ (requests.sql, partnership.sql).

CREATE TABLE requests (
    id          uuid PRIMARY KEY,
    kind        text NOT NULL,     -- signalement | rendez_vous | demande_document
    seq         bigint NOT NULL,   -- ingest order (stream id)
    reference   text NOT NULL,
    org_id      uuid NOT NULL,
    caisse      text NOT NULL,
    status      text NOT NULL,
    version     integer NOT NULL DEFAULT 1,
    body        jsonb NOT NULL,    -- person, reasons, parcours, site, document… as sent
    submitted_by text NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    closed_at   timestamptz,
    purged_at   timestamptz
);
CREATE INDEX requests_org_page ON requests (kind, org_id, created_at DESC, seq DESC);
CREATE INDEX requests_caisse_page ON requests (kind, caisse, created_at DESC, seq DESC);
CREATE INDEX requests_page ON requests (kind, created_at DESC, seq DESC);

CREATE TABLE request_events (
    id          bigserial PRIMARY KEY,
    request_id  uuid NOT NULL REFERENCES requests (id),
    at          timestamptz NOT NULL,
    actor       jsonb NOT NULL,
    from_status text,
    to_status   text,
    detail      jsonb
);
CREATE INDEX request_events_request ON request_events (request_id, id);

-- Partnership messages (SPEC §8): between an organisation and its caisse,
-- without personal data, stored at once (201).
CREATE TABLE partnership_messages (
    id          uuid PRIMARY KEY,
    seq         bigserial NOT NULL,
    org_id      uuid NOT NULL REFERENCES organisations (id),
    caisse      text NOT NULL,
    author      jsonb NOT NULL,
    subject     text,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX partnership_messages_page ON partnership_messages (org_id, seq DESC);
CREATE INDEX partnership_messages_caisse ON partnership_messages (caisse, seq DESC);
