/*
 * db.h — thin helpers over libpq shared by the API's database threads and the
 * workers: connecting with the product's settings, running parameterised
 * statements, transactions, and reading JSON columns.
 *
 * Every statement goes through PQexecParams or a prepared statement: no SQL is
 * ever built from input.
 */
#ifndef EPART_DB_H
#define EPART_DB_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;

/* Open a connection with the settings of c (statement_timeout_ms bounds every
 * statement; 0 leaves the server's default). Returns NULL when PostgreSQL cannot
 * be reached; the failure is logged once per outage by the caller. */
PGconn *db_connect(const struct config *c, int statement_timeout_ms);

/* True when conn is usable (not NULL and CONNECTION_OK). */
bool db_ok(PGconn *conn);

/* Run sql with n text parameters (NULL entries are SQL NULL). Returns the result
 * when its status is COMMAND_OK or TUPLES_OK, else logs the error, clears it and
 * returns NULL. The caller PQclear()s a non-NULL result. */
PGresult *db_exec(PGconn *conn, const char *sql, int n, const char *const *params);

/* Like db_exec but also hands back the SQLSTATE of a failure (5 chars + NUL) so
 * callers can tell a unique violation (23505) from an outage. */
PGresult *db_exec_state(PGconn *conn, const char *sql, int n, const char *const *params,
                        char sqlstate[6]);

/* Like db_exec, through a statement prepared once per session so that
 * PostgreSQL parses and plans it once rather than on every call: for the hot
 * point reads. sql is known by its address: a string constant. The statements
 * are remembered with the connection (a connection from db_connect; any other
 * runs sql unprepared, as do the statements past the 32nd). */
PGresult *db_exec_prepared(PGconn *conn, const char *sql, int n, const char *const *params);

/* Run a statement whose result is not needed; returns 0 or -1. */
int db_cmd(PGconn *conn, const char *sql, int n, const char *const *params);

/* BEGIN / COMMIT / ROLLBACK; return 0 or -1. */
int db_begin(PGconn *conn);
int db_commit(PGconn *conn);
void db_rollback(PGconn *conn);

/* Parse the text of a json/jsonb column (row, col) into a new reference, or
 * return a new JSON null when the value is SQL NULL or unparsable. */
json_t *db_json(const PGresult *res, int row, int col);

/* Write instant us (microseconds since the epoch) as a timestamptz literal
 * ("2026-11-23T09:00:00.123456Z") into buf (at least 32 bytes). */
char *db_ts(int64_t us, char *buf, size_t len);

/* Run a query returning at most one row whose first column is JSON text: the
 * parsed document, or NULL when there is no row. On failure returns NULL with
 * *failed set (the caller answers 503). sql goes through db_exec_prepared: a
 * string constant. */
json_t *db_fetch_json(PGconn *conn, const char *sql, int n, const char *const *params,
                      bool *failed);

/* The value of (row, col), or NULL when it is SQL NULL. */
const char *db_value(const PGresult *res, int row, int col);

#endif
