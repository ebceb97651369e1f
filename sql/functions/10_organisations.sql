-- 10_organisations.sql — the organisations table's functions.

-- The API's representation of an organisation.
CREATE OR REPLACE FUNCTION epart_organisation_doc(o organisations) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object(
        'id', o.id, 'name', o.name, 'kind', o.kind, 'siret', o.siret, 'finess', o.finess,
        'caisse', o.caisse, 'ame_habilitation', o.ame_habilitation,
        'convention', o.convention, 'referent', o.referent, 'version', o.version,
        'created_at', epart_ts(o.created_at), 'updated_at', epart_ts(o.updated_at)) $$;
