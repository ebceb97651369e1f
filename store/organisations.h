/*
 * organisations.h — the SQL of the table organisations (SPEC: partners and
 * caisses), its one home: the API's handlers and its mirror in Redis
 * (api/core/orgcache.c) read and write it here. The conventions of store/ are
 * at the top of store/deadlines.h.
 */
#ifndef EPART_STORE_ORGANISATIONS_H
#define EPART_STORE_ORGANISATIONS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "store/store.h"

/* SQL: the select-list item of an organisation's document as the API shows it
 * (epart_organisation_doc), for a query naming the table organisations "o". */
#define ORGANISATIONS_SQL_DOC "epart_organisation_doc(o)::text"

/* SQL: a page of organisations for the API's lists — rows of (document, sort
 * key in microseconds, id), newest first; $1..$3 the page's key and limit,
 * $4 a kind, $5 a caisse, $6 an id (each NULL for any). sort_us, before and
 * newest_first are the paging's SQL, which the API writes once
 * (api/support/listing.h: PAGE_SORT_US, PAGE_BEFORE, PAGE_NEWEST_FIRST on
 * o.created_at and o.id). */
#define ORGANISATIONS_SQL_LIST(sort_us, before, newest_first)                        \
    "SELECT " ORGANISATIONS_SQL_DOC ", " sort_us ", o.id "                           \
    "FROM organisations o "                                                          \
    "WHERE " before " "                                                              \
    "AND ($4::text IS NULL OR o.kind = $4) "                                         \
    "AND ($5::text IS NULL OR o.caisse = $5) "                                       \
    "AND ($6::uuid IS NULL OR o.id = $6)" newest_first

/* The parameters of ORGANISATIONS_SQL_LIST after the cursor's (store/store.h). */
enum organisations_list_param {
    ORGANISATIONS_LIST_KIND = STORE_PAGE_NPARAMS, /* $4 */
    ORGANISATIONS_LIST_CAISSE,                    /* $5 */
    ORGANISATIONS_LIST_ID,                        /* $6 */
    ORGANISATIONS_LIST_NPARAMS
};

/* The stored fields of an organisation, as texts: ame_habilitation "true" or
 * "false", convention and referent JSON texts (NULL: none). */
struct organisations_fields {
    const char *name, *kind, *siret, *finess, *caisse;
    const char *ame_habilitation, *convention, *referent;
};

/* 1 when the organisation id is there, 0 when not, -1 on failure. */
int organisations_exists(PGconn *pg, const char *id);

/* The caisse of the organisation id, as one row — in caisse only, unless
 * caisse is NULL: no row when there is no such organisation there; NULL on
 * failure. The caller PQclear()s the result. */
PGresult *organisations_caisse(PGconn *pg, const char *id, const char *caisse);

/* The organisation's document (ORGANISATIONS_SQL_DOC), NULL when there is
 * none. On failure NULL with *failed set. */
json_t *organisations_doc(PGconn *pg, const char *id, bool *failed);

/* Every organisation's document, one a row, in the order they were created;
 * NULL on failure. The caller PQclear()s the result. */
PGresult *organisations_all(PGconn *pg);

/* Create the organisation id with fields f at instant at (created and updated
 * then): its document as one row, NULL on failure. The caller PQclear()s it. */
PGresult *organisations_insert(PGconn *pg, const char *id, const struct organisations_fields *f,
                               const char *at);

/* Replace the fields of the organisation id at instant at, a new version, when
 * its version is still version: its document as one row, or no row when the
 * version moved (or there is no such organisation); NULL on failure. The
 * caller PQclear()s it. */
PGresult *organisations_update(PGconn *pg, const char *id, const struct organisations_fields *f,
                               const char *at, const char *version);

#endif
