-- 012_inline_documents.sql — the documents of dossiers and requests, built
-- without a sub-SELECT so that PostgreSQL inlines them.
--
-- Why: a SQL function whose body holds a sub-SELECT is never inlined; each call
-- then runs through the SQL-function executor. For epart_dossier_doc that was
-- about 170 µs per row on the benchmark machine, three quarters of the cost of a
-- list page of 50 dossiers (docs/BENCHMARKS.md, reads). The history moves to a
-- function of its own, called only when asked for: with with_history a constant
-- false (the lists) the CASE folds away at plan time. Same documents, same keys.
--
-- The aggregates (deadlines, history) cannot be inlined; as SQL functions they
-- were parsed and planned again at every statement that called them. In
-- PL/pgSQL their plans are kept for the session: half the time of a GET.

CREATE OR REPLACE FUNCTION epart_deadlines_doc(object_type text, object_id uuid) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$ BEGIN
        RETURN (SELECT COALESCE(jsonb_agg(jsonb_build_object(
                    'clock', x.clock, 'due_at', epart_ts(x.due_at),
                    'suspended_days', x.suspended_days, 'suspended_on', x.suspended_on,
                    'stopped_at', epart_ts(x.stopped_at)) ORDER BY x.id), '[]'::jsonb)
                FROM echeances x
                WHERE x.object_type = $1 AND x.object_id = $2);
    END $$;

CREATE FUNCTION epart_dossier_history(p_id uuid) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$ BEGIN
        RETURN (SELECT COALESCE(jsonb_agg(jsonb_build_object(
                    'at', epart_ts(e.at), 'actor', e.actor, 'from', e.from_status,
                    'to', e.to_status, 'detail', e.detail) ORDER BY e.id), '[]'::jsonb)
                FROM dossier_events e WHERE e.dossier_id = p_id);
    END $$;

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
        || CASE WHEN with_history
                THEN jsonb_build_object('history', epart_dossier_history(d.id))
                ELSE '{}'::jsonb END $$;

CREATE FUNCTION epart_request_history(p_id uuid) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$ BEGIN
        RETURN (SELECT COALESCE(jsonb_agg(jsonb_build_object(
                    'at', epart_ts(e.at), 'actor', e.actor, 'from', e.from_status,
                    'to', e.to_status, 'detail', e.detail) ORDER BY e.id), '[]'::jsonb)
                FROM request_events e WHERE e.request_id = p_id);
    END $$;

CREATE OR REPLACE FUNCTION epart_request_doc(r requests, with_history boolean) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT r.body || jsonb_build_object(
        'id', r.id, 'kind', r.kind, 'reference', r.reference, 'org', r.org_id,
        'caisse', r.caisse, 'status', r.status, 'version', r.version,
        'received_at', epart_ts(r.created_at), 'created_at', epart_ts(r.created_at),
        'updated_at', epart_ts(r.updated_at),
        'deadlines', epart_deadlines_doc(r.kind, r.id))
        || CASE WHEN with_history
                THEN jsonb_build_object('history', epart_request_history(r.id))
                ELSE '{}'::jsonb END $$;
