/*
 * store.h — what every file of store/ uses to run its statements, so that a
 * table's file holds only its SQL and its parameters (docs/architecture.md).
 *
 * STORE_EXEC, STORE_CMD, STORE_FETCH_JSON, STORE_ROW and STORE_EXISTS take the
 * parameters themselves, not an array and its length: the count is computed
 * from the list (it cannot disagree with it), and no function writes again the
 * "array, length, run, check" lines that each statement used to carry.
 * Parameters are texts (const char *; NULL is SQL NULL), at least one.
 */
#ifndef EPART_STORE_STORE_H
#define EPART_STORE_STORE_H

#include <libpq-fe.h>

#include "db.h"

/* The parameters as an array (a compound literal, alive in the enclosing
 * block) and their number. */
#define STORE_PARAMS(...) ((const char *const[]){__VA_ARGS__})
#define STORE_NPARAMS(...) ((int)(sizeof(STORE_PARAMS(__VA_ARGS__)) / sizeof(const char *)))

/* An integer as a parameter's text, in a buffer of the enclosing block (a
 * compound literal): STORE_CMD(pg, "… $2::int", id, STORE_INT(rank)). */
#define STORE_INT_LEN 24
#define STORE_INT(v) store_int((char[STORE_INT_LEN]){0}, (v))
const char *store_int(char buf[STORE_INT_LEN], long long v);

/* db_exec(), db_exec_state(), db_cmd(), db_fetch_json() and store_row() with the
 * parameters listed. */
#define STORE_EXEC(pg, sql, ...) \
    db_exec((pg), (sql), STORE_NPARAMS(__VA_ARGS__), STORE_PARAMS(__VA_ARGS__))
#define STORE_EXEC_STATE(pg, sqlstate, sql, ...) \
    db_exec_state((pg), (sql), STORE_NPARAMS(__VA_ARGS__), STORE_PARAMS(__VA_ARGS__), (sqlstate))
#define STORE_CMD(pg, sql, ...) \
    db_cmd((pg), (sql), STORE_NPARAMS(__VA_ARGS__), STORE_PARAMS(__VA_ARGS__))
#define STORE_FETCH_JSON(pg, failed, sql, ...) \
    db_fetch_json((pg), (sql), STORE_NPARAMS(__VA_ARGS__), STORE_PARAMS(__VA_ARGS__), (failed))
#define STORE_ROW(pg, row, sql, ...) \
    store_row((pg), (row), (sql), STORE_NPARAMS(__VA_ARGS__), STORE_PARAMS(__VA_ARGS__))

/* Run sql, a statement of at most one row (a key's row, an UPDATE … RETURNING
 * of one key): 1 with that row in *row (the caller reads it, then PQclear()s
 * it), 0 when there is no such row (*row NULL), -1 on failure (logged by
 * db_exec(); *row NULL). */
int store_row(PGconn *pg, PGresult **row, const char *sql, int n, const char *const *params);

/* store_row() for a question of existence (a key's "SELECT 1 … WHERE id = $1"):
 * 1 when sql finds its row, 0 when not, -1 on failure; no result to clear. */
#define STORE_EXISTS(pg, sql, ...) \
    store_exists((pg), (sql), STORE_NPARAMS(__VA_ARGS__), STORE_PARAMS(__VA_ARGS__))
int store_exists(PGconn *pg, const char *sql, int n, const char *const *params);

/* The parameters of a list's query (a struct list of api/support/listing.h,
 * whose .sql is a store/ macro) are named by an enum of its table's header, as
 * indexes of the array the handler fills: the first after the cursor's, the
 * last X_LIST_NPARAMS, their number, which .nparams and the array's size
 * take — so no one counts them by hand. A keyset list's cursor takes $1..$3
 * (its instant, its key, its limit: PAGE_BEFORE and PAGE_NEWEST_FIRST), its
 * filters follow:
 *
 *   enum things_list_param { THINGS_LIST_KIND = STORE_PAGE_NPARAMS, …,
 *                            THINGS_LIST_NPARAMS };
 *
 * tests/unit/test_store_sql.c checks each enum against its SQL with
 * store_sql_nparams(). */
#define STORE_PAGE_NPARAMS 3

/* How many parameters sql takes: its highest $n, or -1 when one of $1..$n is
 * missing (a parameter libpq would be sent and the statement never reads). */
int store_sql_nparams(const char *sql);

#endif
