/*
 * retention.c — the statements of the retention purge (retention.h).
 */
#include "store/retention.h"

#include <stdlib.h>

#include "store/store.h"

/* The count of a purge's one row (column 0; column 1 into *second when
 * asked), or -1 when res is NULL (cleared here). */
static long long purged(PGresult *res, long long *second)
{
    long long n;

    if (res == NULL)
        return -1;
    n = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    if (second != NULL && PQnfields(res) > 1 && PQntuples(res) == 1)
        *second = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    PQclear(res);
    return n;
}

long long retention_purge_dossiers(PGconn *pg, const char *cutoff, const char *at, int limit,
                                   long long *messages)
{
    return purged(STORE_EXEC(pg,
                             "SELECT dossiers, messages FROM epart_purge_dossiers($1, $2, $3::int)",
                             cutoff, at, STORE_INT(limit)),
                  messages);
}

long long retention_purge_requests(PGconn *pg, const char *cutoff, const char *at, int limit)
{
    return purged(STORE_EXEC(pg, "SELECT epart_purge_requests($1, $2, $3::int)", cutoff, at,
                             STORE_INT(limit)),
                  NULL);
}

PGresult *redis_purge_queue_take(PGconn *pg, int limit)
{
    return STORE_EXEC(pg,
                      "SELECT object_id::text FROM redis_purge_queue ORDER BY queued_at "
                      "LIMIT $1::int",
                      STORE_INT(limit));
}

int redis_purge_queue_remove(PGconn *pg, const char *ids)
{
    return STORE_CMD(pg, "DELETE FROM redis_purge_queue WHERE object_id = ANY ($1::uuid[])", ids);
}
