/*
 * db.c — libpq helpers.
 */
#include "db.h"

#include <libpq-events.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "config.h"
#include "jsonfast.h"
#include "log.h"

/* The statements prepared on a connection, kept with it (libpq instance data
 * of an event procedure): a new session starts with none, and the set goes
 * when the connection is finished. Statement i is named "epart_<i>". */
#define PREPARED_MAX 32
struct prepared_set {
    int n;
    const char *sql[PREPARED_MAX];
};

/* A session that answers "read-only transaction" (SQLSTATE 25006) is on a
 * server that is no longer the primary: libpq checks target_session_attrs only
 * when it connects, so the session is cut here and the caller's next
 * db_ok()/PQstatus() check reconnects to whichever host accepts writes now. */
static void cut_if_read_only(PGconn *conn, const PGresult *res)
{
    const char *st = PQresultErrorField(res, PG_DIAG_SQLSTATE);

    if (st != NULL && strcmp(st, "25006") == 0 && PQsocket(conn) >= 0) {
        log_warn("db: the server no longer accepts writes; reconnecting");
        shutdown(PQsocket(conn), SHUT_RDWR);
    }
}

static int prepared_event(PGEventId id, void *info, void *passthrough)
{
    (void)passthrough;
    if (id == PGEVT_CONNRESET) {
        struct prepared_set *set =
            PQinstanceData(((PGEventConnReset *)info)->conn, prepared_event);

        if (set != NULL)
            set->n = 0;
    } else if (id == PGEVT_CONNDESTROY) {
        free(PQinstanceData(((PGEventConnDestroy *)info)->conn, prepared_event));
    }
    return 1;
}

PGconn *db_connect(const struct config *c, int statement_timeout_ms)
{
    char conninfo[4096];
    char opts[128];
    PGconn *conn;
    PGresult *res;

    config_pg_conninfo(c, conninfo, sizeof(conninfo));
    conn = PQconnectdb(conninfo);
    explicit_bzero(conninfo, sizeof(conninfo)); /* it holds the password */
    if (PQstatus(conn) != CONNECTION_OK) {
        PQfinish(conn);
        return NULL;
    }
    /* without its set (out of memory) a connection still works, unprepared */
    if (PQregisterEventProc(conn, prepared_event, "epart-prepared", NULL))
        PQsetInstanceData(conn, prepared_event, calloc(1, sizeof(struct prepared_set)));
    snprintf(opts, sizeof(opts), "SET statement_timeout = %d", statement_timeout_ms);
    res = PQexec(conn, opts);
    PQclear(res);
    res = PQexec(conn, "SET TIME ZONE 'UTC'");
    PQclear(res);
    return conn;
}

bool db_ok(PGconn *conn)
{
    char probe;

    if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
        return false;
    /* a session cut by cut_if_read_only() (or by the server) reads EOF */
    if (PQsocket(conn) >= 0 && recv(PQsocket(conn), &probe, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
        return false;
    return true;
}

/* Only the server's message: it may quote a constraint, never parameters. */
static void log_failure(PGconn *conn, const PGresult *res)
{
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

    log_warn("db: %s", msg ? msg : PQerrorMessage(conn));
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
    if (sqlstate == NULL || strcmp(sqlstate, "23505") != 0)
        log_failure(conn, res);
    cut_if_read_only(conn, res);
    PQclear(res);
    return NULL;
}

PGresult *db_exec(PGconn *conn, const char *sql, int n, const char *const *params)
{
    return db_exec_state(conn, sql, n, params, NULL);
}

PGresult *db_exec_prepared(PGconn *conn, const char *sql, int n, const char *const *params)
{
    struct prepared_set *set = conn ? PQinstanceData(conn, prepared_event) : NULL;
    char name[24];
    int i = 0;
    PGresult *res;
    ExecStatusType st;

    if (set != NULL)
        while (i < set->n && set->sql[i] != sql)
            i++;
    /* a connection not opened by db_connect, or a full set: unprepared */
    if (set == NULL || i == PREPARED_MAX)
        return db_exec(conn, sql, n, params);
    snprintf(name, sizeof(name), "epart_%d", i);
    if (i == set->n) {
        res = PQprepare(conn, name, sql, n, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            log_failure(conn, res);
            PQclear(res);
            return NULL;
        }
        PQclear(res);
        set->sql[set->n++] = sql;
    }
    res = PQexecPrepared(conn, name, n, params, NULL, NULL, 0);
    st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    log_failure(conn, res);
    cut_if_read_only(conn, res);
    PQclear(res);
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
    /* documents are read on every GET: the fast path first (jsonfast.h),
     * Jansson for what it leaves (scalars, big numbers, duplicate keys) */
    j = json_fast_loadb(PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col), 64);
    if (j == NULL)
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
