/*
 * dossiers.c — the statements of the table dossiers (dossiers.h).
 *
 * Why a file of its own: the API's handlers (the head of a dossier, its
 * reads, lists, transitions) and the worker (receipt, pieces, messages) wrote
 * these statements in seven files; the table's shape is now known here alone.
 */
#include "store/dossiers.h"

#include <string.h>

#include "store/store.h"
#include "store/deadlines.h"

PGresult *dossiers_lock(PGconn *pg, const char *id, bool lock)
{
    return STORE_EXEC(pg,
                      lock ? "SELECT status, org_id, caisse, reference, "
                             "pieces_requested->>'requested_on', version "
                             "FROM dossiers WHERE id = $1 FOR UPDATE"
                           : "SELECT status, org_id, caisse, reference, "
                             "pieces_requested->>'requested_on', version "
                             "FROM dossiers WHERE id = $1",
                      id);
}

PGresult *dossiers_facts(PGconn *pg, const char *id, const char *caisse)
{
    return STORE_EXEC(pg,
                      "SELECT status, version, prestation, situation::text, pieces::text, "
                      "received_on, ame_deposit_on FROM dossiers "
                      "WHERE id = $1 AND ($2::text IS NULL OR caisse = $2) FOR UPDATE",
                      id, caisse);
}

int dossiers_exists(PGconn *pg, const char *id)
{
    return STORE_EXISTS(pg, "SELECT 1 FROM dossiers WHERE id = $1", id);
}

json_t *dossiers_doc(PGconn *pg, const char *id, const char *caisse, bool *failed)
{
    *failed = false;
    return STORE_FETCH_JSON(pg, failed,
                            "SELECT epart_dossier_doc(d, true)::text FROM dossiers d "
                            "WHERE d.id = $1 AND ($2::text IS NULL OR d.caisse = $2)",
                            id, caisse);
}

PGresult *dossiers_read(PGconn *pg, const char *id)
{
    /* prepared: the GET of a dossier is the hottest point read */
    return db_exec_prepared(pg,
                            "SELECT epart_dossier_fields(d, true)::text, "
                            "epart_deadlines_doc('dossier', d.id)::text, d.org_id, d.caisse, "
                            "d.version FROM dossiers d WHERE d.id = $1",
                            STORE_NPARAMS(id), STORE_PARAMS(id));
}

int dossiers_changed(PGconn *pg, const char *id, const char *at, const char *actor,
                     const char *from, const char *to, const char *detail)
{
    return STORE_CMD(pg, "SELECT epart_dossier_changed($1, $2, $3::jsonb, $4, $5, $6::jsonb)",
                     id, at, actor, from, to, detail);
}

int dossiers_set_received(PGconn *pg, const char *id, const char *on, const char *at)
{
    return STORE_CMD(pg, "UPDATE dossiers SET received_on = $2, received_at = $3 WHERE id = $1",
                     id, on, at);
}

int dossiers_set_pieces_requested(PGconn *pg, const char *id, const char *request)
{
    return STORE_CMD(pg, "UPDATE dossiers SET pieces_requested = $2::jsonb WHERE id = $1", id,
                     request);
}

int dossiers_add_pieces(PGconn *pg, const char *id, const char *pieces)
{
    return STORE_CMD(pg, "UPDATE dossiers SET pieces = pieces || $2::jsonb WHERE id = $1", id,
                     pieces);
}

int dossiers_set_pre_instruction(PGconn *pg, const char *id, const char *pre)
{
    return STORE_CMD(pg, "UPDATE dossiers SET pre_instruction = $2::jsonb WHERE id = $1", id, pre);
}

int dossiers_set_decision(PGconn *pg, const char *id, const char *decision, const char *rights,
                          const char *simulation, const char *decided_on)
{
    return STORE_CMD(pg,
                     "UPDATE dossiers SET decision = $2::jsonb, rights = $3::jsonb, "
                     "simulation = $4::jsonb, decided_on = $5 WHERE id = $1",
                     id, decision, rights, simulation, decided_on);
}

/* The list's filter, $1..$6 in the order of DOSSIERS_FILTER_N (dossiers.h). */
#define DOSSIERS_WHERE                                                                         \
    "($1::text IS NULL OR d.status = $1) "                                                     \
    "AND ($2::text IS NULL OR d.prestation = $2) "                                             \
    "AND ($3::timestamptz IS NULL OR " DEADLINES_SQL_BREACHED("'dossier'", "d.id", "$3") ") " \
    "AND ($4::uuid IS NULL OR d.org_id = $4) "                                                 \
    "AND ($5::text IS NULL OR d.caisse = $5) "                                                 \
    "AND ($6::text IS NULL OR strpos(d.reference, upper($6)) > 0) "

/* The columns of a list's row after its sort key, from LIST_ID on (dossiers.h). */
#define DOSSIERS_LIST_COLS                                                                      \
    "d.id, o.name, epart_deadlines_doc('dossier', d.id)::text, d.reference, d.prestation, "    \
    "d.status, to_char(d.received_on, 'YYYY-MM-DD'), to_char(d.decided_on, 'YYYY-MM-DD') "

PGresult *dossiers_list(PGconn *pg, const char *const filter[DOSSIERS_FILTER_N], bool by_due,
                        const char *key_us, const char *key_id, const char *limit)
{
    const char *p[DOSSIERS_FILTER_N + 3];

    memcpy(p, filter, DOSSIERS_FILTER_N * sizeof(*p));
    p[DOSSIERS_FILTER_N] = key_us;
    p[DOSSIERS_FILTER_N + 1] = key_id;
    p[DOSSIERS_FILTER_N + 2] = limit;
    if (!by_due)
        return db_exec(
            pg,
            "SELECT epart_dossier_fields(d, false)::text, "
            "       (extract(epoch FROM d.created_at) * 1000000)::bigint, " DOSSIERS_LIST_COLS
            "FROM dossiers d LEFT JOIN organisations o ON o.id = d.org_id "
            "WHERE " DOSSIERS_WHERE
            "AND ($7::bigint IS NULL OR (d.created_at, d.id) < "
            "     (timestamptz 'epoch' + $7::bigint * interval '1 microsecond', $8::uuid)) "
            "ORDER BY d.created_at DESC, d.id DESC LIMIT $9",
            9, p);
    return db_exec(
        pg,
        "SELECT epart_dossier_fields(d, false)::text, "
        "       (extract(epoch FROM k.due) * 1000000)::bigint, " DOSSIERS_LIST_COLS
        "FROM dossiers d LEFT JOIN organisations o ON o.id = d.org_id "
        "CROSS JOIN LATERAL (SELECT " DEADLINES_SQL_NEXT_DUE("'dossier'", "d.id") " AS due) k "
        "WHERE " DOSSIERS_WHERE
        "AND ($7::bigint IS NULL OR (k.due, d.id) > "
        "     (timestamptz 'epoch' + $7::bigint * interval '1 microsecond', $8::uuid)) "
        "ORDER BY k.due ASC, d.id ASC LIMIT $9",
        9, p);
}

PGresult *dossiers_counts(PGconn *pg, const char *const filter[DOSSIERS_FILTER_N],
                          const char *now)
{
    const char *p[DOSSIERS_FILTER_N + 1];

    memcpy(p, filter, DOSSIERS_FILTER_N * sizeof(*p));
    p[DOSSIERS_FILTER_N] = now;
    return db_exec(pg,
                   "SELECT d.status, count(*), count(*) FILTER (WHERE "
                   DEADLINES_SQL_BREACHED("'dossier'", "d.id", "$7") ") "
                   "FROM dossiers d WHERE " DOSSIERS_WHERE "GROUP BY d.status",
                   7, p);
}
