-- 00_format.sql — how the API writes what every document holds: instants, and
-- the events of a history.

-- RFC 3339 text of an instant, as the API shows it. STABLE, as to_char is:
-- declared IMMUTABLE it was never inlined, and every statement calling it
-- parsed and planned its body again on each execution (a third of
-- PostgreSQL's time per GET of a dossier; tests/integration/test_sql_inlining.py).
CREATE OR REPLACE FUNCTION epart_ts(t timestamptz) RETURNS text
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- One event of a history (a dossier's or a request's), as the API shows it.
CREATE OR REPLACE FUNCTION epart_event_doc(p_at timestamptz, p_actor jsonb, p_from text,
                                           p_to text, p_detail jsonb) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('at', epart_ts(p_at), 'actor', p_actor, 'from', p_from,
                                    'to', p_to, 'detail', p_detail) $$;

-- The history of a dossier (p_owner 'dossier') or of a request ('request'),
-- oldest event first: the two tables of events have the same columns, and
-- only the branch of p_owner reads anything. PL/pgSQL, so that its plan is kept
-- for the session and the documents calling it (20_*.sql) stay inlinable.
CREATE OR REPLACE FUNCTION epart_history(p_owner text, p_id uuid) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$ BEGIN
        RETURN (SELECT COALESCE(jsonb_agg(epart_event_doc(e.at, e.actor, e.from_status,
                                                  e.to_status, e.detail) ORDER BY e.id),
                                '[]'::jsonb)
                FROM (SELECT id, at, actor, from_status, to_status, detail FROM dossier_events
                      WHERE p_owner = 'dossier' AND dossier_id = p_id
                      UNION ALL
                      SELECT id, at, actor, from_status, to_status, detail FROM request_events
                      WHERE p_owner = 'request' AND request_id = p_id) e);
    END $$;
