/*
 * webhooks.c — the statements of the table webhooks (webhooks.h).
 *
 * Why a file of its own: the API's webhook handlers and the worker's sender
 * wrote these statements in two files; the table's shape is now known here
 * alone.
 */
#include "store/webhooks.h"

#include "db.h"
#include "store/store.h"

json_t *webhooks_doc(PGconn *pg, const char *id, bool *failed)
{
    *failed = false;
    return STORE_FETCH_JSON(pg, failed,
                            "SELECT " WEBHOOKS_SQL_DOC " FROM webhooks w WHERE w.id = $1 "
                            "AND w.deleted_at IS NULL",
                            id);
}

PGresult *webhooks_insert(PGconn *pg, const char *id, const struct webhooks_new *w,
                          const char *at, const char *cap)
{
    return STORE_EXEC(pg, "INSERT INTO webhooks AS w (id, org_id, caisse, owner_sub, url, "
                      "events, secret, description, created_at, updated_at) "
                      "SELECT $1, $2::uuid, $3, $4, $5,"
                      " ARRAY(SELECT jsonb_array_elements_text($6::jsonb)), $7, $8, $9, $9 "
                      "WHERE (SELECT count(*) FROM webhooks x WHERE x.deleted_at IS NULL"
                      "  AND (x.org_id = $2::uuid OR ($2::uuid IS NULL AND x.org_id IS NULL"
                      "       AND x.caisse = $3))) < $10::int "
                      "RETURNING " WEBHOOKS_SQL_DOC,
                      id, w->org, w->caisse, w->owner_sub, w->url, w->events, w->secret,
                      w->description, at, cap);
}

PGresult *webhooks_update(PGconn *pg, const char *id, const struct webhooks_change *ch,
                          const char *at, const char *version)
{
    return STORE_EXEC(
        pg,
        "UPDATE webhooks AS w SET url = COALESCE($2, w.url),"
        " events = CASE WHEN $3::jsonb IS NULL THEN w.events"
        "          ELSE ARRAY(SELECT jsonb_array_elements_text($3::jsonb)) END,"
        " description = CASE WHEN $4::boolean THEN $5 ELSE w.description END,"
        " state = COALESCE($6, w.state),"
        " consecutive_failures = CASE WHEN $6 = 'active' THEN 0"
        "                        ELSE w.consecutive_failures END,"
        " updated_at = $7, version = w.version + 1 "
        "WHERE w.id = $1 AND w.deleted_at IS NULL AND w.version = $8::int "
        "RETURNING " WEBHOOKS_SQL_DOC,
        id, ch->url, ch->events, ch->has_description, ch->description, ch->state, at, version);
}

PGresult *webhooks_delete(PGconn *pg, const char *id, const char *at, const char *version)
{
    return STORE_EXEC(pg,
                      "UPDATE webhooks SET deleted_at = $2, updated_at = $2, version = version + 1 "
                      "WHERE id = $1 AND deleted_at IS NULL "
                      "AND ($3::int IS NULL OR version = $3::int) "
                      "RETURNING id",
                      id, at, version);
}

int webhooks_delivered(PGconn *pg, const char *id, const char *at, const char *status)
{
    return STORE_CMD(pg,
                     "UPDATE webhooks SET consecutive_failures = 0,"
                     " state = CASE WHEN state = 'failing' THEN 'active' ELSE state END,"
                     " last_delivery_at = $2, last_status_code = $3::int, last_error = NULL,"
                     " last_success_at = $2 WHERE id = $1",
                     id, at, status);
}

int webhooks_failed(PGconn *pg, const char *id, const char *at, const char *status,
                    const char *error, const char *failing_after, bool final,
                    const char *event_id)
{
    return STORE_CMD(pg,
                     "UPDATE webhooks w SET consecutive_failures = w.consecutive_failures + 1,"
                     " state = CASE"
                     "  WHEN $6::boolean AND w.state <> 'disabled' AND (w.last_success_at IS NULL"
                     "       OR w.last_success_at < (SELECT j.first_attempt_at FROM webhook_jobs j"
                     "           WHERE j.webhook_id = w.id AND j.event_id = $7)) THEN 'disabled'"
                     "  WHEN w.state = 'active' AND w.consecutive_failures + 1 >= $5::int"
                     "       THEN 'failing'"
                     "  ELSE w.state END,"
                     " last_delivery_at = $2, last_status_code = $3::int, last_error = $4 "
                     "WHERE w.id = $1",
                     id, at, status, error, failing_after, final ? "true" : "false", event_id);
}
