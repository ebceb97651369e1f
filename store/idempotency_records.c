/*
 * idempotency_records.c — the statements of the table idempotency_records
 * (idempotency_records.h).
 */
#include "store/idempotency_records.h"

#include "store/store.h"

json_t *idempotency_records_get(PGconn *pg, const char *key, int ttl, bool *failed)
{
    *failed = false;
    return STORE_FETCH_JSON(pg, failed,
                            "SELECT record FROM idempotency_records WHERE key = $1 "
                            "AND created_at > now() - make_interval(secs => $2::int)",
                            key, STORE_INT(ttl));
}

int idempotency_records_put(PGconn *pg, const char *key, const char *record, const char *object,
                            int ttl)
{
    PGresult *row;
    int n = STORE_ROW(pg, &row,
                      "INSERT INTO idempotency_records AS r (key, record, object_id) "
                      "VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET record = "
                      "EXCLUDED.record, object_id = EXCLUDED.object_id, created_at = now() "
                      "WHERE r.created_at <= now() - make_interval(secs => $4::int) RETURNING 1",
                      key, record, object, STORE_INT(ttl));

    if (n == 1)
        PQclear(row);
    return n;
}

int idempotency_records_expire(PGconn *pg, int ttl)
{
    return STORE_CMD(pg,
                     "DELETE FROM idempotency_records "
                     "WHERE created_at <= now() - make_interval(secs => $1::int)",
                     STORE_INT(ttl));
}
