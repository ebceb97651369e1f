/*
 * api_clients.c — the statements of the table api_clients (api_clients.h).
 *
 * Why a file of its own: the clients' handlers, the token endpoint and the
 * set of revoked clients wrote these statements in two files; the table's
 * shape is now known here alone.
 */
#include "store/api_clients.h"

#include "db.h"
#include "store/store.h"

PGresult *api_clients_get(PGconn *pg, const char *client_id, const char *org)
{
    return STORE_EXEC(pg,
                      "SELECT client_id, org_id, name, epart_ts(created_at) "
                      "FROM api_clients WHERE client_id = $1 AND org_id = $2",
                      client_id, org);
}

PGresult *api_clients_insert(PGconn *pg, const char *client_id, const char *org,
                             const char *hash, const char *name, const char *at)
{
    return STORE_EXEC(pg,
                      "INSERT INTO api_clients (client_id, org_id, secret_hash, name, created_at) "
                      "VALUES ($1, $2, $3, $4, $5) RETURNING epart_ts(created_at)",
                      client_id, org, hash, name, at);
}

PGresult *api_clients_secret(PGconn *pg, const char *client_id)
{
    return STORE_EXEC(pg,
                      "SELECT secret_hash, org_id::text FROM api_clients "
                      "WHERE client_id = $1 AND revoked_at IS NULL",
                      client_id);
}

PGresult *api_clients_revoke(PGconn *pg, const char *client_id, const char *org,
                             const char *at)
{
    return STORE_EXEC(pg,
                      "UPDATE api_clients SET revoked_at = COALESCE(revoked_at, $3::timestamptz) "
                      "WHERE client_id = $1 AND org_id = $2::uuid RETURNING client_id",
                      client_id, org, at);
}

PGresult *api_clients_revoked_recently(PGconn *pg)
{
    return db_exec(pg,
                   "SELECT client_id FROM api_clients WHERE revoked_at IS NOT NULL "
                   "AND revoked_at > now() - interval '2 hours' ORDER BY client_id",
                   0, NULL);
}
