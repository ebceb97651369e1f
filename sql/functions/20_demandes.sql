-- 20_demandes.sql — the items of "Mes demandes" (GET /v1/demandes,
-- sql/018_demandes.sql): what a list of requests shows (kind, reference,
-- status, the person's name, what is asked, the clocks) and nothing more of the
-- person; the whole document stays behind GET of the request itself.

CREATE OR REPLACE FUNCTION epart_demande_dossier_item(d dossiers) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object(
        'kind', 'dossier', 'id', d.id, 'reference', d.reference, 'org', d.org_id,
        'caisse', d.caisse, 'status', d.status, 'version', d.version,
        'path', '/v1/dossiers/' || d.id,
        'prestation', d.prestation, 'first_request', d.first_request,
        'person', jsonb_build_object('last_name', d.applicant->'last_name',
                                     'first_names', d.applicant->'first_names'),
        'received_at', epart_ts(d.received_at), 'created_at', epart_ts(d.created_at),
        'updated_at', epart_ts(d.updated_at),
        'deadlines', epart_deadlines_doc('dossier', d.id)) $$;

CREATE OR REPLACE FUNCTION epart_demande_request_item(r requests) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object(
        'kind', r.kind, 'id', r.id, 'reference', r.reference, 'org', r.org_id,
        'caisse', r.caisse, 'status', r.status, 'version', r.version,
        'path', CASE r.kind WHEN 'signalement' THEN '/v1/signalements/'
                            WHEN 'rendez_vous' THEN '/v1/rendez-vous/'
                            ELSE '/v1/demandes-document/' END || r.id,
        'person', jsonb_build_object('last_name', r.body->'person'->'last_name',
                                     'first_names', r.body->'person'->'first_names'),
        'received_at', epart_ts(r.created_at), 'created_at', epart_ts(r.created_at),
        'updated_at', epart_ts(r.updated_at),
        'deadlines', epart_deadlines_doc(r.kind, r.id))
        || CASE r.kind
             WHEN 'signalement' THEN jsonb_build_object('parcours', r.body->'parcours')
             WHEN 'rendez_vous' THEN jsonb_build_object('site', r.body->'site')
             ELSE jsonb_build_object('document', r.body->'document',
                                     'channel', r.body->'channel') END $$;
