-- 003_ingest.sql — applying queued partner writes, and the webhook outbox.
--
-- The worker computes in C everything that is domain logic (deadlines, the
-- pre-instruction, the alerts due at once) and hands each stream entry to one
-- of these functions as a JSON object, so that a batch of entries costs one
-- round trip and each entry is applied atomically and at most once.

-- Queue an event for every webhook of the organisation and of its caisse that
-- subscribed to its type. The event id is the webhook-id of every delivery.
CREATE FUNCTION epart_emit(p_type text, p_org uuid, p_caisse text, p_data jsonb)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    ev uuid;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhooks w
                   WHERE w.deleted_at IS NULL AND p_type = ANY (w.events)
                     AND (w.org_id = p_org OR w.caisse = p_caisse)) THEN
        RETURN;
    END IF;
    ev := gen_random_uuid();
    INSERT INTO webhook_events (id, type, org_id, caisse, payload)
        VALUES (ev, p_type, p_org, p_caisse, p_data);
    INSERT INTO webhook_jobs (webhook_id, event_id)
        SELECT w.id, ev FROM webhooks w
        WHERE w.deleted_at IS NULL AND p_type = ANY (w.events)
          AND (w.org_id = p_org OR w.caisse = p_caisse);
END $$;

-- Insert the alerts of e->'alerts' (those due at once), each exactly once, and
-- announce each one actually inserted.
CREATE FUNCTION epart_insert_alerts(p_type text, p_id uuid, p_org uuid, p_caisse text,
                                    p_reference text, alerts jsonb)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    a record;
    new_id uuid;
BEGIN
    FOR a IN SELECT * FROM jsonb_to_recordset(COALESCE(alerts, '[]'::jsonb))
                 AS x(clock text, level text, lead text, due_at timestamptz, fired_at timestamptz)
    LOOP
        INSERT INTO alerts (id, object_type, object_id, org_id, caisse, clock, level, lead,
                            due_at, fired_at)
            VALUES (gen_random_uuid(), p_type, p_id, p_org, p_caisse, a.clock, a.level, a.lead,
                    a.due_at, a.fired_at)
            ON CONFLICT DO NOTHING
            RETURNING id INTO new_id;
        IF new_id IS NOT NULL THEN
            PERFORM epart_emit(CASE a.level WHEN 'breach' THEN 'deadline.breached'
                                            ELSE 'deadline.warning' END,
                               p_org, p_caisse,
                               jsonb_build_object('alert', new_id, 'object',
                                   jsonb_build_object('type', p_type, 'id', p_id,
                                                      'reference', p_reference),
                                   'clock', a.clock, 'level', a.level, 'lead', a.lead,
                                   'due_at', epart_ts(a.due_at),
                                   'fired_at', epart_ts(a.fired_at)));
        END IF;
        new_id := NULL;
    END LOOP;
END $$;

-- e: {"entry","stream_id","seq","meta":{…},"body":{…},"pre_instruction":{…},
--     "deadlines":[{"clock","started_on","due_at","stopped_at","fired_rank",
--                   "next_fire_at"}], "alerts":[…]}
CREATE FUNCTION epart_apply_dossier_create(e jsonb) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    m jsonb := e->'meta';
    b jsonb := e->'body';
    d_id uuid := (m->>'id')::uuid;
    d_org uuid := (m->>'org')::uuid;
    created timestamptz := timestamptz 'epoch'
                           + (m->>'received_at_us')::bigint * interval '1 microsecond';
    n int;
BEGIN
    INSERT INTO dossiers (id, seq, reference, org_id, caisse, prestation, first_request,
                          status, applicant, situation, pieces, consent, deposited_on,
                          received_on, received_at, pre_instruction, submitted_by,
                          created_at, updated_at)
    VALUES (d_id, (e->>'seq')::bigint, m->>'reference', d_org, m->>'caisse',
            b->>'prestation', COALESCE((b->>'first_request')::boolean, false), m->>'status',
            b->'applicant', COALESCE(b->'situation', '{}'::jsonb),
            COALESCE(b->'pieces', '[]'::jsonb), b->'consent', (b->>'deposited_on')::date,
            (m->>'received_on')::date,
            CASE WHEN m->>'received_on' IS NULL THEN NULL ELSE created END,
            e->'pre_instruction', m->'actor'->>'sub', created, created)
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        RETURN 'duplicate';
    END IF;
    INSERT INTO dossier_events (dossier_id, at, actor, from_status, to_status, detail)
        VALUES (d_id, created, m->'actor', NULL, m->>'status',
                jsonb_build_object('action', 'submit', 'stream_id', e->>'stream_id'));
    INSERT INTO echeances (object_type, object_id, org_id, caisse, clock, started_on, due_at,
                           stopped_at, fired_rank, next_fire_at)
        SELECT 'dossier', d_id, d_org, m->>'caisse', x.clock, x.started_on, x.due_at,
               x.stopped_at, COALESCE(x.fired_rank, 0), x.next_fire_at
        FROM jsonb_to_recordset(COALESCE(e->'deadlines', '[]'::jsonb))
             AS x(clock text, started_on date, due_at timestamptz, stopped_at timestamptz,
                  fired_rank int, next_fire_at timestamptz);
    PERFORM epart_insert_alerts('dossier', d_id, d_org, m->>'caisse', m->>'reference',
                                e->'alerts');
    PERFORM epart_emit('dossier.status_changed', d_org, m->>'caisse',
                       jsonb_build_object('id', d_id, 'reference', m->>'reference',
                                          'prestation', b->>'prestation',
                                          'from', NULL, 'to', m->>'status',
                                          'at', epart_ts(created)));
    RETURN 'applied';
END $$;
