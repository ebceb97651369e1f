/*
 * demandes.c — GET /v1/demandes?kind=&status=&overdue=&org=&cursor=&limit=:
 * every request of the caller's scope in one list ("Mes demandes" of a
 * partner, SPEC §12): dossiers (§4), signalements, rendez-vous and document
 * requests (§8), newest first by creation then id, keyset-paged like every
 * list (§2).
 *
 * Why one operation: the page would otherwise merge four paged lists itself,
 * and no cursor could then say where the next page starts. The query
 * (store/demandes.h) pages each table with the same key and limit and merges
 * them.
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
#include "jsonutil.h"
#include "request_kinds.h"
#include "uuidv.h"
#include "store/demandes.h"
#include "core/dbpool.h"
#include "support/audit.h"
#include "support/listing.h"
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

static bool kind_ok(struct call *c, const char *v)
{
    (void)c;
    return kind_valid(v);
}

/* the status of the kind asked for, or of any kind (two messages, one filter) */
static bool status_of_kind(struct call *c, const char *v)
{
    const char *kind = call_query(c, "kind");

    return kind == NULL || status_of(kind_valid(kind) ? kind : NULL, v);
}

static bool status_of_any(struct call *c, const char *v)
{
    return call_query(c, "kind") != NULL || status_of(NULL, v);
}

static const struct list_param filters[] = {
    {"kind", NULL, kind_ok, "invalid_enum",
     "kind doit valoir dossier, signalement, rendez_vous ou demande_document.", 0},
    {"status", NULL, status_of_kind, "invalid_enum", "Statut inconnu pour ce type de demande.", 0},
    {"status", NULL, status_of_any, "invalid_enum", "Statut inconnu.", 0},
    {"overdue", list_booleans, NULL, "invalid_type", "overdue doit valoir true ou false.", 0},
    {"org", NULL, list_is_uuid, "invalid_format", "org doit être un identifiant UUID.", 0},
    {NULL}};

/* each item journaled as its own kind (SPEC §10) */
static const struct list demandes = {
    .params = filters,
    .sql = DEMANDES_SQL_LIST(PAGE_SORT_US("u.created_at"), PAGE_BEFORE("d.created_at", "d.id"),
                             PAGE_BEFORE("r.created_at", "r.id")),
    .nparams = DEMANDES_LIST_NPARAMS,
    .fix = finish_item,
    .journal = LIST_JOURNAL_KIND,
};

void h_demandes_list(struct call *c, struct db *db)
{
    const char *overdue = call_query(c, "overdue");
    const char *params[DEMANDES_LIST_NPARAMS];
    char now[40];
    struct page p;

    if (!list_begin(c, &demandes, &p, params))
        return;
    params[DEMANDES_LIST_KIND] = call_query(c, "kind");
    params[DEMANDES_LIST_STATUS] = call_query(c, "status");
    /* the caller's scope narrows whatever filter was asked */
    list_scope(c, call_query(c, "org"), &params[DEMANDES_LIST_ORG],
               &params[DEMANDES_LIST_CAISSE]);
    params[DEMANDES_LIST_BREACHED_AT] = (overdue != NULL && strcmp(overdue, "true") == 0)
                                            ? db_ts(clock_now_us(), now, sizeof(now))
                                            : NULL;
    list_end(c, db, &demandes, &p, params);
}

