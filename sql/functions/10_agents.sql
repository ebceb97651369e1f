-- 10_agents.sql — the agents table's functions (SPEC §13).

-- The API's representation of an agent.
CREATE OR REPLACE FUNCTION epart_agent_doc(a agents) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object(
        'id', a.id, 'issuer', a.issuer, 'sub', a.sub, 'email', a.email, 'name', a.name,
        'role', a.role, 'org', a.org_id, 'caisse', a.caisse, 'active', a.active,
        'last_signin_at', epart_ts(a.last_signin_at), 'version', a.version,
        'created_at', epart_ts(a.created_at), 'updated_at', epart_ts(a.updated_at)) $$;
