/*
 * webhooks.h — the SQL of the table webhooks (SPEC: the endpoints an
 * organisation or a caisse registers, and their health), its one home: the
 * API's webhook handlers and the worker's sender (worker/webhooks.c, which
 * records each delivery's outcome) read and write it here. The conventions of
 * store/ are at the top of store/deadlines.h.
 */
#ifndef EPART_STORE_WEBHOOKS_H
#define EPART_STORE_WEBHOOKS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "store/store.h"

/* SQL: the select-list item of a webhook's document as the API shows it
 * (epart_webhook_doc), for a query naming the table webhooks "w". */
#define WEBHOOKS_SQL_DOC "epart_webhook_doc(w)::text"

/* SQL: a page of the live webhooks for the API's lists — rows of (document,
 * sort key in microseconds, id), newest first; $1..$3 the page's key and
 * limit, $4 an organisation, $5 a caisse (each NULL for any), $6 true for the
 * caisse's own webhooks only, $7 a state (NULL for any). sort_us, before and
 * newest_first are the paging's SQL (api/support/listing.h: PAGE_SORT_US,
 * PAGE_BEFORE, PAGE_NEWEST_FIRST on w.created_at and w.id). */
#define WEBHOOKS_SQL_LIST(sort_us, before, newest_first)                                   \
    "SELECT " WEBHOOKS_SQL_DOC ", " sort_us ", w.id::text FROM webhooks w "                 \
    "WHERE w.deleted_at IS NULL "                                                          \
    "AND " before " "                                                                      \
    "AND ($4::uuid IS NULL OR w.org_id = $4::uuid) "                                       \
    "AND ($5::text IS NULL OR w.caisse = $5) "                                             \
    "AND (NOT $6::boolean OR w.org_id IS NULL) "                                           \
    "AND ($7::text IS NULL OR w.state = $7)" newest_first

/* The parameters of WEBHOOKS_SQL_LIST after the cursor's (store/store.h). */
enum webhooks_list_param {
    WEBHOOKS_LIST_ORG = STORE_PAGE_NPARAMS, /* $4 */
    WEBHOOKS_LIST_CAISSE,                   /* $5 */
    WEBHOOKS_LIST_CAISSE_OWN,               /* $6 */
    WEBHOOKS_LIST_STATE,                    /* $7 */
    WEBHOOKS_LIST_NPARAMS
};

/* The live (not deleted) webhook id's document, NULL when there is none. On
 * failure NULL with *failed set. */
json_t *webhooks_doc(PGconn *pg, const char *id, bool *failed);

/* What a new webhook is: its owner (org, a uuid, or NULL for a caisse's own;
 * caisse; owner_sub the creator), its url, events (a JSON array text), secret
 * and description (NULL: none). */
struct webhooks_new {
    const char *org, *caisse, *owner_sub, *url, *events, *secret, *description;
};

/* Create the webhook id w at instant at unless its owner has cap live ones
 * already: its document as one row, or no row at the cap; NULL on failure.
 * The caller PQclear()s the result. */
PGresult *webhooks_insert(PGconn *pg, const char *id, const struct webhooks_new *w,
                          const char *at, const char *cap);

/* What a PATCH changes (NULL: unchanged): url, events (a JSON array text),
 * the description when has_description is "true" (NULL then removes it), the
 * state (back to "active": the failure count starts again). */
struct webhooks_change {
    const char *url, *events, *has_description, *description, *state;
};

/* Apply ch to the live webhook id at instant at, a new version, when its
 * version is still version: its document as one row, or no row when the
 * version moved; NULL on failure. The caller PQclear()s the result. */
PGresult *webhooks_update(PGconn *pg, const char *id, const struct webhooks_change *ch,
                          const char *at, const char *version);

/* Delete the live webhook id at instant at when its version is version (NULL:
 * any): one row of its id, or none; NULL on failure. The caller PQclear()s
 * the result. */
PGresult *webhooks_delete(PGconn *pg, const char *id, const char *at, const char *version);

/* A delivery to webhook id went through at instant at with HTTP status
 * (NULL: none): the failure count starts again, a failing webhook is active. */
int webhooks_delivered(PGconn *pg, const char *id, const char *at, const char *status);

/* A delivery to webhook id failed at instant at (status NULL: no answer;
 * error its text): one failure more — failing after failing_after in a row
 * when active, disabled when final (the job of event_id used every try) and
 * nothing got through since that job's first attempt. */
int webhooks_failed(PGconn *pg, const char *id, const char *at, const char *status,
                    const char *error, const char *failing_after, bool final,
                    const char *event_id);

#endif
