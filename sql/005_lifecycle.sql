-- 005_lifecycle.sql — what the dossier lifecycle needs beyond ingest: the
-- effective deposit date of the rights, the partner's pieces requests, and the
-- messages' documents.

-- The deposit date the rights use (SPEC §4): the partner's deposited_on for an
-- AME first request of a habilitated organisation, else the date of receipt
-- (then NULL here until the dossier is received).
ALTER TABLE dossiers ADD COLUMN ame_deposit_on date;

CREATE OR REPLACE FUNCTION epart_dossier_doc(d dossiers, with_history boolean) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object(
        'id', d.id, 'reference', d.reference, 'org', d.org_id, 'caisse', d.caisse,
        'prestation', d.prestation, 'first_request', d.first_request, 'status', d.status,
        'version', d.version, 'deposited_on', d.deposited_on,
        'deposit_date', COALESCE(d.ame_deposit_on, d.received_on),
        'received_on', d.received_on,
        'received_at', epart_ts(d.received_at), 'decided_on', d.decided_on,
        'applicant', d.applicant, 'situation', d.situation, 'pieces', d.pieces,
        'consent', d.consent, 'pieces_requested', d.pieces_requested,
        'pre_instruction', d.pre_instruction, 'decision', d.decision, 'rights', d.rights,
        'simulation', d.simulation,
        'created_at', epart_ts(d.created_at), 'updated_at', epart_ts(d.updated_at),
        'deadlines', epart_deadlines_doc('dossier', d.id))
        || CASE WHEN with_history THEN jsonb_build_object('history', COALESCE(
               (SELECT jsonb_agg(jsonb_build_object(
                    'at', epart_ts(e.at), 'actor', e.actor, 'from', e.from_status,
                    'to', e.to_status, 'detail', e.detail) ORDER BY e.id)
                FROM dossier_events e WHERE e.dossier_id = d.id), '[]'::jsonb))
           ELSE '{}'::jsonb END $$;

CREATE OR REPLACE FUNCTION epart_apply_dossier_create(e jsonb) RETURNS text
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
                          ame_deposit_on, received_on, received_at, pre_instruction,
                          submitted_by, created_at, updated_at)
    VALUES (d_id, (e->>'seq')::bigint, m->>'reference', d_org, m->>'caisse',
            b->>'prestation', COALESCE((b->>'first_request')::boolean, false), m->>'status',
            b->'applicant', COALESCE(b->'situation', '{}'::jsonb),
            COALESCE(b->'pieces', '[]'::jsonb), b->'consent', (b->>'deposited_on')::date,
            (m->>'ame_deposit_on')::date, (m->>'received_on')::date,
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

-- The API's representation of a dossier message.
CREATE FUNCTION epart_message_doc(x dossier_messages) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('id', x.id, 'dossier', x.dossier_id, 'author', x.author,
                                    'body', x.body, 'sent_at', epart_ts(x.created_at)) $$;

-- Record that a status changed: the history event, the version, the webhook.
CREATE FUNCTION epart_dossier_changed(p_id uuid, p_at timestamptz, p_actor jsonb,
                                      p_from text, p_to text, p_detail jsonb)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    d dossiers;
BEGIN
    UPDATE dossiers SET status = p_to, version = version + 1, updated_at = p_at
        WHERE id = p_id RETURNING * INTO d;
    INSERT INTO dossier_events (dossier_id, at, actor, from_status, to_status, detail)
        VALUES (p_id, p_at, p_actor, p_from, p_to, p_detail);
    IF p_from IS DISTINCT FROM p_to THEN
        PERFORM epart_emit('dossier.status_changed', d.org_id, d.caisse,
                           jsonb_build_object('id', d.id, 'reference', d.reference,
                                              'prestation', d.prestation, 'from', p_from,
                                              'to', p_to, 'at', epart_ts(p_at)));
    END IF;
END $$;
