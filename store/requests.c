/*
 * requests.c — the statements of the tables requests and request_events
 * (requests.h).
 */
#include "store/requests.h"

#include "store/store.h"
#include "store/deadlines.h"

json_t *requests_doc(PGconn *pg, const char *id, const char *kind, const char *caisse,
                     bool *failed)
{
    *failed = false;
    return STORE_FETCH_JSON(pg, failed,
                            "SELECT epart_request_doc(r, true)::text FROM requests r "
                            "WHERE r.id = $1 AND r.kind = $2 "
                            "AND ($3::text IS NULL OR r.caisse = $3)",
                            id, kind, caisse);
}

PGresult *requests_lock(PGconn *pg, const char *id, const char *kind, const char *caisse)
{
    return STORE_EXEC(pg,
                      "SELECT status, version FROM requests WHERE id = $1 AND kind = $2 "
                      "AND caisse = $3 FOR UPDATE",
                      id, kind, caisse);
}

int requests_changed(PGconn *pg, const char *id, const char *at, const char *actor,
                     const char *from, const char *to, const char *detail)
{
    const char *p[6] = {id, to, at, actor, from, detail};

    if (db_cmd(pg,
               "UPDATE requests SET status = $2, version = version + 1, updated_at = $3 "
               "WHERE id = $1",
               3, p) < 0)
        return -1;
    return db_cmd(pg,
                  "INSERT INTO request_events (request_id, at, actor, from_status, to_status, "
                  "detail) VALUES ($1, $3, $4::jsonb, $5, $2, $6::jsonb)",
                  6, p);
}

PGresult *requests_list(PGconn *pg, const char *kind, const char *status, const char *org,
                        const char *caisse, bool by_due, const char *key_us, const char *key_id,
                        const char *limit)
{
    const char *p[7] = {key_us, key_id, limit, kind, status, org, caisse};

    if (by_due)
        return db_exec(
            pg,
            "SELECT epart_request_doc(r, false)::text, "
            "       (extract(epoch FROM k.due) * 1000000)::bigint, r.id "
            "FROM requests r "
            "CROSS JOIN LATERAL (SELECT " DEADLINES_SQL_NEXT_DUE("r.kind", "r.id") " AS due) k "
            "WHERE r.kind = $4 "
            "AND ($1::bigint IS NULL OR (k.due, r.id) > "
            "     (timestamptz 'epoch' + $1::bigint * interval '1 microsecond', $2::uuid)) "
            "AND ($5::text IS NULL OR r.status = $5) "
            "AND ($6::uuid IS NULL OR r.org_id = $6) "
            "AND ($7::text IS NULL OR r.caisse = $7) "
            "ORDER BY k.due ASC, r.id ASC LIMIT $3",
            7, p);
    return db_exec(pg,
                   "SELECT epart_request_doc(r, false)::text, "
                   "       (extract(epoch FROM r.created_at) * 1000000)::bigint, r.id "
                   "FROM requests r WHERE r.kind = $4 "
                   "AND ($1::bigint IS NULL OR (r.created_at, r.id) < "
                   "     (timestamptz 'epoch' + $1::bigint * interval '1 microsecond', $2::uuid)) "
                   "AND ($5::text IS NULL OR r.status = $5) "
                   "AND ($6::uuid IS NULL OR r.org_id = $6) "
                   "AND ($7::text IS NULL OR r.caisse = $7) "
                   "ORDER BY r.created_at DESC, r.id DESC LIMIT $3",
                   7, p);
}

PGresult *requests_counts(PGconn *pg, const char *kind, const char *org, const char *caisse,
                          const char *now)
{
    return STORE_EXEC(pg,
                      "SELECT r.status, count(*), count(*) FILTER (WHERE "
                      DEADLINES_SQL_BREACHED("r.kind", "r.id", "$4") ") "
                      "FROM requests r WHERE r.kind = $1 "
                      "AND ($2::uuid IS NULL OR r.org_id = $2) "
                      "AND ($3::text IS NULL OR r.caisse = $3) "
                      "GROUP BY r.status",
                      kind, org, caisse, now);
}
