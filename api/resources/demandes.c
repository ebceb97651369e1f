/*
 * demandes.c — GET /v1/demandes?kind=&status=&overdue=&org=&cursor=&limit=:
 * every request of the caller's scope in one list ("Mes demandes" of a
 * partner, SPEC §12): dossiers (§4), signalements, rendez-vous and document
 * requests (§8), newest first by creation then id, keyset-paged like every
 * list (§2).
 *
 * Why one operation: the page would otherwise merge four paged lists itself,
 * and no cursor could then say where the next page starts. The query pages
 * each table with the same key and limit and merges them, so a page costs two
 * index scans of limit + 1 rows however deep it is.
 *
 * Items are summaries (sql/functions/20_demandes.sql): kind, id, reference, status,
 * path of the whole document, the person's name, what is asked and the
 * clocks with their state; the person's other data stays behind GET of the
 * request. The journal gets one row per item returned (§10).
 *
 * Filters: kind ∈ dossier, signalement, rendez_vous, demande_document;
 * status must be a status of that kind, or of some kind when kind is absent;
 * overdue=true keeps the requests with a clock breached. Scope: a partner sees
 * its organisation, an instructor its caisse, an admin everything (?org=).
 */
#include <string.h>

#include "clock.h"
#include "db.h"
#include "dossier_doc.h"
#include "dossier_life.h"
#include "dossier_valid.h"
#include "fielderr.h"
#include "jsonutil.h"
#include "request_kinds.h"
#include "uuidv.h"
#include "store/deadlines.h"
#include "core/dbpool.h"
#include "support/audit.h"
#include "support/paging.h"
#include "resources/handlers.h"

/* The kinds of GET /v1/demandes: "dossier", then those of the request table. */
static bool kind_valid(const char *kind)
{
    return strcmp(kind, "dossier") == 0 || request_kind_named(kind) != NULL;
}

/* True when status is a status of kind (of any kind when kind is NULL). */
static bool status_of(const char *kind, const char *status)
{
    if (kind == NULL || strcmp(kind, "dossier") == 0)
        if (dossier_status_known(status))
            return true;
    for (size_t i = 0; i < REQUEST_KIND_COUNT; i++)
        if ((kind == NULL || strcmp(kind, request_kinds[i].kind) == 0) &&
            request_status_known(&request_kinds[i], status))
            return true;
    return false;
}

static void finish_item(json_t *doc, void *arg)
{
    (void)arg;
    dossier_doc_finish(doc, clock_now(), &g_config);
}

void h_demandes_list(struct call *c, struct db *db)
{
    const char *kind = call_query(c, "kind");
    const char *status = call_query(c, "status");
    const char *overdue = call_query(c, "overdue");
    const char *org = call_query(c, "org");
    json_t *errors = json_array(), *page, *item;
    const char *params[8];
    char now[40];
    struct page p;
    PGresult *res;
    size_t i;

    page_parse(c, &p, errors, PAGE_KEY_UUID);
    if (kind != NULL && !kind_valid(kind))
        fielderr_add(errors, "kind", "invalid_enum",
                     "kind doit valoir dossier, signalement, rendez_vous ou demande_document.");
    if (status != NULL && !status_of(kind != NULL && kind_valid(kind) ? kind : NULL, status))
        fielderr_add(errors, "status", "invalid_enum",
                     kind != NULL ? "Statut inconnu pour ce type de demande." : "Statut inconnu.");
    if (overdue != NULL && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0)
        fielderr_add(errors, "overdue", "invalid_type", "overdue doit valoir true ou false.");
    if (org != NULL && !uuid_valid(org))
        fielderr_add(errors, "org", "invalid_format", "org doit être un identifiant UUID.");
    if (json_array_size(errors) > 0) {
        call_set_problem(c, 422, "Requête invalide", "Paramètres de liste invalides.", errors);
        return;
    }
    json_decref(errors);
    params[0] = page_ts_param(&p);
    params[1] = page_key_param(&p);
    params[2] = page_limit_param(&p);
    params[3] = kind;
    params[4] = status;
    /* the caller's scope narrows whatever filter was asked */
    params[5] = c->who.role == ROLE_PARTNER ? c->who.org : org;
    params[6] = c->who.role == ROLE_INSTRUCTOR ? c->who.caisse : NULL;
    params[7] = (overdue != NULL && strcmp(overdue, "true") == 0)
                    ? db_ts(clock_now_us(), now, sizeof(now))
                    : NULL;
    res = db_exec(
        db->pg,
        "SELECT u.doc::text, (extract(epoch FROM u.created_at) * 1000000)::bigint, u.id FROM ("
        " (SELECT epart_demande_dossier_item(d) AS doc, d.created_at, d.id FROM dossiers d"
        "  WHERE ($4::text IS NULL OR $4 = 'dossier')"
        "  AND ($1::bigint IS NULL OR (d.created_at, d.id) < "
        "       (timestamptz 'epoch' + $1::bigint * interval '1 microsecond', $2::uuid))"
        "  AND ($5::text IS NULL OR d.status = $5)"
        "  AND ($6::uuid IS NULL OR d.org_id = $6)"
        "  AND ($7::text IS NULL OR d.caisse = $7)"
        "  AND ($8::timestamptz IS NULL OR " DEADLINES_SQL_BREACHED("'dossier'", "d.id", "$8") ")"
        "  ORDER BY d.created_at DESC, d.id DESC LIMIT $3)"
        " UNION ALL"
        " (SELECT epart_demande_request_item(r), r.created_at, r.id FROM requests r"
        "  WHERE ($4::text IS NULL OR r.kind = $4)"
        "  AND ($1::bigint IS NULL OR (r.created_at, r.id) < "
        "       (timestamptz 'epoch' + $1::bigint * interval '1 microsecond', $2::uuid))"
        "  AND ($5::text IS NULL OR r.status = $5)"
        "  AND ($6::uuid IS NULL OR r.org_id = $6)"
        "  AND ($7::text IS NULL OR r.caisse = $7)"
        "  AND ($8::timestamptz IS NULL OR " DEADLINES_SQL_BREACHED("r.kind", "r.id", "$8") ")"
        "  ORDER BY r.created_at DESC, r.id DESC LIMIT $3)"
        ") u ORDER BY u.created_at DESC, u.id DESC LIMIT $3",
        8, params);
    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return;
    }
    page = page_result(res, &p, 0, 1, 2, finish_item, NULL);
    PQclear(res);
    json_array_foreach(json_object_get(page, "items"), i, item)
        audit_record(c, "list", json_str(item, "kind"), json_str(item, "id"));
    call_set_json(c, 200, page);
}

