-- 10_webhooks.sql — the webhook outbox and the API's representation of a
-- webhook (docs/webhooks.md).

-- Queue an event for every webhook of the organisation and of its caisse that
-- subscribed to its type. The event id is the webhook-id of every delivery.
CREATE OR REPLACE FUNCTION epart_emit(p_type text, p_org uuid, p_caisse text, p_data jsonb)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    ev uuid;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhooks w
                   WHERE w.deleted_at IS NULL AND p_type = ANY (w.events)
                     AND (w.org_id = p_org OR w.caisse = p_caisse)) THEN
        RETURN;
    END IF;
    ev := gen_random_uuid();
    INSERT INTO webhook_events (id, type, org_id, caisse, payload)
        VALUES (ev, p_type, p_org, p_caisse, p_data);
    INSERT INTO webhook_jobs (webhook_id, event_id)
        SELECT w.id, ev FROM webhooks w
        WHERE w.deleted_at IS NULL AND p_type = ANY (w.events)
          AND (w.org_id = p_org OR w.caisse = p_caisse);
END $$;

-- The API's representation of a webhook. The secret is never part of it.
CREATE OR REPLACE FUNCTION epart_webhook_doc(w webhooks) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object(
        'id', w.id, 'url', w.url, 'events', to_jsonb(w.events),
        'description', w.description, 'state', w.state,
        'org', w.org_id, 'caisse', w.caisse,
        'created_at', epart_ts(w.created_at),
        'updated_at', epart_ts(COALESCE(w.updated_at, w.created_at)),
        'version', w.version,
        'consecutive_failures', w.consecutive_failures,
        'last_delivery_at', epart_ts(w.last_delivery_at),
        'last_status_code', w.last_status_code,
        'last_error', w.last_error,
        'last_success_at', epart_ts(w.last_success_at),
        'pending_deliveries', (SELECT count(*) FROM webhook_jobs j
                               WHERE j.webhook_id = w.id AND j.state = 'pending')) $$;
