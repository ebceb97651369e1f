/*
 * organisations.c — the statements of the table organisations
 * (organisations.h).
 *
 * Why a file of its own: the API's cache of organisations, their handlers and
 * the checks of an agent's and a webhook's organisation wrote these statements
 * in five files; the table's shape is now known here alone.
 */
#include "store/organisations.h"

#include "db.h"
#include "store/store.h"

/* The parameters $2..$9 of an insert or an update: the fields f. */
#define FIELDS(f)                                                                             \
    (f)->name, (f)->kind, (f)->siret, (f)->finess, (f)->caisse, (f)->ame_habilitation,        \
        (f)->convention, (f)->referent

int organisations_exists(PGconn *pg, const char *id)
{
    return STORE_EXISTS(pg, "SELECT 1 FROM organisations WHERE id = $1", id);
}

PGresult *organisations_caisse(PGconn *pg, const char *id, const char *caisse)
{
    return STORE_EXEC(pg,
                      "SELECT caisse FROM organisations WHERE id = $1 "
                      "AND ($2::text IS NULL OR caisse = $2)",
                      id, caisse);
}

json_t *organisations_doc(PGconn *pg, const char *id, bool *failed)
{
    *failed = false;
    return STORE_FETCH_JSON(pg, failed,
                            "SELECT " ORGANISATIONS_SQL_DOC " FROM organisations o WHERE o.id = $1",
                            id);
}

PGresult *organisations_all(PGconn *pg)
{
    return db_exec(pg, "SELECT " ORGANISATIONS_SQL_DOC " FROM organisations o ORDER BY o.seq", 0,
                   NULL);
}

PGresult *organisations_insert(PGconn *pg, const char *id, const struct organisations_fields *f,
                               const char *at)
{
    return STORE_EXEC(pg,
                      "INSERT INTO organisations AS o (id, name, kind, siret, finess, caisse, "
                      "ame_habilitation, convention, referent, created_at, updated_at) "
                      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $10) "
                      "RETURNING " ORGANISATIONS_SQL_DOC,
                      id, FIELDS(f), at);
}

PGresult *organisations_update(PGconn *pg, const char *id, const struct organisations_fields *f,
                               const char *at, const char *version)
{
    return STORE_EXEC(pg,
                      "UPDATE organisations AS o SET name = $2, kind = $3, siret = $4, "
                      "finess = $5, caisse = $6, ame_habilitation = $7, convention = $8::jsonb, "
                      "referent = $9::jsonb, updated_at = $10, version = o.version + 1 "
                      "WHERE o.id = $1 AND o.version = $11 RETURNING " ORGANISATIONS_SQL_DOC,
                      id, FIELDS(f), at, version);
}
