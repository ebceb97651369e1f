/*
 * retention.c — the purge pass of retention.h, run from the scanner's loop.
 *
 * The work is done by two SQL functions (sql/008_retention.sql) so that the
 * selection (SKIP LOCKED), the rewrite of the dossier, of its history details
 * and of its messages happen in one statement, hence one transaction: a worker
 * killed mid-pass leaves every dossier either whole or purged.
 *
 * The cut-off is the product's now (clock_now(), which the test clock sets)
 * minus the retention period, and purged_at is that now.
 */
#include "retention.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "calendar.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "worker.h"

#define PURGE_BATCH 200
#define PURGE_EVERY_S 60

static time_t last_real;    /* real clock at the last pass */
static time_t last_product; /* product clock at the last pass */
static int passes;
static int backlog;         /* the last pass filled a batch: go on next tick */

/* One purge statement; returns the rows purged (first column), or -1. */
static long long purge(PGconn *pg, const char *sql, const char *const params[3],
                       long long *messages)
{
    PGresult *res = db_exec(pg, sql, 3, params);
    long long n;

    if (res == NULL)
        return -1;
    n = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    if (messages != NULL && PQnfields(res) > 1 && PQntuples(res) == 1)
        *messages = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    PQclear(res);
    return n;
}

void retention_tick(PGconn *pg)
{
    time_t real = clock_real(), now = clock_now();
    char cutoff_s[32], now_s[32], limit_s[12];
    const char *params[3];
    long long dossiers, requests, messages = 0;

    if (passes > 0 && !backlog && real - last_real < PURGE_EVERY_S &&
        llabs((long long)(now - last_product)) < PURGE_EVERY_S)
        return;
    last_real = real;
    last_product = now;
    passes++;
    cal_format_instant(now - (time_t)g_config.retention_days * 86400, cutoff_s);
    cal_format_instant(now, now_s);
    snprintf(limit_s, sizeof(limit_s), "%d", PURGE_BATCH);
    params[0] = cutoff_s;
    params[1] = now_s;
    params[2] = limit_s;
    dossiers = purge(pg, "SELECT dossiers, messages FROM epart_purge_dossiers($1, $2, $3::int)",
                     params, &messages);
    requests = purge(pg, "SELECT epart_purge_requests($1, $2, $3::int)", params, NULL);
    backlog = dossiers >= PURGE_BATCH || requests >= PURGE_BATCH;
    /* counts only: never who */
    if (dossiers > 0 || requests > 0)
        log_info("retention: purged %lld dossier(s) (%lld message(s)) and %lld request(s) "
                 "closed before %s",
                 dossiers > 0 ? dossiers : 0, messages, requests > 0 ? requests : 0, cutoff_s);
}
