-- 10_deadlines.sql — the deadlines of a dossier or request, as the API shows
-- them. They carry their raw fields (suspended_on, stopped_at); the API adds
-- the displayed state from the product's clock (common/deadline.c).
--
-- An aggregate cannot be inlined; as an SQL function it was parsed and planned
-- again at every statement that called it. In PL/pgSQL its plan is kept for the
-- session: half the time of a GET (docs/BENCHMARKS.md, reads).

CREATE OR REPLACE FUNCTION epart_deadlines_doc(object_type text, object_id uuid) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$ BEGIN
        RETURN (SELECT COALESCE(jsonb_agg(jsonb_build_object(
                    'clock', x.clock, 'due_at', epart_ts(x.due_at),
                    'suspended_days', x.suspended_days, 'suspended_on', x.suspended_on,
                    'stopped_at', epart_ts(x.stopped_at)) ORDER BY x.id), '[]'::jsonb)
                FROM deadlines x
                WHERE x.object_type = $1 AND x.object_id = $2);
    END $$;
