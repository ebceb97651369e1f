/*
 * deadlines.c — the statements of the table deadlines (deadlines.h).
 *
 * Why a file of its own: the API (decisions, pieces requests, the services'
 * final statuses) and the worker (receipt, pieces, the scanner) each wrote
 * these statements, in six files; the table's shape is now known here alone.
 */
#include "store/deadlines.h"

#include <stdlib.h>

#include "store/store.h"

int deadlines_start(PGconn *pg, const char *type, const char *id, const char *org,
                    const char *caisse, const char *clock, const char *started_on,
                    const char *started_at, const char *due_at, const char *next_fire_at)
{
    return STORE_CMD(pg,
                     "INSERT INTO deadlines (object_type, object_id, org_id, caisse, clock, "
                     "started_on, started_at, due_at, next_fire_at) "
                     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                     "ON CONFLICT (object_type, object_id, clock) DO NOTHING",
                     type, id, org, caisse, clock, started_on, started_at, due_at, next_fire_at);
}

int deadlines_stop(PGconn *pg, const char *type, const char *id, const char *clock,
                   const char *at, struct deadline_stopped *out)
{
    PGresult *row;
    int n = STORE_ROW(pg, &row,
                      "UPDATE deadlines SET stopped_at = $4, next_fire_at = NULL "
                      "WHERE object_type = $1 AND object_id = $2 AND clock = $3 "
                      "AND stopped_at IS NULL "
                      "RETURNING epart_ts(due_at), fired_rank",
                      type, id, clock, at);

    if (n == 1) {
        out->due_at = 0;
        cal_parse_instant(PQgetvalue(row, 0, 0), &out->due_at);
        out->fired_rank = atoi(PQgetvalue(row, 0, 1));
        PQclear(row);
    }
    return n;
}

int deadlines_stop_all(PGconn *pg, const char *type, const char *id, const char *at)
{
    return STORE_CMD(pg,
                     "UPDATE deadlines SET stopped_at = $3, next_fire_at = NULL, "
                     "suspended_on = NULL "
                     "WHERE object_type = $1 AND object_id = $2 AND stopped_at IS NULL",
                     type, id, at);
}

int deadlines_suspend(PGconn *pg, const char *type, const char *id, const char *clock,
                      const char *on)
{
    return STORE_CMD(pg,
                     "UPDATE deadlines SET suspended_on = $4, next_fire_at = NULL "
                     "WHERE object_type = $1 AND object_id = $2 AND clock = $3 "
                     "AND stopped_at IS NULL",
                     type, id, clock, on);
}

int deadlines_lock(PGconn *pg, const char *type, const char *id, const char *clock,
                   cal_date *started_on, int *suspended_days)
{
    PGresult *row;
    int n = STORE_ROW(pg, &row,
                      "SELECT started_on, suspended_days FROM deadlines "
                      "WHERE object_type = $1 AND object_id = $2 AND clock = $3 "
                      "FOR UPDATE",
                      type, id, clock);

    if (n != 1)
        return n;
    n = cal_parse(PQgetvalue(row, 0, 0), started_on) ? 1 : 0;
    if (n == 1)
        *suspended_days = atoi(PQgetvalue(row, 0, 1));
    PQclear(row);
    return n;
}

int deadlines_restart(PGconn *pg, const char *type, const char *id, const char *clock,
                      const char *started_on, int suspended_days, const char *due_at,
                      const char *next_fire_at)
{
    return STORE_CMD(pg,
                     "UPDATE deadlines SET started_on = $4, suspended_days = $5::int, "
                     "due_at = $6, suspended_on = NULL, fired_rank = 0, next_fire_at = $7 "
                     "WHERE object_type = $1 AND object_id = $2 AND clock = $3",
                     type, id, clock, started_on, STORE_INT(suspended_days), due_at,
                     next_fire_at);
}

int deadlines_set_fired(PGconn *pg, const char *type, const char *id, const char *clock,
                        int rank)
{
    return STORE_CMD(pg,
                     "UPDATE deadlines SET fired_rank = $4::int "
                     "WHERE object_type = $1 AND object_id = $2 AND clock = $3",
                     type, id, clock, STORE_INT(rank));
}

PGresult *deadlines_due(PGconn *pg, const char *now, int limit)
{
    return STORE_EXEC(pg,
                      "SELECT e.id, e.object_type, e.object_id, e.org_id, e.caisse, e.clock, "
                      "       epart_ts(e.due_at), e.fired_rank, COALESCE(d.reference, r.reference) "
                      "FROM deadlines e "
                      "LEFT JOIN dossiers d ON e.object_type = 'dossier' AND d.id = e.object_id "
                      "LEFT JOIN requests r ON e.object_type <> 'dossier' AND r.id = e.object_id "
                      "WHERE e.next_fire_at IS NOT NULL AND e.next_fire_at <= $1 "
                      "ORDER BY e.next_fire_at LIMIT $2 FOR UPDATE OF e SKIP LOCKED",
                      now, STORE_INT(limit));
}

int deadlines_fired(PGconn *pg, const char *row_id, int rank, const char *next_fire_at)
{
    return STORE_CMD(pg,
                     "UPDATE deadlines SET fired_rank = $2::int, next_fire_at = $3 WHERE id = $1",
                     row_id, STORE_INT(rank), next_fire_at);
}
