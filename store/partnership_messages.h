/*
 * partnership_messages.h — the SQL of the table partnership_messages (SPEC
 * §8: the messages of the partnership itself between an organisation and its
 * caisse, without personal data), its one home: the API writes and reads
 * them (POST/GET /v1/messages). The conventions of store/ are at the top of
 * store/deadlines.h; the document is epart_partnership_message_doc.
 */
#ifndef EPART_STORE_PARTNERSHIP_MESSAGES_H
#define EPART_STORE_PARTNERSHIP_MESSAGES_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "store/store.h"

/* The message id's document when it is in the scope — of organisation org,
 * of caisse (each NULL for any) — NULL when not. On failure NULL with *failed
 * set. */
json_t *partnership_messages_doc(PGconn *pg, const char *id, const char *org,
                                 const char *caisse, bool *failed);

/* A new message: its id, organisation, caisse, author (a JSON text: {sub,
 * role}), subject (NULL: none), body and instant. */
struct partnership_messages_new {
    const char *id, *org, *caisse, *author, *subject, *body, *at;
};

/* Store the message m: its document as one row, or NULL on failure. The
 * caller PQclear()s the result. */
PGresult *partnership_messages_insert(PGconn *pg, const struct partnership_messages_new *m);

/* SQL: a page of messages, newest first by their sequence number (the
 * cursor's key: unique, no tie-breaker) — rows of (document, seq, id): $1 the
 * last seq seen (NULL on the first page), $2 the limit, then the scope (each
 * NULL for any) named by enum partnership_messages_list_param. */
#define PARTNERSHIP_MESSAGES_SQL_LIST                                                        \
    "SELECT epart_partnership_message_doc(x)::text, x.seq, x.id "                           \
    "FROM partnership_messages x "                                                          \
    "WHERE ($1::bigint IS NULL OR x.seq < $1::bigint) "                                     \
    "AND ($3::uuid IS NULL OR x.org_id = $3) "                                              \
    "AND ($4::text IS NULL OR x.caisse = $4) "                                              \
    "ORDER BY x.seq DESC LIMIT $2"

/* The parameters of PARTNERSHIP_MESSAGES_SQL_LIST (store/store.h): it places
 * its cursor itself. */
enum partnership_messages_list_param {
    PARTNERSHIP_MESSAGES_LIST_AFTER,  /* $1 the last seq seen */
    PARTNERSHIP_MESSAGES_LIST_LIMIT,  /* $2 */
    PARTNERSHIP_MESSAGES_LIST_ORG,    /* $3 */
    PARTNERSHIP_MESSAGES_LIST_CAISSE, /* $4 */
    PARTNERSHIP_MESSAGES_LIST_NPARAMS
};

#endif
