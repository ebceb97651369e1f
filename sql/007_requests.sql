-- 007_requests.sql — the other Espace Partenaires services (SPEC §8):
-- signalements to the Mission accompagnement santé, rendez-vous, document
-- requests, and partnership messages without personal data.
--
-- The three kinds of requests follow the dossier's pattern and share one table:
-- queued by the API, persisted by the worker under the id the API gave, read
-- and instructed by the caisse, every change an event.

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

CREATE FUNCTION epart_request_doc(r requests, with_history boolean) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT r.body || jsonb_build_object(
        'id', r.id, 'kind', r.kind, 'reference', r.reference, 'org', r.org_id,
        'caisse', r.caisse, 'status', r.status, 'version', r.version,
        'received_at', epart_ts(r.created_at), 'created_at', epart_ts(r.created_at),
        'updated_at', epart_ts(r.updated_at),
        'deadlines', epart_deadlines_doc(r.kind, r.id))
        || CASE WHEN with_history THEN jsonb_build_object('history', COALESCE(
               (SELECT jsonb_agg(jsonb_build_object(
                    'at', epart_ts(e.at), 'actor', e.actor, 'from', e.from_status,
                    'to', e.to_status, 'detail', e.detail) ORDER BY e.id)
                FROM request_events e WHERE e.request_id = r.id), '[]'::jsonb))
           ELSE '{}'::jsonb END $$;

-- e: {"kind","stream_id","seq","meta":{…},"body":{…},"deadlines":[…]}
CREATE FUNCTION epart_apply_request_create(e jsonb) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    m jsonb := e->'meta';
    r_id uuid := (m->>'id')::uuid;
    r_org uuid := (m->>'org')::uuid;
    created timestamptz := timestamptz 'epoch'
                           + (m->>'received_at_us')::bigint * interval '1 microsecond';
    n int;
BEGIN
    INSERT INTO requests (id, kind, seq, reference, org_id, caisse, status, body, submitted_by,
                          created_at, updated_at)
    VALUES (r_id, e->>'kind', (e->>'seq')::bigint, m->>'reference', r_org, m->>'caisse',
            m->>'status', e->'body', m->'actor'->>'sub', created, created)
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        RETURN 'duplicate';
    END IF;
    INSERT INTO request_events (request_id, at, actor, from_status, to_status, detail)
        VALUES (r_id, created, m->'actor', NULL, m->>'status',
                jsonb_build_object('action', 'submit', 'stream_id', e->>'stream_id'));
    INSERT INTO echeances (object_type, object_id, org_id, caisse, clock, started_at, due_at,
                           fired_rank, next_fire_at)
        SELECT e->>'kind', r_id, r_org, m->>'caisse', x.clock, created, x.due_at, 0,
               x.next_fire_at
        FROM jsonb_to_recordset(COALESCE(e->'deadlines', '[]'::jsonb))
             AS x(clock text, due_at timestamptz, next_fire_at timestamptz);
    RETURN 'applied';
END $$;

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

CREATE FUNCTION epart_partnership_message_doc(x partnership_messages) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('id', x.id, 'org', x.org_id, 'caisse', x.caisse,
                                    'author', x.author, 'subject', x.subject, 'body', x.body,
                                    'created_at', epart_ts(x.created_at)) $$;
