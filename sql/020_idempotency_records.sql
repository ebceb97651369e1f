-- 020_idempotency_records.sql — the durable copy of the idempotency records of
-- the writes that go straight to PostgreSQL (api/support/idempotency.c: organisations,
-- API clients, webhooks, agents, messages, transitions).
--
-- Redis holds every record (and reserves a key while its first request runs),
-- but on several nodes a Redis failover can lose a record written after its
-- resource was committed: the retry would then create the resource again. The
-- record is therefore also inserted here, in the resource's own transaction
-- (a synchronously replicated COMMIT: both or neither survive a failover), and
-- looked up here when Redis does not know the key. Same text as in Redis
-- (hash, status, Location, ids: never a person's data nor a secret), same
-- life: 24 hours (the worker's retention pass deletes older rows).

CREATE TABLE idempotency_records (
    key        text PRIMARY KEY,          -- idem_key_name(): scope and Idempotency-Key, hashed
    record     text NOT NULL,             -- the JSON record, as in Redis
    object_id  text,                      -- the object it concerns (retention purge)
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idempotency_records_age ON idempotency_records (created_at);
