/*
 * webhook_jobs.h — the SQL of the table webhook_jobs (docs/webhooks.md), its
 * one home: one delivery job per (webhook, event), queued by epart_emit
 * (sql/functions/10_webhooks.sql), claimed, tried and settled by the worker's
 * sender (worker/webhooks.c), cancelled by the API when its webhook is
 * disabled or deleted. The conventions of store/ are at the top of
 * store/deadlines.h.
 *
 * A claimed job carries the attempt count it was claimed with: a release or a
 * settlement names it, so that the late answer of a try whose lease ran out
 * (the job claimed again elsewhere) changes nothing.
 */
#ifndef EPART_STORE_WEBHOOK_JOBS_H
#define EPART_STORE_WEBHOOK_JOBS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

/* The columns of webhook_jobs_claim()'s rows. */
enum webhook_jobs_claim_col {
    JOB_WEBHOOK_ID,
    JOB_EVENT_ID,
    JOB_ATTEMPT,   /* the attempt count, this try included */
    JOB_URL,
    JOB_SECRET,
    JOB_CANCEL,    /* 't' when its webhook is deleted or disabled */
    JOB_TYPE,      /* the event's */
    JOB_PAYLOAD,   /* JSON text */
    JOB_CREATED_AT /* the event's, RFC 3339 */
};

/* Claim at most limit due pending jobs, soonest first, skipping those another
 * sender holds: each try counted, leased for lease_s seconds (then due again).
 * The rows (columns above) or NULL on failure; the caller PQclear()s them. */
PGresult *webhook_jobs_claim(PGconn *pg, int lease_s, int limit);

/* Give a claimed job back untried (its try not counted), due again after
 * delay_ms. */
int webhook_jobs_release(PGconn *pg, const char *webhook_id, const char *event_id, int attempt,
                         int64_t delay_ms);

/* Settle a tried job: state delivered, failed or pending (then due again at
 * next_at; NULL keeps its lease). */
int webhook_jobs_settle(PGconn *pg, const char *webhook_id, const char *event_id, int attempt,
                        const char *state, const char *next_at);

/* Cancel one pending job. */
int webhook_jobs_cancel(PGconn *pg, const char *webhook_id, const char *event_id);

/* Cancel every pending job of a webhook: disabled or deleted by its owner, or
 * (if_disabled) only if it is disabled now (the sender disabled it). */
int webhook_jobs_cancel_all(PGconn *pg, const char *webhook_id, bool if_disabled);

#endif
