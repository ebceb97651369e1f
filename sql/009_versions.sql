-- 009_versions.sql — every resource carries a version (SPEC §2). Messages and
-- alerts never change once written: their version is always 1.

CREATE OR REPLACE FUNCTION epart_message_doc(x dossier_messages) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('id', x.id, 'dossier', x.dossier_id, 'author', x.author,
                                    'body', x.body, 'sent_at', epart_ts(x.created_at),
                                    'version', 1) $$;

CREATE OR REPLACE FUNCTION epart_alert_doc(a alerts) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object(
        'id', a.id,
        'object', jsonb_build_object('type', a.object_type, 'id', a.object_id),
        'org', a.org_id, 'caisse', a.caisse, 'clock', a.clock, 'level', a.level,
        'lead', a.lead, 'due_at', epart_ts(a.due_at), 'fired_at', epart_ts(a.fired_at),
        'version', 1) $$;

CREATE OR REPLACE FUNCTION epart_partnership_message_doc(x partnership_messages) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('id', x.id, 'org', x.org_id, 'caisse', x.caisse,
                                    'author', x.author, 'subject', x.subject, 'body', x.body,
                                    'created_at', epart_ts(x.created_at), 'version', 1) $$;
