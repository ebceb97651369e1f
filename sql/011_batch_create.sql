-- 011_batch_create.sql — applying a worker's batch of creations set-wise.
--
-- Why: the worker applied each dossier.create entry with one call of
-- epart_apply_dossier_create and one INSERT into audit_journal. PostgreSQL then
-- paid per dossier the fixed costs of about six statements (parse, plan, executor
-- start-up, PL/pgSQL, jsonb input), several times the cost of inserting the same
-- rows in bulk: the drain benchmark (docs/BENCHMARKS.md) measured the workers far
-- below pgbench inserting the same rows in batches. These two functions insert
-- the rows of a whole run of entries with one statement per table.
--
-- epart_apply_dossier_creates does for each element of es exactly what
-- epart_apply_dossier_create (005_lifecycle.sql) does for one entry, in array
-- order: a dossier already present (a redelivered entry) is left alone with its
-- history, deadlines and alerts. The single-entry function stays: the worker
-- uses it when it retries the entries of a failed batch one by one. A change to
-- one must be made to the other.

-- es: [e, …] with e as for epart_apply_dossier_create. Returns the number of
-- dossiers inserted.
CREATE FUNCTION epart_apply_dossier_creates(es jsonb) RETURNS integer
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
        INSERT INTO echeances (object_type, object_id, org_id, caisse, clock, started_on,
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

-- The audit journal rows of a batch (worker/journal.c builds them), in order;
-- an entry journaled already (redelivered) is not journaled twice.
CREATE FUNCTION epart_insert_journal(rows jsonb) RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO audit_journal (at, sub, role, org_id, caisse, action, object_type, object_id,
                               remote_addr, entry_id)
    SELECT r.at, r.sub, r.role, r.org_id, r.caisse, r.action, r.object_type, r.object_id,
           r.remote_addr, r.entry_id
    FROM jsonb_to_recordset(rows)
         AS r(at timestamptz, sub text, role text, org_id uuid, caisse text, action text,
              object_type text, object_id text, remote_addr text, entry_id uuid)
    ON CONFLICT (entry_id) DO NOTHING $$;
