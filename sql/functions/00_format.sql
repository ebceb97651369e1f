-- 00_format.sql — how the API writes what every document holds: instants, and
-- the events of a history.

-- RFC 3339 text of an instant, as the API shows it.
CREATE OR REPLACE FUNCTION epart_ts(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- One event of a history (a dossier's or a request's), as the API shows it.
CREATE OR REPLACE FUNCTION epart_event_doc(p_at timestamptz, p_actor jsonb, p_from text,
                                           p_to text, p_detail jsonb) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('at', epart_ts(p_at), 'actor', p_actor, 'from', p_from,
                                    'to', p_to, 'detail', p_detail) $$;
