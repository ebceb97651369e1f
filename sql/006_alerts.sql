-- 006_alerts.sql — how the API shows an alert (SPEC §6).
CREATE FUNCTION epart_alert_doc(a alerts) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object(
        'id', a.id,
        'object', jsonb_build_object('type', a.object_type, 'id', a.object_id),
        'org', a.org_id, 'caisse', a.caisse, 'clock', a.clock, 'level', a.level,
        'lead', a.lead, 'due_at', epart_ts(a.due_at), 'fired_at', epart_ts(a.fired_at)) $$;
