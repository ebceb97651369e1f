/*
 * alerts.h — the SQL of the table alerts (SPEC §6: the warnings and breaches
 * of the deadlines), its one home: the worker inserts them (worker/scanner.c
 * as their thresholds pass, worker/lifecycle.c a breach found at a dossier's
 * receipt; a creation's, inside epart_apply_dossier_creates), the API lists
 * them (GET /v1/alerts). The conventions of store/ are at the top of
 * store/deadlines.h.
 */
#ifndef EPART_STORE_ALERTS_H
#define EPART_STORE_ALERTS_H

#include <libpq-fe.h>

#include "store/store.h"

/* SQL: a page of alerts, newest first by firing — rows of (document, sort key
 * in microseconds, id); $1..$3 the page's key and limit, then the filters
 * (each NULL for any) named by enum alerts_list_param. Each document's
 * object carries the reference of the dossier or request it names
 * (object.reference), so that a list can name and link it. sort_us, before
 * and newest_first are the paging's SQL (api/support/listing.h: PAGE_SORT_US,
 * PAGE_BEFORE, PAGE_NEWEST_FIRST on a.fired_at and a.id). */
#define ALERTS_SQL_LIST(sort_us, before, newest_first)                                       \
    "SELECT jsonb_set(epart_alert_doc(a), '{object,reference}', "                           \
    "         COALESCE(to_jsonb(COALESCE((SELECT d.reference FROM dossiers d "              \
    "                                     WHERE d.id = a.object_id), "                      \
    "                                    (SELECT r.reference FROM requests r "              \
    "                                     WHERE r.id = a.object_id))), "                    \
    "                  'null'::jsonb))::text, " sort_us ", a.id "                           \
    "FROM alerts a "                                                                        \
    "WHERE " before " "                                                                     \
    "AND ($4::text IS NULL OR a.level = $4) "                                               \
    "AND ($5::text IS NULL OR a.clock = $5) "                                               \
    "AND ($6::timestamptz IS NULL OR a.fired_at >= $6) "                                    \
    "AND ($7::uuid IS NULL OR a.org_id = $7) "                                              \
    "AND ($8::text IS NULL OR a.caisse = $8)" newest_first

/* The parameters of ALERTS_SQL_LIST after the cursor's (store/store.h). */
enum alerts_list_param {
    ALERTS_LIST_LEVEL = STORE_PAGE_NPARAMS, /* $4 warning or breach */
    ALERTS_LIST_CLOCK,                      /* $5 */
    ALERTS_LIST_SINCE,                      /* $6 fired at or after */
    ALERTS_LIST_ORG,                        /* $7 */
    ALERTS_LIST_CAISSE,                     /* $8 */
    ALERTS_LIST_NPARAMS
};

/* The object (dossier or request) alerts are raised on: type 'dossier' or a
 * request's kind, its id, organisation, caisse and reference. */
struct alerts_object {
    const char *type, *id, *org, *caisse, *reference;
};

/* Insert the alerts of alerts (a JSON text: an array of {clock, level, lead,
 * due_at, fired_at}) on o, each exactly once, and announce each one inserted
 * (the webhook events deadline.warning and deadline.breached):
 * epart_insert_alerts (sql/functions/10_alerts.sql). */
int alerts_insert(PGconn *pg, const struct alerts_object *o, const char *alerts);

#endif
