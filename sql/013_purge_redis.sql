-- 013_purge_redis.sql — the retention purge reaches Redis (SPEC §10).
--
-- A dossier or request purged in PostgreSQL may still have copies in Redis: a
-- dead-lettered or unconsumed stream entry holding the submission, its
-- read-your-writes record, idempotency records naming it. Its id is queued
-- in the purge's own transaction (whichever statement sets purged_at: the
-- triggers of sql/functions/retention.sql),
-- and a worker (worker/retention.c) deletes those copies, rewrites Redis's
-- append-only file so that they are no longer on disk either, and only then
-- removes the id: a worker or Redis lost between the two steps leaves the id
-- queued for the next pass, never forgotten.

CREATE TABLE redis_purge_queue (
    object_id uuid PRIMARY KEY,
    queued_at timestamptz NOT NULL DEFAULT now()
);
