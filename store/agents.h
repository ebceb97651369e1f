/*
 * agents.h — the SQL of the table agents (SPEC §10: the caisses' and the
 * partners' agents, bound to an OIDC identity at their first sign-in), its one
 * home: the agents' handlers and the sign-in (api/resources/session.c) read
 * and write it here. The conventions of store/ are at the top of
 * store/deadlines.h.
 */
#ifndef EPART_STORE_AGENTS_H
#define EPART_STORE_AGENTS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "store/store.h"

/* SQL: the select-list item of an agent's document as the API shows it
 * (epart_agent_doc), for a query naming the table agents "a". */
#define AGENTS_SQL_DOC "epart_agent_doc(a)::text"

/* SQL: a page of agents for the API's lists — rows of (document, sort key in
 * microseconds, id), newest first; $1..$3 the page's key and limit, $4 a role,
 * $5 active or not, $6 an e-mail (each NULL for any). sort_us, before and
 * newest_first are the paging's SQL (api/support/listing.h: PAGE_SORT_US,
 * PAGE_BEFORE, PAGE_NEWEST_FIRST on a.created_at and a.id). */
#define AGENTS_SQL_LIST(sort_us, before, newest_first)                                \
    "SELECT " AGENTS_SQL_DOC ", " sort_us ", a.id::text FROM agents a "                 \
    "WHERE " before " "                                                                \
    "AND ($4::text IS NULL OR a.role = $4) "                                           \
    "AND ($5::boolean IS NULL OR a.active = $5::boolean) "                             \
    "AND ($6::text IS NULL OR lower(a.email) = lower($6))" newest_first

/* The parameters of AGENTS_SQL_LIST after the cursor's (store/store.h). */
enum agents_list_param {
    AGENTS_LIST_ROLE = STORE_PAGE_NPARAMS, /* $4 */
    AGENTS_LIST_ACTIVE,                    /* $5 */
    AGENTS_LIST_EMAIL,                     /* $6 */
    AGENTS_LIST_NPARAMS
};

/* The stored fields of an agent, as texts: org a uuid, active "true" or
 * "false" (NULL: none). */
struct agents_fields {
    const char *issuer, *sub, *email, *name, *role, *org, *caisse, *active;
};

/* The agent id's document, NULL when there is none. On failure NULL with
 * *failed set. */
json_t *agents_doc(PGconn *pg, const char *id, bool *failed);

/* The document of the agent bound to the identity (issuer, sub), NULL when
 * none is. On failure NULL with *failed set. */
json_t *agents_by_identity(PGconn *pg, const char *issuer, const char *sub, bool *failed);

/* The document of the agent of that e-mail (compared without case), NULL when
 * none is. On failure NULL with *failed set. */
json_t *agents_by_email(PGconn *pg, const char *email, bool *failed);

/* A sign-in of the active agent id at instant at: binds it to (issuer, sub)
 * when still unbound (a new version), and returns its document — NULL when it
 * is inactive or bound to another identity. On failure NULL with *failed set. */
json_t *agents_signed_in(PGconn *pg, const char *id, const char *issuer, const char *sub,
                         const char *at, bool *failed);

/* Which unique index an agent (email, issuer, sub) hits, leaving out the agent
 * self_id (NULL: none): one row of a boolean, true when the e-mail is taken
 * (else the identity); NULL on failure. The caller PQclear()s the result. */
PGresult *agents_duplicate(PGconn *pg, const char *email, const char *issuer, const char *sub,
                           const char *self_id);

/* Create the agent id with fields f at instant at: its document as one row,
 * or no row when an e-mail or an identity is taken already; NULL on failure,
 * with its SQLSTATE in sqlstate. The caller PQclear()s the result. */
PGresult *agents_insert(PGconn *pg, const char *id, const struct agents_fields *f,
                        const char *at, char sqlstate[6]);

/* Replace the fields of the agent id at instant at, a new version, when its
 * version is still version: its document as one row, or no row when the
 * version moved; NULL on failure, with its SQLSTATE in sqlstate (23505: an
 * e-mail or identity taken). The caller PQclear()s the result. */
PGresult *agents_update(PGconn *pg, const char *id, const struct agents_fields *f,
                        const char *at, const char *version, char sqlstate[6]);

/* Delete the agent id when its version is version (NULL: any): one row of
 * (deleted, still there), each a count "0" or "1"; NULL on failure. The caller
 * PQclear()s the result. */
PGresult *agents_delete(PGconn *pg, const char *id, const char *version);

#endif
