/*
 * deadlines.c — the statements of the table deadlines (deadlines.h).
 *
 * Why a file of its own: the API (decisions, pieces requests, the services'
 * final statuses) and the worker (receipt, pieces, the scanner) each wrote
 * these statements, in six files; the table's shape is now known here alone.
 */
#include "store/deadlines.h"

#include <stdio.h>
#include <stdlib.h>

#include "db.h"

int deadlines_start(PGconn *pg, const char *type, const char *id, const char *org,
                    const char *caisse, const char *clock, const char *started_on,
                    const char *started_at, const char *due_at, const char *next_fire_at)
{
    const char *p[9] = {type, id, org, caisse, clock, started_on, started_at, due_at, next_fire_at};

    return db_cmd(pg,
                  "INSERT INTO deadlines (object_type, object_id, org_id, caisse, clock, "
                  "started_on, started_at, due_at, next_fire_at) "
                  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                  "ON CONFLICT (object_type, object_id, clock) DO NOTHING",
                  9, p);
}

int deadlines_stop(PGconn *pg, const char *type, const char *id, const char *clock,
                   const char *at, struct deadline_stopped *out)
{
    const char *p[4] = {type, id, clock, at};
    PGresult *res = db_exec(pg,
                            "UPDATE deadlines SET stopped_at = $4, next_fire_at = NULL "
                            "WHERE object_type = $1 AND object_id = $2 AND clock = $3 "
                            "AND stopped_at IS NULL "
                            "RETURNING epart_ts(due_at), fired_rank",
                            4, p);
    int n;

    if (res == NULL)
        return -1;
    n = PQntuples(res) == 1 ? 1 : 0;
    if (n == 1) {
        out->due_at = 0;
        cal_parse_instant(PQgetvalue(res, 0, 0), &out->due_at);
        out->fired_rank = atoi(PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    return n;
}

int deadlines_stop_all(PGconn *pg, const char *type, const char *id, const char *at)
{
    const char *p[3] = {type, id, at};

    return db_cmd(pg,
                  "UPDATE deadlines SET stopped_at = $3, next_fire_at = NULL, suspended_on = NULL "
                  "WHERE object_type = $1 AND object_id = $2 AND stopped_at IS NULL",
                  3, p);
}

int deadlines_suspend(PGconn *pg, const char *type, const char *id, const char *clock,
                      const char *on)
{
    const char *p[4] = {type, id, clock, on};

    return db_cmd(pg,
                  "UPDATE deadlines SET suspended_on = $4, next_fire_at = NULL "
                  "WHERE object_type = $1 AND object_id = $2 AND clock = $3 "
                  "AND stopped_at IS NULL",
                  4, p);
}

int deadlines_lock(PGconn *pg, const char *type, const char *id, const char *clock,
                   cal_date *started_on, int *suspended_days)
{
    const char *p[3] = {type, id, clock};
    PGresult *res = db_exec(pg,
                            "SELECT started_on, suspended_days FROM deadlines "
                            "WHERE object_type = $1 AND object_id = $2 AND clock = $3 "
                            "FOR UPDATE",
                            3, p);
    int n = 0;

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 1 && cal_parse(PQgetvalue(res, 0, 0), started_on)) {
        *suspended_days = atoi(PQgetvalue(res, 0, 1));
        n = 1;
    }
    PQclear(res);
    return n;
}

int deadlines_restart(PGconn *pg, const char *type, const char *id, const char *clock,
                      const char *started_on, int suspended_days, const char *due_at,
                      const char *next_fire_at)
{
    char days[12];
    const char *p[7] = {type, id, clock, started_on, days, due_at, next_fire_at};

    snprintf(days, sizeof(days), "%d", suspended_days);
    return db_cmd(pg,
                  "UPDATE deadlines SET started_on = $4, suspended_days = $5::int, "
                  "due_at = $6, suspended_on = NULL, fired_rank = 0, next_fire_at = $7 "
                  "WHERE object_type = $1 AND object_id = $2 AND clock = $3",
                  7, p);
}

int deadlines_set_fired(PGconn *pg, const char *type, const char *id, const char *clock,
                        int rank)
{
    char rank_s[12];
    const char *p[4] = {type, id, clock, rank_s};

    snprintf(rank_s, sizeof(rank_s), "%d", rank);
    return db_cmd(pg,
                  "UPDATE deadlines SET fired_rank = $4::int "
                  "WHERE object_type = $1 AND object_id = $2 AND clock = $3",
                  4, p);
}

PGresult *deadlines_due(PGconn *pg, const char *now, int limit)
{
    char limit_s[12];
    const char *p[2] = {now, limit_s};

    snprintf(limit_s, sizeof(limit_s), "%d", limit);
    return db_exec(pg,
                   "SELECT e.id, e.object_type, e.object_id, e.org_id, e.caisse, e.clock, "
                   "       epart_ts(e.due_at), e.fired_rank, COALESCE(d.reference, r.reference) "
                   "FROM deadlines e "
                   "LEFT JOIN dossiers d ON e.object_type = 'dossier' AND d.id = e.object_id "
                   "LEFT JOIN requests r ON e.object_type <> 'dossier' AND r.id = e.object_id "
                   "WHERE e.next_fire_at IS NOT NULL AND e.next_fire_at <= $1 "
                   "ORDER BY e.next_fire_at LIMIT $2 FOR UPDATE OF e SKIP LOCKED",
                   2, p);
}

int deadlines_fired(PGconn *pg, const char *row_id, int rank, const char *next_fire_at)
{
    char rank_s[12];
    const char *p[3] = {row_id, rank_s, next_fire_at};

    snprintf(rank_s, sizeof(rank_s), "%d", rank);
    return db_cmd(pg, "UPDATE deadlines SET fired_rank = $2::int, next_fire_at = $3 WHERE id = $1",
                  3, p);
}
