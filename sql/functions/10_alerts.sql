-- 10_alerts.sql — alerts (SPEC §6): inserting those due at once, exactly once,
-- and the API's representation. An alert never changes once written: its
-- version is always 1.

-- Insert the alerts of e->'alerts' (those due at once), each exactly once, and
-- announce each one actually inserted.
CREATE OR REPLACE FUNCTION epart_insert_alerts(p_type text, p_id uuid, p_org uuid, p_caisse text,
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

-- How the API shows an alert (SPEC §6).
CREATE OR REPLACE FUNCTION epart_alert_doc(a alerts) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object(
        'id', a.id,
        'object', jsonb_build_object('type', a.object_type, 'id', a.object_id),
        'org', a.org_id, 'caisse', a.caisse, 'clock', a.clock, 'level', a.level,
        'lead', a.lead, 'due_at', epart_ts(a.due_at), 'fired_at', epart_ts(a.fired_at),
        'version', 1) $$;
