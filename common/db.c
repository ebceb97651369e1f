/*
 * db.c — libpq helpers.
 */
#include "db.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "log.h"

PGconn *db_connect(const struct config *c, int statement_timeout_ms)
{
    char conninfo[1024];
    char opts[128];
    PGconn *conn;
    PGresult *res;

    config_pg_conninfo(c, conninfo, sizeof(conninfo));
    conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        PQfinish(conn);
        return NULL;
    }
    snprintf(opts, sizeof(opts), "SET statement_timeout = %d", statement_timeout_ms);
    res = PQexec(conn, opts);
    PQclear(res);
    res = PQexec(conn, "SET TIME ZONE 'UTC'");
    PQclear(res);
    return conn;
}

bool db_ok(PGconn *conn)
{
    return conn != NULL && PQstatus(conn) == CONNECTION_OK;
}

PGresult *db_exec_state(PGconn *conn, const char *sql, int n, const char *const *params,
                        char sqlstate[6])
{
    PGresult *res;
    ExecStatusType st;

    if (sqlstate != NULL)
        sqlstate[0] = '\0';
    if (conn == NULL)
        return NULL;
    res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    if (sqlstate != NULL) {
        const char *s = PQresultErrorField(res, PG_DIAG_SQLSTATE);

        snprintf(sqlstate, 6, "%s", s ? s : "");
    }
    /* Only the server's message: it may quote a constraint, never parameters. */
    if (sqlstate == NULL || strcmp(sqlstate, "23505") != 0)
        log_warn("db: %s", PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                               ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                               : PQerrorMessage(conn));
    PQclear(res);
    return NULL;
}

PGresult *db_exec(PGconn *conn, const char *sql, int n, const char *const *params)
{
    return db_exec_state(conn, sql, n, params, NULL);
}

/* The statements this thread knows prepared, by connection and SQL text
 * address. A stale entry (a new connection at a freed one's address) is
 * harmless: the server answers 26000 and the statement is prepared again. */
#define PREPARED_MAX 32
static _Thread_local struct {
    PGconn *conn;
    const char *sql;
} prepared[PREPARED_MAX];
static _Thread_local int prepared_next;

static bool is_prepared(PGconn *conn, const char *sql)
{
    for (int i = 0; i < PREPARED_MAX; i++)
        if (prepared[i].conn == conn && prepared[i].sql == sql)
            return true;
    return false;
}

/* Prepare sql on conn under name; a statement of that name already there (the
 * table above forgot it) is the same one, since the name is the text's
 * address. Returns 0 or -1. */
static int prepare(PGconn *conn, const char *name, const char *sql, int n)
{
    PGresult *res = PQprepare(conn, name, sql, n, NULL);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK || (state && strcmp(state, "42P05") == 0)
                 ? 0
                 : -1;

    if (rc < 0)
        log_warn("db: prepare: %s", PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                                        ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                                        : PQerrorMessage(conn));
    PQclear(res);
    if (rc == 0) {
        prepared[prepared_next].conn = conn;
        prepared[prepared_next].sql = sql;
        prepared_next = (prepared_next + 1) % PREPARED_MAX;
    }
    return rc;
}

PGresult *db_exec_prepared(PGconn *conn, const char *sql, int n, const char *const *params)
{
    char name[32];
    PGresult *res;
    ExecStatusType st;

    if (conn == NULL)
        return NULL;
    snprintf(name, sizeof(name), "epart_%p", (const void *)sql);
    for (int attempt = 0; attempt < 2; attempt++) {
        const char *state;

        if (!is_prepared(conn, sql) && prepare(conn, name, sql, n) < 0)
            return NULL;
        res = PQexecPrepared(conn, name, n, params, NULL, NULL, 0);
        st = PQresultStatus(res);
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
            return res;
        state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (attempt == 0 && state != NULL && strcmp(state, "26000") == 0) {
            /* the session lost it (a new connection): forget and prepare again */
            for (int i = 0; i < PREPARED_MAX; i++)
                if (prepared[i].conn == conn)
                    prepared[i].conn = NULL;
            PQclear(res);
            continue;
        }
        log_warn("db: %s", PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                               ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                               : PQerrorMessage(conn));
        PQclear(res);
        return NULL;
    }
    return NULL;
}

int db_cmd(PGconn *conn, const char *sql, int n, const char *const *params)
{
    PGresult *res = db_exec(conn, sql, n, params);

    if (res == NULL)
        return -1;
    PQclear(res);
    return 0;
}

int db_begin(PGconn *conn)
{
    return db_cmd(conn, "BEGIN", 0, NULL);
}

int db_commit(PGconn *conn)
{
    return db_cmd(conn, "COMMIT", 0, NULL);
}

void db_rollback(PGconn *conn)
{
    PGresult *res;

    if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
        return;
    res = PQexec(conn, "ROLLBACK");
    PQclear(res);
}

json_t *db_json(const PGresult *res, int row, int col)
{
    json_t *j;

    if (PQgetisnull(res, row, col))
        return json_null();
    j = json_loads(PQgetvalue(res, row, col), JSON_DECODE_ANY, NULL);
    return j ? j : json_null();
}

char *db_ts(int64_t us, char *buf, size_t len)
{
    time_t secs = (time_t)(us / 1000000);
    struct tm tm;

    gmtime_r(&secs, &tm);
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(us % 1000000));
    return buf;
}

json_t *db_fetch_json(PGconn *conn, const char *sql, int n, const char *const *params,
                      bool *failed)
{
    PGresult *res = db_exec_prepared(conn, sql, n, params);
    json_t *doc = NULL;

    *failed = res == NULL;
    if (res == NULL)
        return NULL;
    if (PQntuples(res) >= 1)
        doc = db_json(res, 0, 0);
    PQclear(res);
    return doc;
}

const char *db_value(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}
