/*
 * webhook_jobs.c — the statements of the table webhook_jobs (webhook_jobs.h).
 */
#include "store/webhook_jobs.h"

#include "store/store.h"

PGresult *webhook_jobs_claim(PGconn *pg, int lease_s, int limit)
{
    return STORE_EXEC(pg,
                      "WITH due AS ("
                      "  SELECT j.webhook_id, j.event_id FROM webhook_jobs j"
                      "  WHERE j.state = 'pending' AND j.next_attempt_at <= clock_timestamp()"
                      "  ORDER BY j.next_attempt_at LIMIT $2::int"
                      "  FOR UPDATE SKIP LOCKED) "
                      "UPDATE webhook_jobs j SET attempts = j.attempts + 1,"
                      "  next_attempt_at = clock_timestamp() + $1::int * interval '1 second',"
                      "  first_attempt_at = COALESCE(j.first_attempt_at, clock_timestamp()) "
                      "FROM due, webhooks w, webhook_events e "
                      "WHERE j.webhook_id = due.webhook_id AND j.event_id = due.event_id"
                      "  AND w.id = j.webhook_id AND e.id = j.event_id "
                      "RETURNING j.webhook_id, j.event_id, j.attempts, w.url, w.secret,"
                      "  (w.deleted_at IS NOT NULL OR w.state = 'disabled'), e.type,"
                      "  e.payload::text, epart_ts(e.created_at)",
                      STORE_INT(lease_s), STORE_INT(limit));
}

int webhook_jobs_release(PGconn *pg, const char *webhook_id, const char *event_id, int attempt,
                         int64_t delay_ms)
{
    return STORE_CMD(pg,
                     "UPDATE webhook_jobs SET attempts = attempts - 1,"
                     "  next_attempt_at = clock_timestamp()"
                     " + $4::bigint * interval '1 millisecond' "
                     "WHERE webhook_id = $1 AND event_id = $2 AND attempts = $3::int "
                     "AND state = 'pending'",
                     webhook_id, event_id, STORE_INT(attempt), STORE_INT(delay_ms));
}

int webhook_jobs_settle(PGconn *pg, const char *webhook_id, const char *event_id, int attempt,
                        const char *state, const char *next_at)
{
    return STORE_CMD(pg,
                     "UPDATE webhook_jobs SET state = $4,"
                     " next_attempt_at = COALESCE($5::timestamptz, next_attempt_at) "
                     "WHERE webhook_id = $1 AND event_id = $2 AND attempts = $3::int"
                     " AND state = 'pending'",
                     webhook_id, event_id, STORE_INT(attempt), state, next_at);
}

int webhook_jobs_cancel(PGconn *pg, const char *webhook_id, const char *event_id)
{
    return STORE_CMD(pg,
                     "UPDATE webhook_jobs SET state = 'cancelled' "
                     "WHERE webhook_id = $1 AND event_id = $2 AND state = 'pending'",
                     webhook_id, event_id);
}

int webhook_jobs_cancel_all(PGconn *pg, const char *webhook_id, bool if_disabled)
{
    return STORE_CMD(pg,
                     "UPDATE webhook_jobs j SET state = 'cancelled' FROM webhooks w "
                     "WHERE w.id = j.webhook_id AND j.webhook_id = $1 AND j.state = 'pending'"
                     " AND (NOT $2::boolean OR w.state = 'disabled')",
                     webhook_id, if_disabled ? "true" : "false");
}
