-- 013_purge_redis.sql — the retention purge reaches Redis (SPEC §10).
--
-- A dossier or request purged in PostgreSQL may still have copies in Redis: a
-- dead-lettered or unconsumed stream entry holding the submission, its
-- read-your-writes record, idempotency records naming it. Its id is queued
-- here in the purge's own transaction (whichever statement sets purged_at),
-- and a worker (worker/retention.c) deletes those copies, rewrites Redis's
-- append-only file so that they are no longer on disk either, and only then
-- removes the id: a worker or Redis lost between the two steps leaves the id
-- queued for the next pass, never forgotten.

CREATE TABLE redis_purge_queue (
    object_id uuid PRIMARY KEY,
    queued_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION epart_queue_redis_purge() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO redis_purge_queue (object_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER dossiers_purged_redis AFTER UPDATE OF purged_at ON dossiers
    FOR EACH ROW WHEN (OLD.purged_at IS NULL AND NEW.purged_at IS NOT NULL)
    EXECUTE FUNCTION epart_queue_redis_purge();

CREATE TRIGGER requests_purged_redis AFTER UPDATE OF purged_at ON requests
    FOR EACH ROW WHEN (OLD.purged_at IS NULL AND NEW.purged_at IS NOT NULL)
    EXECUTE FUNCTION epart_queue_redis_purge();
