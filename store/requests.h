/*
 * requests.h — the SQL of the tables requests and request_events (SPEC §8:
 * signalements, rendez-vous, document requests), their one home. The worker
 * creates requests through epart_apply_request_create
 * (sql/functions/20_requests.sql); the API reads and instructs them here. The
 * conventions of store/ are at the top of store/deadlines.h; kind is a
 * request_kind's name (common/request_kinds.h).
 */
#ifndef EPART_STORE_REQUESTS_H
#define EPART_STORE_REQUESTS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

/* SQL: apply one request's creation entry (signalement, rendez_vous,
 * demande_document.create), $1 its argument (a JSON text that
 * worker/persist.c prepares). */
#define REQUESTS_SQL_APPLY_CREATE "SELECT epart_apply_request_create($1::jsonb)"

/* The request's document with its history (epart_request_doc), NULL when
 * there is no request id of that kind — in caisse only, unless caisse is
 * NULL. On failure NULL with *failed set. */
json_t *requests_doc(PGconn *pg, const char *id, const char *kind, const char *caisse,
                     bool *failed);

/* The request's (status, version), locked FOR UPDATE: one row, or none when
 * there is no request id of that kind in caisse. NULL on failure; the caller
 * PQclear()s the result. */
PGresult *requests_lock(PGconn *pg, const char *id, const char *kind, const char *caisse);

/* Its status from -> to at instant at, a new version and the history event
 * (actor and detail: JSON texts). */
int requests_changed(PGconn *pg, const char *id, const char *at, const char *actor,
                     const char *from, const char *to, const char *detail);

/* A page of the requests of kind (status, org, caisse: NULL for any): rows of
 * (document without history, sort key in microseconds, id) after the key
 * (key_us, key_id; NULL for the first page), at most limit — newest first, or
 * (by_due) by the next due time of their running deadlines, those with none
 * last. */
PGresult *requests_list(PGconn *pg, const char *kind, const char *status, const char *org,
                        const char *caisse, bool by_due, const char *key_us, const char *key_id,
                        const char *limit);

/* Rows of (status, count, count with a deadline breached at now) over the
 * requests of kind of org and caisse (NULL for any). */
PGresult *requests_counts(PGconn *pg, const char *kind, const char *org, const char *caisse,
                          const char *now);

#endif
