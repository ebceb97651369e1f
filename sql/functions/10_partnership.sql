-- 10_partnership.sql — partnership messages (SPEC §8).

-- The API's representation of a partnership message (version always 1).
CREATE OR REPLACE FUNCTION epart_partnership_message_doc(x partnership_messages) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('id', x.id, 'org', x.org_id, 'caisse', x.caisse,
                                    'author', x.author, 'subject', x.subject, 'body', x.body,
                                    'created_at', epart_ts(x.created_at), 'version', 1) $$;
