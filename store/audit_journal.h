/*
 * audit_journal.h — the SQL of the table audit_journal (SPEC §10: who read or
 * wrote whose data, with which role and organisation, from where and when),
 * its one home: the API's journal writer (api/support/audit.c, the reads and
 * direct writes) and the worker (worker/journal.c, the writes it applies from
 * the stream) insert their rows with one statement, the API's GET /v1/audit
 * reads them here. The conventions of store/ are at the top of
 * store/deadlines.h.
 *
 * The insert is the SQL function epart_insert_journal (sql/functions/
 * 10_audit.sql), which takes the rows as one JSON array, so that a batch of
 * any size is one statement with one parameter, and skips a row whose stream
 * entry is journaled already (an entry delivered twice).
 */
#ifndef EPART_STORE_AUDIT_JOURNAL_H
#define EPART_STORE_AUDIT_JOURNAL_H

#include <jansson.h>
#include <libpq-fe.h>

#include "jsonutil.h"
#include "store/store.h"

/* The columns a row gives, as indexes of its texts (NULL: SQL NULL). */
enum audit_journal_col {
    AUDIT_JOURNAL_AT,          /* the instant, timestamptz text */
    AUDIT_JOURNAL_SUB,         /* who: the token's or session's subject */
    AUDIT_JOURNAL_ROLE,
    AUDIT_JOURNAL_ORG_ID,      /* a uuid */
    AUDIT_JOURNAL_CAISSE,
    AUDIT_JOURNAL_ACTION,      /* read, list, create, transition… */
    AUDIT_JOURNAL_OBJECT_TYPE,
    AUDIT_JOURNAL_OBJECT_ID,
    AUDIT_JOURNAL_REMOTE_ADDR,
    AUDIT_JOURNAL_ENTRY_ID,    /* the stream entry a worker journals (a uuid) */
    AUDIT_JOURNAL_NCOLS
};

/* The rows of one insert: the text of a JSON array of records, valid after
 * every audit_journal_add() (rows.text.s is the parameter of
 * audit_journal_insert()), and how many it holds. {0} is an empty one. */
struct audit_journal_rows {
    struct text_buf text;
    size_t n;
};

/* Append the row col to rows: 0, or -1 when a text is not UTF-8 or memory
 * ran out (rows unchanged). */
int audit_journal_add(struct audit_journal_rows *rows,
                      const char *const col[AUDIT_JOURNAL_NCOLS]);

/* Release the rows' text; rows is empty again. */
void audit_journal_rows_free(struct audit_journal_rows *rows);

/* SQL: insert the rows of $1, the JSON text of an array audit_journal_add()
 * filled, in order — for a caller that sends the statement itself (the
 * worker's pipeline, worker/persist.c). */
#define AUDIT_JOURNAL_SQL_INSERT "SELECT epart_insert_journal($1::jsonb)"

/* Run AUDIT_JOURNAL_SQL_INSERT with rows (a JSON text). */
int audit_journal_insert(PGconn *pg, const char *rows);

/* SQL: a page of the journal, newest first by id (the order rows were
 * written in, and the cursor's key) — rows of (document, id, id as text): $1
 * the last id seen (NULL on the first page), $2 the limit, then the filters
 * (each NULL for any) named by enum audit_journal_list_param: exact sub,
 * object type, object id and action, since (inclusive) and until (exclusive)
 * instants. */
#define AUDIT_JOURNAL_SQL_LIST                                                               \
    "SELECT jsonb_build_object('id', a.id, 'at', epart_ts(a.at), 'sub', a.sub, "            \
    "  'role', a.role, 'org', a.org_id, 'caisse', a.caisse, 'action', a.action, "           \
    "  'object_type', a.object_type, 'object_id', a.object_id, "                            \
    "  'remote_addr', a.remote_addr)::text, a.id, a.id::text "                              \
    "FROM audit_journal a "                                                                 \
    "WHERE ($1::bigint IS NULL OR a.id < $1::bigint) "                                      \
    "AND ($3::text IS NULL OR a.sub = $3) "                                                 \
    "AND ($4::text IS NULL OR a.object_type = $4) "                                         \
    "AND ($5::text IS NULL OR a.object_id = $5) "                                           \
    "AND ($6::timestamptz IS NULL OR a.at >= $6) "                                          \
    "AND ($7::timestamptz IS NULL OR a.at < $7) "                                           \
    "AND ($8::text IS NULL OR a.action = $8) "                                              \
    "ORDER BY a.id DESC LIMIT $2"

/* The parameters of AUDIT_JOURNAL_SQL_LIST (store/store.h): it places its
 * cursor itself. */
enum audit_journal_list_param {
    AUDIT_JOURNAL_LIST_AFTER,       /* $1 the last id seen */
    AUDIT_JOURNAL_LIST_LIMIT,       /* $2 */
    AUDIT_JOURNAL_LIST_SUB,         /* $3 */
    AUDIT_JOURNAL_LIST_OBJECT_TYPE, /* $4 */
    AUDIT_JOURNAL_LIST_OBJECT_ID,   /* $5 */
    AUDIT_JOURNAL_LIST_SINCE,       /* $6 */
    AUDIT_JOURNAL_LIST_UNTIL,       /* $7 */
    AUDIT_JOURNAL_LIST_ACTION,      /* $8 */
    AUDIT_JOURNAL_LIST_NPARAMS
};

#endif
