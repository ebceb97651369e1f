-- 10_retention.sql — the retention purge of closed dossiers and requests
-- (SPEC §10, docs/donnees-personnelles.md), and the triggers that queue each
-- purged id for the Redis purge (redis_purge_queue, sql/013_purge_redis.sql;
-- worker/retention.c), in the purge's own transaction, whichever statement
-- sets purged_at.

-- Pieces reduced to their kinds: which documents were given stays known, not
-- their file names nor their hashes. Strings (kinds already) are kept.
CREATE OR REPLACE FUNCTION epart_purged_pieces(p jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN jsonb_typeof(p) = 'array' THEN
              COALESCE((SELECT jsonb_agg(CASE WHEN jsonb_typeof(x) = 'object'
                                              THEN jsonb_build_object('kind', x->'kind')
                                              ELSE x END ORDER BY i)
                        FROM jsonb_array_elements(p) WITH ORDINALITY AS t(x, i)), '[]'::jsonb)
          ELSE p END $$;

-- An object with its free-text members replaced (what an agent or a partner
-- may have written about the person) and its pieces reduced to kinds. Codes,
-- statuses, dates of the procedure and actors (agents) are kept.
CREATE OR REPLACE FUNCTION epart_purged_detail(d jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN jsonb_typeof(d) = 'object' THEN
              COALESCE((SELECT jsonb_object_agg(k, CASE
                            WHEN k IN ('message', 'motif', 'reason', 'comment', 'body')
                                 AND jsonb_typeof(v) = 'string' THEN to_jsonb('[purgé]'::text)
                            WHEN k = 'pieces' THEN epart_purged_pieces(v)
                            ELSE v END)
                        FROM jsonb_each(d) AS e(k, v)), '{}'::jsonb)
          ELSE d END $$;

-- A rights simulation without the details of its checks (they quote the
-- person's dates: stay, care, hospitalisation) nor the urgent-care fallback's
-- date. The outcome (eligible, start, end, basis, refusal) is kept.
CREATE OR REPLACE FUNCTION epart_purged_simulation(s jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN jsonb_typeof(s) = 'object' THEN
              (s - 'checks' - 'fallback')
              || CASE WHEN jsonb_typeof(s->'checks') = 'array' THEN jsonb_build_object('checks',
                     COALESCE((SELECT jsonb_agg(jsonb_build_object('code', c->'code', 'ok', c->'ok')
                                                ORDER BY i)
                               FROM jsonb_array_elements(s->'checks') WITH ORDINALITY AS t(c, i)),
                              '[]'::jsonb))
                 ELSE '{}'::jsonb END
              || CASE WHEN jsonb_typeof(s->'fallback') = 'object' THEN jsonb_build_object(
                     'fallback', jsonb_build_object('coverage', s->'fallback'->'coverage'))
                 ELSE '{}'::jsonb END
          ELSE s END $$;

-- Consent kept as a fact: it was given (informed), no date.
CREATE OR REPLACE FUNCTION epart_purged_consent(c jsonb) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT jsonb_build_object('informed', COALESCE(c->'informed' = 'true'::jsonb, false),
                                    'purged', true) $$;

-- What the purge leaves of a history (p_owner 'dossier' or 'request', as
-- epart_history reads them): who did what, when, from which status to which;
-- what was written about the person goes. The table and its column come from
-- this fixed list, never from a caller.
CREATE OR REPLACE FUNCTION epart_purge_history(p_owner text, ids uuid[]) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    h record;
BEGIN
    SELECT * INTO STRICT h FROM (VALUES ('dossier', 'dossier_events', 'dossier_id'),
                                        ('request', 'request_events', 'request_id'))
        AS t(owner, events, owner_id) WHERE t.owner = p_owner;
    EXECUTE format('UPDATE %I e SET detail = epart_purged_detail(e.detail) '
                   'WHERE e.%I = ANY ($1) AND e.detail IS NOT NULL', h.events, h.owner_id)
        USING ids;
END $$;

-- Purge at most p_limit closed dossiers whose last change is older than
-- p_cutoff: the person (applicant, situation, file names, free texts, message
-- bodies) goes, the procedure (statuses, dates, prestation, decision, rights,
-- history, deadlines, alerts) stays, so that the indicators count them still.
-- Rows another worker is purging are skipped (SKIP LOCKED), not waited for.
CREATE OR REPLACE FUNCTION epart_purge_dossiers(p_cutoff timestamptz, p_at timestamptz,
                                                p_limit integer,
                                                OUT dossiers bigint, OUT messages bigint)
    LANGUAGE plpgsql AS $$
DECLARE
    ids uuid[];
BEGIN
    dossiers := 0;
    messages := 0;
    SELECT array_agg(x.id) INTO ids FROM (
        SELECT d.id FROM dossiers d
        WHERE d.purged_at IS NULL AND d.status IN ('accorde', 'refuse', 'sans_suite')
          AND d.updated_at < p_cutoff
        ORDER BY d.updated_at LIMIT p_limit
        FOR UPDATE SKIP LOCKED) x;
    IF ids IS NULL THEN
        RETURN;
    END IF;
    UPDATE dossiers d SET
        applicant = '{"purged": true}'::jsonb,
        situation = '{}'::jsonb,
        pieces = epart_purged_pieces(d.pieces),
        consent = epart_purged_consent(d.consent),
        pieces_requested = epart_purged_detail(d.pieces_requested),
        decision = epart_purged_detail(d.decision),
        simulation = epart_purged_simulation(d.simulation),
        pre_instruction = CASE WHEN jsonb_typeof(d.pre_instruction) = 'object' THEN
            epart_purged_simulation(d.pre_instruction - 'proposal')
            || CASE WHEN d.pre_instruction ? 'proposal' THEN jsonb_build_object('proposal',
                   epart_purged_simulation(d.pre_instruction->'proposal'))
               ELSE '{}'::jsonb END
            ELSE d.pre_instruction END,
        version = d.version + 1,
        purged_at = p_at
    WHERE d.id = ANY (ids);
    GET DIAGNOSTICS dossiers = ROW_COUNT;
    PERFORM epart_purge_history('dossier', ids);
    UPDATE dossier_messages m SET body = '[purgé]'
    WHERE m.dossier_id = ANY (ids) AND m.body <> '[purgé]';
    GET DIAGNOSTICS messages = ROW_COUNT;
    -- the erasure is itself a write of the person's data: journaled, by the system
    INSERT INTO audit_journal (at, sub, role, action, object_type, object_id)
        SELECT p_at, 'epart-worker', 'system', 'purge', 'dossier', x::text FROM unnest(ids) AS x;
    -- the copies of those messages kept to be delivered to webhooks
    UPDATE webhook_events w SET payload = jsonb_set(w.payload, '{body}', to_jsonb('[purgé]'::text))
    WHERE w.type = 'message.created' AND w.payload ? 'body'
      AND w.payload->>'dossier' = ANY (ids::text[]);
END $$;

-- The same for signalements, rendez-vous and document requests in a final
-- status: the person goes, with the free texts and the availability slots;
-- reasons, parcours, site, document and channel (codes) stay.
CREATE OR REPLACE FUNCTION epart_purge_requests(p_cutoff timestamptz, p_at timestamptz, p_limit integer)
    RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    ids uuid[];
    n bigint := 0;
BEGIN
    SELECT array_agg(x.id) INTO ids FROM (
        SELECT r.id FROM requests r
        WHERE r.purged_at IS NULL
          AND r.status IN ('soins_realises', 'non_pertinent', 'abandon',
                           'honore', 'non_honore', 'annule', 'envoye', 'refuse')
          AND r.updated_at < p_cutoff
        ORDER BY r.updated_at LIMIT p_limit
        FOR UPDATE SKIP LOCKED) x;
    IF ids IS NULL THEN
        RETURN 0;
    END IF;
    UPDATE requests r SET
        body = epart_purged_detail(r.body)
               || jsonb_build_object('person', '{"purged": true}'::jsonb)
               || CASE WHEN r.body ? 'availability' THEN '{"availability": []}'::jsonb
                  ELSE '{}'::jsonb END
               || CASE WHEN r.body ? 'consent'
                  THEN jsonb_build_object('consent', epart_purged_consent(r.body->'consent'))
                  ELSE '{}'::jsonb END,
        version = r.version + 1,
        purged_at = p_at
    WHERE r.id = ANY (ids);
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM epart_purge_history('request', ids);
    INSERT INTO audit_journal (at, sub, role, action, object_type, object_id)
        SELECT p_at, 'epart-worker', 'system', 'purge', r.kind, r.id::text
        FROM requests r WHERE r.id = ANY (ids);
    RETURN n;
END $$;

CREATE OR REPLACE FUNCTION epart_queue_redis_purge() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO redis_purge_queue (object_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER dossiers_purged_redis AFTER UPDATE OF purged_at ON dossiers
    FOR EACH ROW WHEN (OLD.purged_at IS NULL AND NEW.purged_at IS NOT NULL)
    EXECUTE FUNCTION epart_queue_redis_purge();

CREATE OR REPLACE TRIGGER requests_purged_redis AFTER UPDATE OF purged_at ON requests
    FOR EACH ROW WHEN (OLD.purged_at IS NULL AND NEW.purged_at IS NOT NULL)
    EXECUTE FUNCTION epart_queue_redis_purge();
