/*
 * scanner.c — the deadline scanner (SPEC §6): fires each warning and each breach
 * of every running deadline exactly once.
 *
 * Every tick (at least once a second) it takes the deadlines whose next
 * threshold is reached (deadlines_due(), store/deadlines.h) — next_fire_at <=
 * now, on the partial index deadlines_to_fire that holds only deadlines with
 * something left to fire, so the cost does not grow with closed dossiers —
 * locks them with FOR UPDATE SKIP LOCKED so that concurrent scanners share the
 * work instead of repeating it, and in the same transaction inserts the most
 * severe threshold passed (common/deadline.h), raises the deadline's
 * fired_rank and moves next_fire_at on. A scanner killed mid-tick
 * commits nothing; the unique key of alerts makes a second insert of the same
 * (object, clock, threshold, due time) a no-op whatever happens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "clock.h"
#include "db.h"
#include "deadline.h"
#include "dossier_doc.h"
#include "jsonutil.h"
#include "log.h"
#include "retention.h"
#include "worker.h"
#include "store/alerts.h"
#include "store/deadlines.h"

#define SCAN_BATCH 500
#define TICK_MS 250

/* A clock no setting names (none in the schema today) gets no warning: its
 * breach alone, at its due time. */
static const struct clock_leads no_leads;

/* Fire what is due on one deadline (row i of deadlines_due()'s res). Returns 1
 * when an alert was raised, 0 when nothing was due, -1 on error. */
static int fire_one(PGconn *pg, PGresult *res, int i, time_t now)
{
    const char *id = PQgetvalue(res, i, DUE_ROW_ID);
    const char *clock = PQgetvalue(res, i, DUE_CLOCK);
    const struct clock_leads *leads = dossier_doc_leads(&g_config, clock);
    time_t due = 0, next;
    int fired = atoi(PQgetvalue(res, i, DUE_FIRED));
    int rank;
    char next_s[32], now_s[32], lead_s[32];
    const char *next_p = NULL;
    bool raised = false;

    if (leads == NULL)
        leads = &no_leads;
    cal_parse_instant(PQgetvalue(res, i, DUE_AT), &due);
    rank = deadline_rank_at(due, leads, now);
    if (rank > fired) {
        bool breach = deadline_is_breach(leads, rank);
        json_t *alerts;
        char *alerts_s;
        const struct alerts_object o = {
            PQgetvalue(res, i, DUE_TYPE), PQgetvalue(res, i, DUE_OBJECT_ID),
            PQgetvalue(res, i, DUE_ORG), PQgetvalue(res, i, DUE_CAISSE),
            db_value(res, i, DUE_REFERENCE)};

        cal_format_instant(now, now_s);
        if (!breach)
            config_format_lead(leads->seconds[rank - 1], lead_s, sizeof(lead_s));
        alerts = json_pack("[{s:s, s:s, s:o, s:s, s:s}]", "clock", clock, "level",
                           breach ? "breach" : "warning", "lead",
                           breach ? json_null() : json_string(lead_s), "due_at",
                           PQgetvalue(res, i, DUE_AT), "fired_at", now_s);
        alerts_s = json_text(alerts);
        json_decref(alerts);
        if (alerts_insert(pg, &o, alerts_s) < 0) {
            free(alerts_s);
            return -1;
        }
        free(alerts_s);
        fired = rank;
        raised = true;
    }
    next = deadline_next_fire(due, leads, fired);
    if (next != (time_t)-1)
        next_p = cal_format_instant(next, next_s);
    if (deadlines_fired(pg, id, fired, next_p) < 0)
        return -1;
    return raised ? 1 : 0;
}

/* One pass over what is due. Returns the number of deadlines looked at, or -1. */
static int tick(PGconn *pg)
{
    time_t now;
    char now_s[32];
    PGresult *res;
    int n, raised = 0;

    clock_sync();
    now = clock_now();
    cal_format_instant(now, now_s);
    if (db_begin(pg) < 0)
        return -1;
    res = deadlines_due(pg, now_s, SCAN_BATCH);
    if (res == NULL) {
        db_rollback(pg);
        return -1;
    }
    n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        int r = fire_one(pg, res, i, now);

        if (r < 0) {
            PQclear(res);
            db_rollback(pg);
            return -1;
        }
        raised += r;
    }
    PQclear(res);
    if (db_commit(pg) < 0)
        return -1;
    if (raised > 0)
        log_info("scanner: %d alert(s) raised", raised);
    return n;
}

void *scanner_main(void *arg)
{
    PGconn *pg = NULL;

    (void)arg;
    while (!atomic_load(&g_stop)) {
        int n;

        if (!db_ok(pg)) {
            if (pg != NULL)
                PQfinish(pg);
            pg = db_connect(&g_config, 10000);
            if (pg == NULL) {
                worker_sleep_ms(500);
                continue;
            }
        }
        n = tick(pg);
        retention_tick(pg); /* at most once a minute (retention.h) */
        /* a full batch means more is due: go on at once */
        if (n < SCAN_BATCH)
            worker_sleep_ms(TICK_MS);
    }
    if (pg != NULL)
        PQfinish(pg);
    return NULL;
}
