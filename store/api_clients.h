/*
 * api_clients.h — the SQL of the table api_clients (SPEC §3: an
 * organisation's OAuth clients, their secrets kept as hashes), its one home:
 * the clients' handlers, the token endpoint and the API's set of revoked
 * clients (api/core/revocations.c) read and write it here. The conventions of
 * store/ are at the top of store/deadlines.h; client_id is an "epc_…" text.
 */
#ifndef EPART_STORE_API_CLIENTS_H
#define EPART_STORE_API_CLIENTS_H

#include <libpq-fe.h>

/* The client client_id of organisation org as (client_id, org_id, name,
 * created_at as epart_ts): one row, or none when org has no such client; NULL
 * on failure. The caller PQclear()s the result. */
PGresult *api_clients_get(PGconn *pg, const char *client_id, const char *org);

/* Create the client client_id of organisation org, its secret's hash and name
 * (NULL: none), at instant at: one row of its created_at (epart_ts), NULL on
 * failure. The caller PQclear()s the result. */
PGresult *api_clients_insert(PGconn *pg, const char *client_id, const char *org,
                             const char *hash, const char *name, const char *at);

/* The client client_id's (secret_hash, org_id) while it is not revoked: one
 * row, or none; NULL on failure. The caller PQclear()s the result. */
PGresult *api_clients_secret(PGconn *pg, const char *client_id);

/* Revoke the client client_id of organisation org at instant at (a revoked
 * client keeps its first instant): one row of its client_id, or none when org
 * has no such client; NULL on failure. The caller PQclear()s the result. */
PGresult *api_clients_revoke(PGconn *pg, const char *client_id, const char *org,
                             const char *at);

/* The client_id of the clients revoked in the last two hours (longer than a
 * token they could still hold lives), one a row in order; NULL on failure.
 * The caller PQclear()s the result. */
PGresult *api_clients_revoked_recently(PGconn *pg);

#endif
