-- 20_requests.sql — the requests table's functions (SPEC §8: signalements,
-- rendez-vous, document requests): its document, built to be inlined as the
-- dossier's is (20_dossiers.sql), and the worker's application of a create.

CREATE OR REPLACE FUNCTION epart_request_doc(r requests, with_history boolean) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT r.body || jsonb_build_object(
        'id', r.id, 'kind', r.kind, 'reference', r.reference, 'org', r.org_id,
        'caisse', r.caisse, 'status', r.status, 'version', r.version,
        'received_at', epart_ts(r.created_at), 'created_at', epart_ts(r.created_at),
        'updated_at', epart_ts(r.updated_at),
        'deadlines', epart_deadlines_doc(r.kind, r.id))
        || CASE WHEN with_history
                THEN jsonb_build_object('history', epart_history('request', r.id))
                ELSE '{}'::jsonb END $$;

-- e: {"kind","stream_id","seq","meta":{…},"body":{…},"deadlines":[…]}
CREATE OR REPLACE FUNCTION epart_apply_request_create(e jsonb) RETURNS text
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
    INSERT INTO deadlines (object_type, object_id, org_id, caisse, clock, started_at, due_at,
                           fired_rank, next_fire_at)
        SELECT e->>'kind', r_id, r_org, m->>'caisse', x.clock, created, x.due_at, 0,
               x.next_fire_at
        FROM jsonb_to_recordset(COALESCE(e->'deadlines', '[]'::jsonb))
             AS x(clock text, due_at timestamptz, next_fire_at timestamptz);
    RETURN 'applied';
END $$;
