/*
 * demandes.h — the read of "Mes demandes" (GET /v1/demandes, SPEC §12): every
 * request of a scope in one keyset list over the tables dossiers (§4) and
 * requests (§8), a read of its own rather than one table's. The conventions
 * of store/ are at the top of store/deadlines.h; the items are
 * epart_demande_dossier_item and epart_demande_request_item
 * (sql/functions/20_demandes.sql).
 *
 * The query pages each table with the same key and limit and merges them, so
 * a page costs two index scans of limit + 1 rows however deep it is.
 */
#ifndef EPART_STORE_DEMANDES_H
#define EPART_STORE_DEMANDES_H

#include "store/deadlines.h"
#include "store/store.h"

/* SQL: a page of demandes, newest first by creation then id — rows of (item,
 * sort key in microseconds, id); $1..$3 the page's key and limit, then the
 * filters (each NULL for any) named by enum demandes_list_param. sort_us is
 * the paging's SQL of u.created_at, before_d and before_r its cursor on
 * (d.created_at, d.id) and (r.created_at, r.id) (api/support/listing.h:
 * PAGE_SORT_US, PAGE_BEFORE). */
#define DEMANDES_SQL_LIST(sort_us, before_d, before_r)                                        \
    "SELECT u.doc::text, " sort_us ", u.id FROM ("                                          \
    " (SELECT epart_demande_dossier_item(d) AS doc, d.created_at, d.id FROM dossiers d"      \
    "  WHERE ($4::text IS NULL OR $4 = 'dossier')"                                          \
    "  AND " before_d                                                                       \
    "  AND ($5::text IS NULL OR d.status = $5)"                                             \
    "  AND ($6::uuid IS NULL OR d.org_id = $6)"                                             \
    "  AND ($7::text IS NULL OR d.caisse = $7)"                                             \
    "  AND ($8::timestamptz IS NULL OR " DEADLINES_SQL_BREACHED("'dossier'", "d.id", "$8") ")" \
    "  ORDER BY d.created_at DESC, d.id DESC LIMIT $3)"                                     \
    " UNION ALL"                                                                            \
    " (SELECT epart_demande_request_item(r), r.created_at, r.id FROM requests r"            \
    "  WHERE ($4::text IS NULL OR r.kind = $4)"                                             \
    "  AND " before_r                                                                       \
    "  AND ($5::text IS NULL OR r.status = $5)"                                             \
    "  AND ($6::uuid IS NULL OR r.org_id = $6)"                                             \
    "  AND ($7::text IS NULL OR r.caisse = $7)"                                             \
    "  AND ($8::timestamptz IS NULL OR " DEADLINES_SQL_BREACHED("r.kind", "r.id", "$8") ")"   \
    "  ORDER BY r.created_at DESC, r.id DESC LIMIT $3)"                                     \
    ") u ORDER BY u.created_at DESC, u.id DESC LIMIT $3"

/* The parameters of DEMANDES_SQL_LIST after the cursor's (store/store.h). */
enum demandes_list_param {
    DEMANDES_LIST_KIND = STORE_PAGE_NPARAMS, /* $4 dossier or a request's kind */
    DEMANDES_LIST_STATUS,                    /* $5 */
    DEMANDES_LIST_ORG,                       /* $6 */
    DEMANDES_LIST_CAISSE,                    /* $7 */
    DEMANDES_LIST_BREACHED_AT,               /* $8 with a clock breached at that instant */
    DEMANDES_LIST_NPARAMS
};

#endif
