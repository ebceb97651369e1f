-- 004_webhooks.sql — what webhook management and delivery need beyond 001:
-- a description, an update time, the health of each endpoint (so that a
-- partner whose receiver keeps failing sees it). The API's representation is
-- epart_webhook_doc (sql/functions/webhooks.sql).
--
-- webhooks.state: 'active' | 'failing' (FAILING_AFTER consecutive failed
-- tries, back to 'active' on a success) | 'disabled' (paused by its owner, or
-- by the sender when a delivery exhausted every try with no success since it
-- began). A deleted webhook keeps its state and gets deleted_at.
-- webhook_jobs.state: 'pending' | 'delivered' | 'failed' (every try failed) |
-- 'cancelled' (its webhook was deleted or disabled before it could go).

ALTER TABLE webhooks
    ADD COLUMN description          text,
    ADD COLUMN updated_at           timestamptz,
    ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0,
    ADD COLUMN last_delivery_at     timestamptz,
    ADD COLUMN last_status_code     integer,
    ADD COLUMN last_error           text,
    ADD COLUMN last_success_at      timestamptz;

-- The scoped lists, newest first.
CREATE INDEX webhooks_page ON webhooks (created_at DESC, id DESC) WHERE deleted_at IS NULL;

-- The first try of each job, to tell whether a webhook succeeded since (the
-- sender disables a webhook only when nothing got through for a whole schedule).
ALTER TABLE webhook_jobs ADD COLUMN first_attempt_at timestamptz;
