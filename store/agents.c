/*
 * agents.c — the statements of the table agents (agents.h).
 *
 * Why a file of its own: the agents' handlers and the sign-in wrote these
 * statements, and each its own copy of the agent's document, in two files;
 * the table's shape is now known here alone.
 */
#include "store/agents.h"

#include "db.h"
#include "store/store.h"

/* The parameters $2..$9 of an insert or an update: the fields f. */
#define FIELDS(f)                                                                             \
    (f)->issuer, (f)->sub, (f)->email, (f)->name, (f)->role, (f)->org, (f)->caisse, (f)->active

json_t *agents_doc(PGconn *pg, const char *id, bool *failed)
{
    *failed = false;
    return STORE_FETCH_JSON(pg, failed, "SELECT " AGENTS_SQL_DOC " FROM agents a WHERE a.id = $1",
                            id);
}

json_t *agents_by_identity(PGconn *pg, const char *issuer, const char *sub, bool *failed)
{
    *failed = false;
    return STORE_FETCH_JSON(pg, failed,
                            "SELECT " AGENTS_SQL_DOC " FROM agents a WHERE a.issuer = $1 "
                            "AND a.sub = $2",
                            issuer, sub);
}

json_t *agents_by_email(PGconn *pg, const char *email, bool *failed)
{
    *failed = false;
    return STORE_FETCH_JSON(
        pg, failed, "SELECT " AGENTS_SQL_DOC " FROM agents a WHERE lower(a.email) = lower($1)",
        email);
}

json_t *agents_signed_in(PGconn *pg, const char *id, const char *issuer, const char *sub,
                         const char *at, bool *failed)
{
    *failed = false;
    return STORE_FETCH_JSON(pg, failed,
                            "UPDATE agents AS a SET issuer = $2, sub = $3, last_signin_at = $4,"
                            " version = a.version + CASE WHEN a.sub IS NULL THEN 1 ELSE 0 END "
                            "WHERE a.id = $1 AND a.active"
                            " AND (a.sub IS NULL OR (a.issuer = $2 AND a.sub = $3)) "
                            "RETURNING " AGENTS_SQL_DOC,
                            id, issuer, sub, at);
}

PGresult *agents_duplicate(PGconn *pg, const char *email, const char *issuer, const char *sub,
                           const char *self_id)
{
    return STORE_EXEC(pg,
                      "SELECT bool_or(lower(email) = lower($1)) FROM agents "
                      "WHERE ($4::uuid IS NULL OR id <> $4::uuid) "
                      "AND (lower(email) = lower($1) OR (issuer = $2 AND sub = $3))",
                      email, issuer, sub, self_id);
}

PGresult *agents_insert(PGconn *pg, const char *id, const struct agents_fields *f,
                        const char *at, char sqlstate[6])
{
    return STORE_EXEC_STATE(pg, sqlstate,
                            "INSERT INTO agents AS a (id, issuer, sub, email, name, role, org_id, "
                            "caisse, active, created_at, updated_at) "
                            "VALUES ($1, $2, $3, $4, $5, $6, $7::uuid, $8, $9, $10, $10) "
                            "ON CONFLICT DO NOTHING RETURNING " AGENTS_SQL_DOC, id, FIELDS(f), at);
}

PGresult *agents_update(PGconn *pg, const char *id, const struct agents_fields *f,
                        const char *at, const char *version, char sqlstate[6])
{
    return STORE_EXEC_STATE(pg, sqlstate,
                            "UPDATE agents AS a SET issuer = $2, sub = $3, email = $4, name = $5, "
                            "role = $6, org_id = $7::uuid, caisse = $8, active = $9, "
                            "updated_at = $10, version = a.version + 1 "
                            "WHERE a.id = $1 AND a.version = $11::int RETURNING " AGENTS_SQL_DOC,
                            id, FIELDS(f), at, version);
}

PGresult *agents_delete(PGconn *pg, const char *id, const char *version)
{
    return STORE_EXEC(pg, "WITH d AS (DELETE FROM agents WHERE id = $1 "
                      "  AND ($2::int IS NULL OR version = $2::int) RETURNING id) "
                      "SELECT (SELECT count(*) FROM d), "
                      "(SELECT count(*) FROM agents WHERE id = $1)",
                      id, version);
}
