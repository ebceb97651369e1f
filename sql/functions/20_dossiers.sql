-- 20_dossiers.sql — the dossiers table's functions: its document (how the API
-- shows a dossier, built where the data is), its messages' document, a status
-- change, and the worker's application of dossier.create entries.
--
-- The document is built without a sub-SELECT so that PostgreSQL inlines it: a
-- SQL function whose body holds a sub-SELECT is never inlined, and each call
-- then ran through the SQL-function executor (about 170 µs per row, three
-- quarters of the cost of a list page of 50 dossiers; docs/BENCHMARKS.md,
-- reads). The history is a function of its own (epart_history, 00_format.sql),
-- called only when asked for: with with_history a constant false (the lists)
-- the CASE folds away at plan time.
--
-- deposit_date is SPEC §4's rule as common/dossier_life.c's deposit_date() reads it:
-- ame_deposit_on, which the API sets only for an AME first request from a
-- habilitated organisation (deposit_ame_date()), else received_on (NULL until
-- the dossier is received).

-- The document without its deadlines: what a GET and a list serve as text,
-- the deadlines (epart_deadlines_doc) read beside it and finished by the API
-- at the product's now (common/dossier_doc.c, dossier_doc_text), so that the
-- API never parses the document to serve it (docs/BENCHMARKS.md, reads).
CREATE OR REPLACE FUNCTION epart_dossier_fields(d dossiers, with_history boolean) RETURNS jsonb
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
        'created_at', epart_ts(d.created_at), 'updated_at', epart_ts(d.updated_at))
        || CASE WHEN with_history
                THEN jsonb_build_object('history', epart_history('dossier', d.id))
                ELSE '{}'::jsonb END $$;

CREATE OR REPLACE FUNCTION epart_dossier_doc(d dossiers, with_history boolean) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT epart_dossier_fields(d, with_history)
                 || jsonb_build_object('deadlines', epart_deadlines_doc('dossier', d.id)) $$;

-- The API's representation of a dossier message (its version is always 1: a
-- message never changes once written).
CREATE OR REPLACE FUNCTION epart_message_doc(x dossier_messages) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('id', x.id, 'dossier', x.dossier_id, 'author', x.author,
                                    'body', x.body, 'sent_at', epart_ts(x.created_at),
                                    'version', 1) $$;

-- Record that a status changed: the history event, the version, the webhook.
CREATE OR REPLACE FUNCTION epart_dossier_changed(p_id uuid, p_at timestamptz, p_actor jsonb,
                                                 p_from text, p_to text, p_detail jsonb)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    d dossiers;
BEGIN
    UPDATE dossiers SET status = p_to, version = version + 1, updated_at = p_at
        WHERE id = p_id RETURNING * INTO d;
    INSERT INTO dossier_events (dossier_id, at, actor, from_status, to_status, detail)
        VALUES (p_id, p_at, p_actor, p_from, p_to, p_detail);
    IF p_from IS DISTINCT FROM p_to THEN
        PERFORM epart_emit('dossier.status_changed', d.org_id, d.caisse,
                           jsonb_build_object('id', d.id, 'reference', d.reference,
                                              'prestation', d.prestation, 'from', p_from,
                                              'to', p_to, 'at', epart_ts(p_at)));
    END IF;
END $$;

-- The worker's dossier.create entries, applied set-wise: one statement per table
-- for a whole run of entries rather than about six per dossier, whose fixed
-- costs (parse, plan, executor start-up, PL/pgSQL, jsonb input) kept the
-- workers far below pgbench inserting the same rows (docs/BENCHMARKS.md,
-- drain). In array order; a dossier already present (a redelivered entry) is
-- left alone with its history, deadlines and alerts.
--
-- e: {"entry","stream_id","seq","meta":{…},"body":{…},"pre_instruction":{…},
--     "deadlines":[{"clock","started_on","due_at","stopped_at","fired_rank",
--                   "next_fire_at"}], "alerts":[…]}
-- es: [e, …]. Returns the number of
-- dossiers inserted.
CREATE OR REPLACE FUNCTION epart_apply_dossier_creates(es jsonb) RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    new_ids uuid[];
BEGIN
    WITH x AS (
        SELECT a.ord, a.e, a.e->'meta' AS m, a.e->'body' AS b,
               (a.e->'meta'->>'id')::uuid AS d_id, (a.e->'meta'->>'org')::uuid AS d_org,
               timestamptz 'epoch'
                   + (a.e->'meta'->>'received_at_us')::bigint * interval '1 microsecond'
                   AS created
        FROM jsonb_array_elements(es) WITH ORDINALITY AS a(e, ord)
    ), ins AS (
        INSERT INTO dossiers (id, seq, reference, org_id, caisse, prestation, first_request,
                              status, applicant, situation, pieces, consent, deposited_on,
                              ame_deposit_on, received_on, received_at, pre_instruction,
                              submitted_by, created_at, updated_at)
        SELECT d_id, (e->>'seq')::bigint, m->>'reference', d_org, m->>'caisse',
               b->>'prestation', COALESCE((b->>'first_request')::boolean, false), m->>'status',
               b->'applicant', COALESCE(b->'situation', '{}'::jsonb),
               COALESCE(b->'pieces', '[]'::jsonb), b->'consent', (b->>'deposited_on')::date,
               (m->>'ame_deposit_on')::date, (m->>'received_on')::date,
               CASE WHEN m->>'received_on' IS NULL THEN NULL ELSE created END,
               e->'pre_instruction', m->'actor'->>'sub', created, created
        FROM x ORDER BY ord
        ON CONFLICT (id) DO NOTHING
        RETURNING id
    ), fresh AS (
        SELECT x.* FROM x JOIN ins ON ins.id = x.d_id
    ), ev AS (
        INSERT INTO dossier_events (dossier_id, at, actor, from_status, to_status, detail)
        SELECT d_id, created, m->'actor', NULL, m->>'status',
               jsonb_build_object('action', 'submit', 'stream_id', e->>'stream_id')
        FROM fresh ORDER BY ord
    ), ec AS (
        INSERT INTO deadlines (object_type, object_id, org_id, caisse, clock, started_on,
                               due_at, stopped_at, fired_rank, next_fire_at)
        SELECT 'dossier', d_id, d_org, m->>'caisse', y.clock, y.started_on, y.due_at,
               y.stopped_at, COALESCE(y.fired_rank, 0), y.next_fire_at
        FROM fresh
        CROSS JOIN LATERAL jsonb_to_recordset(COALESCE(e->'deadlines', '[]'::jsonb))
             AS y(clock text, started_on date, due_at timestamptz, stopped_at timestamptz,
                  fired_rank int, next_fire_at timestamptz)
        ORDER BY ord
    )
    SELECT COALESCE(array_agg(d_id ORDER BY ord), '{}') INTO new_ids FROM fresh;

    -- alerts due at once (rare) and webhook events, per inserted dossier, in order
    PERFORM epart_insert_alerts('dossier', (a.e->'meta'->>'id')::uuid,
                                (a.e->'meta'->>'org')::uuid, a.e->'meta'->>'caisse',
                                a.e->'meta'->>'reference', a.e->'alerts')
    FROM jsonb_array_elements(es) WITH ORDINALITY AS a(e, ord)
    WHERE (a.e->'meta'->>'id')::uuid = ANY (new_ids)
      AND jsonb_array_length(COALESCE(a.e->'alerts', '[]'::jsonb)) > 0
    ORDER BY a.ord;
    PERFORM epart_emit('dossier.status_changed', (a.e->'meta'->>'org')::uuid,
                       a.e->'meta'->>'caisse',
                       jsonb_build_object('id', (a.e->'meta'->>'id')::uuid,
                                          'reference', a.e->'meta'->>'reference',
                                          'prestation', a.e->'body'->>'prestation',
                                          'from', NULL, 'to', a.e->'meta'->>'status',
                                          'at', epart_ts(timestamptz 'epoch'
                                              + (a.e->'meta'->>'received_at_us')::bigint
                                                * interval '1 microsecond')))
    FROM jsonb_array_elements(es) WITH ORDINALITY AS a(e, ord)
    WHERE (a.e->'meta'->>'id')::uuid = ANY (new_ids)
      -- epart_emit's own first test, made here once for the batch rather than by
      -- a function call per dossier: most organisations have no webhook
      AND EXISTS (SELECT 1 FROM webhooks w
                  WHERE w.deleted_at IS NULL AND 'dossier.status_changed' = ANY (w.events)
                    AND (w.org_id = (a.e->'meta'->>'org')::uuid
                         OR w.caisse = a.e->'meta'->>'caisse'))
    ORDER BY a.ord;
    RETURN cardinality(new_ids);
END $$;

-- One entry (the worker retries the entries of a failed batch one by one):
-- 'applied', or 'duplicate' when the dossier is there already. The batch's
-- statement is the one definition of what applying an entry means.
CREATE OR REPLACE FUNCTION epart_apply_dossier_create(e jsonb) RETURNS text
    LANGUAGE plpgsql AS $$
BEGIN
    RETURN CASE epart_apply_dossier_creates(jsonb_build_array(e))
           WHEN 0 THEN 'duplicate' ELSE 'applied' END;
END $$;
