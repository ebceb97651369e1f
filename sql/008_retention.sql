-- 008_retention.sql — personal data (SPEC §10) and the COPIL indicators (§9):
-- the retention purge of closed dossiers and requests, the journal of the
-- writes persisted by the workers, and the indexes that the audit journal
-- reads and the indicators need. See docs/donnees-personnelles.md and
-- docs/indicateurs.md.

-- ---- audit journal ---------------------------------------------------------

-- A row journaled by a worker names the stream entry it journals, so that an
-- entry delivered twice (a consumer killed after its commit, before its XACK)
-- is journaled once. Rows written by the API leave it NULL (NULLs are distinct).
ALTER TABLE audit_journal ADD COLUMN entry_id uuid UNIQUE;

-- GET /v1/audit filters, newest first.
CREATE INDEX audit_journal_sub ON audit_journal (sub, id DESC);
CREATE INDEX audit_journal_object ON audit_journal (object_type, object_id, id DESC);

-- ---- indicators ------------------------------------------------------------

CREATE INDEX dossiers_received_on ON dossiers (received_on) WHERE received_on IS NOT NULL;
CREATE INDEX echeances_stopped_at ON echeances (stopped_at) WHERE stopped_at IS NOT NULL;
CREATE INDEX echeances_running_due ON echeances (due_at) WHERE stopped_at IS NULL;
CREATE INDEX dossier_events_pieces ON dossier_events (dossier_id)
    WHERE to_status = 'pieces_demandees';

-- ---- retention purge -------------------------------------------------------

-- What is left to purge: closed, not yet purged, oldest change first.
CREATE INDEX dossiers_to_purge ON dossiers (updated_at)
    WHERE purged_at IS NULL AND status IN ('accorde', 'refuse', 'sans_suite');
CREATE INDEX requests_to_purge ON requests (updated_at)
    WHERE purged_at IS NULL AND status IN ('soins_realises', 'non_pertinent', 'abandon',
                                           'honore', 'non_honore', 'annule',
                                           'envoye', 'refuse');

-- Pieces reduced to their kinds: which documents were given stays known, not
-- their file names nor their hashes. Strings (kinds already) are kept.
CREATE FUNCTION epart_purged_pieces(p jsonb) RETURNS jsonb
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
CREATE FUNCTION epart_purged_detail(d jsonb) RETURNS jsonb
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
CREATE FUNCTION epart_purged_simulation(s jsonb) RETURNS jsonb
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
CREATE FUNCTION epart_purged_consent(c jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT jsonb_build_object('informed', COALESCE(c->'informed' = 'true'::jsonb, false),
                                    'purged', true) $$;

-- Purge at most p_limit closed dossiers whose last change is older than
-- p_cutoff: the person (applicant, situation, file names, free texts, message
-- bodies) goes, the procedure (statuses, dates, prestation, decision, rights,
-- history, deadlines, alerts) stays, so that the indicators count them still.
-- Rows another worker is purging are skipped (SKIP LOCKED), not waited for.
CREATE FUNCTION epart_purge_dossiers(p_cutoff timestamptz, p_at timestamptz, p_limit integer,
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
    -- the history stays (who did what, when, from which status to which);
    -- only what was written about the person goes
    UPDATE dossier_events e SET detail = epart_purged_detail(e.detail)
    WHERE e.dossier_id = ANY (ids) AND e.detail IS NOT NULL;
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
CREATE FUNCTION epart_purge_requests(p_cutoff timestamptz, p_at timestamptz, p_limit integer)
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
    UPDATE request_events e SET detail = epart_purged_detail(e.detail)
    WHERE e.request_id = ANY (ids) AND e.detail IS NOT NULL;
    INSERT INTO audit_journal (at, sub, role, action, object_type, object_id)
        SELECT p_at, 'epart-worker', 'system', 'purge', r.kind, r.id::text
        FROM requests r WHERE r.id = ANY (ids);
    RETURN n;
END $$;
