-- 002_documents.sql — how the API shows a dossier, built where the data is.
--
-- The deadlines carry their raw fields (suspended_on, stopped_at); the API adds
-- the displayed state from the product's clock (common/echeance.c).

CREATE FUNCTION epart_deadlines_doc(object_type text, object_id uuid) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT COALESCE(jsonb_agg(jsonb_build_object(
              'clock', x.clock, 'due_at', epart_ts(x.due_at),
              'suspended_days', x.suspended_days, 'suspended_on', x.suspended_on,
              'stopped_at', epart_ts(x.stopped_at)) ORDER BY x.id), '[]'::jsonb)
          FROM echeances x
          WHERE x.object_type = $1 AND x.object_id = $2 $$;

CREATE FUNCTION epart_dossier_doc(d dossiers, with_history boolean) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object(
        'id', d.id, 'reference', d.reference, 'org', d.org_id, 'caisse', d.caisse,
        'prestation', d.prestation, 'first_request', d.first_request, 'status', d.status,
        'version', d.version, 'deposited_on', d.deposited_on, 'received_on', d.received_on,
        'received_at', epart_ts(d.received_at), 'decided_on', d.decided_on,
        'applicant', d.applicant, 'situation', d.situation, 'pieces', d.pieces,
        'consent', d.consent, 'pieces_requested', d.pieces_requested,
        'pre_instruction', d.pre_instruction, 'decision', d.decision, 'rights', d.rights,
        'created_at', epart_ts(d.created_at), 'updated_at', epart_ts(d.updated_at),
        'deadlines', epart_deadlines_doc('dossier', d.id))
        || CASE WHEN with_history THEN jsonb_build_object('history', COALESCE(
               (SELECT jsonb_agg(jsonb_build_object(
                    'at', epart_ts(e.at), 'actor', e.actor, 'from', e.from_status,
                    'to', e.to_status, 'detail', e.detail) ORDER BY e.id)
                FROM dossier_events e WHERE e.dossier_id = d.id), '[]'::jsonb))
           ELSE '{}'::jsonb END $$;
