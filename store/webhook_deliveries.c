/*
 * webhook_deliveries.c — the statements of the table webhook_deliveries
 * (webhook_deliveries.h).
 */
#include "store/webhook_deliveries.h"

#include "store/store.h"

int webhook_deliveries_insert(PGconn *pg, const struct webhook_deliveries_try *t)
{
    return STORE_CMD(pg,
                     "INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, attempt,"
                     " at, status_code, latency_ms, error, next_attempt_at) "
                     "VALUES ($1, $2, $3, $4::int, $5, $6::int, $7::int, $8, $9)",
                     t->webhook_id, t->event_id, t->event_type, t->attempt, t->at, t->status,
                     t->latency_ms, t->error, t->next_attempt_at);
}
