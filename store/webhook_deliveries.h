/*
 * webhook_deliveries.h — the SQL of the table webhook_deliveries (docs/
 * webhooks.md), its one home: one row per try of a delivery job, written by
 * the worker's sender (worker/webhooks.c) in the transaction that settles the
 * try, listed by the API (GET /v1/webhooks/{id}/deliveries). The conventions
 * of store/ are at the top of store/deadlines.h.
 */
#ifndef EPART_STORE_WEBHOOK_DELIVERIES_H
#define EPART_STORE_WEBHOOK_DELIVERIES_H

#include <libpq-fe.h>

/* SQL: a page of webhook $1's tries, newest first by their id (the cursor's
 * key, an integer) — rows of (document, its instant in microseconds, id): $2
 * the last id seen (NULL on the first page), $3 the limit, $4 an event id
 * (NULL for any). sort_us is the paging's SQL of d.at (api/support/listing.h:
 * PAGE_SORT_US). The parameters are named by enum webhook_deliveries_list_param. */
#define WEBHOOK_DELIVERIES_SQL_LIST(sort_us)                                                 \
    "SELECT jsonb_build_object('id', d.id, 'event_id', d.event_id,"                        \
    "  'event_type', d.event_type, 'attempt', d.attempt, 'at', epart_ts(d.at),"            \
    "  'status_code', d.status_code, 'latency_ms', d.latency_ms,"                          \
    "  'success', d.error IS NULL AND d.status_code BETWEEN 200 AND 299,"                  \
    "  'error', d.error, 'next_attempt_at', epart_ts(d.next_attempt_at))::text,"           \
    " " sort_us ", d.id::text "                                                            \
    "FROM webhook_deliveries d WHERE d.webhook_id = $1 "                                   \
    "AND ($2::bigint IS NULL OR d.id < $2::bigint) "                                       \
    "AND ($4::uuid IS NULL OR d.event_id = $4::uuid) "                                     \
    "ORDER BY d.id DESC LIMIT $3"

/* The parameters of WEBHOOK_DELIVERIES_SQL_LIST (store/store.h): it places its
 * cursor itself. */
enum webhook_deliveries_list_param {
    WEBHOOK_DELIVERIES_LIST_WEBHOOK, /* $1 the webhook's id */
    WEBHOOK_DELIVERIES_LIST_KEY,     /* $2 the cursor's key */
    WEBHOOK_DELIVERIES_LIST_LIMIT,   /* $3 */
    WEBHOOK_DELIVERIES_LIST_EVENT,   /* $4 */
    WEBHOOK_DELIVERIES_LIST_NPARAMS
};

/* One try of the job (webhook_id, event_id), as texts: the event's type, the
 * attempt count, its instant at, the HTTP status (NULL: no answer), its
 * latency in milliseconds, the error (NULL when it went through) and when the
 * job is due again (NULL: never). */
struct webhook_deliveries_try {
    const char *webhook_id, *event_id, *event_type, *attempt, *at, *status, *latency_ms,
        *error, *next_attempt_at;
};

/* Record the try t. */
int webhook_deliveries_insert(PGconn *pg, const struct webhook_deliveries_try *t);

#endif
