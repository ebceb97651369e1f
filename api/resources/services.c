/*
 * services.c — the other Espace Partenaires services (SPEC §8), which follow
 * the dossier's pattern: signalements to the Mission accompagnement santé
 * (/v1/signalements), rendez-vous (/v1/rendez-vous) and document requests
 * (/v1/demandes-document).
 *
 * A partner's request is queued (202, acknowledged at once with its reference)
 * and persisted by a worker; it is read and listed within the caller's scope
 * and moved along its statuses by the caisse's instructors with
 * POST /{id}/transitions {"action": "<target status>"}. The 48-hour clock of a
 * signalement runs until it is taken in charge, the 24-hour clock of a
 * rendez-vous until the person is called back: any move out of the first status
 * stops it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "clock.h"
#include "db.h"
#include "dossier_doc.h"
#include "fielderr.h"
#include "request_kinds.h"
#include "request_valid.h"
#include "secret_hash.h"
#include "uuidv.h"
#include "store/deadlines.h"
#include "store/requests.h"
#include "core/auth.h"
#include "core/dbpool.h"
#include "support/audit.h"
#include "support/dossier_head.h"
#include "core/idempotency.h"
#include "support/ingest.h"
#include "support/listing.h"
#include "support/paging.h"
#include "resources/handlers.h"

/* ---- POST (queued) ------------------------------------------------------------ */

void h_request_create(struct call *c)
{
    const struct request_kind *k = c->route->arg;
    json_t *errors;
    char type[48];

    errors = json_array();
    if (k->validate(c->json, clock_today(), errors) > 0) {
        ingest_reply_invalid(c, errors);
        return;
    }
    json_decref(errors);
    snprintf(type, sizeof(type), "%s.create", k->kind);
    {
        struct stream_meta m = {0};

        snprintf(m.kind, sizeof(m.kind), "%s", k->kind);
        ingest_create(c, type, k->ref_prefix, k->path, k->initial, &m);
    }
}

/* ---- GET one --------------------------------------------------------------------- */

/* The document of a request still in the queue, from its pending record. */
static json_t *pending_request(struct db *db, const void *arg, const char *id)
{
    const struct request_kind *k = arg;
    struct stream_meta m;
    json_t *body, *doc = NULL;

    if (ingest_pending(db_redis(db), id, &m, &body) && json_is_object(body) &&
        strcmp(m.kind, k->kind) == 0) {
        doc = json_deep_copy(body);
        stream_meta_doc(&m, doc);
        json_object_set_new(doc, "version", json_integer(1));
        json_object_set_new(doc, "history", json_array());
        json_object_set_new(doc, "deadlines", json_array());
        json_object_set_new(doc, "queued", json_true());
    }
    json_decref(body);
    return doc;
}

/* The request from PostgreSQL (document_show's stored read). */
static json_t *stored_request(struct db *db, const void *arg, const char *id, bool *failed)
{
    const struct request_kind *k = arg;

    return requests_doc(db->pg, id, k->kind, NULL, failed);
}

void h_request_get(struct call *c, struct db *db)
{
    const struct request_kind *k = c->route->arg;

    document_show(c, db, stored_request, pending_request, k, k->kind);
}

/* ---- GET list ----------------------------------------------------------------------- */

static void fix_listed(json_t *doc, void *arg)
{
    (void)arg;
    dossier_doc_finish(doc, clock_now(), &g_config);
}

static bool status_ok(struct call *c, const char *v)
{
    return request_status_known(c->route->arg, v);
}

static const char *const sorts[] = {"due", "created", NULL};

static const struct list_param list_filters[] = {
    {"status", NULL, status_ok, "invalid_enum", "Statut inconnu.", 0},
    {"org", NULL, list_is_uuid, "invalid_format", "org doit être un identifiant UUID.", 0},
    {"sort", sorts, NULL, "invalid_enum", "sort doit valoir created ou due.", 0},
    {NULL}};

/* one row per request returned: whose data was read (SPEC §10); the query is
 * store/requests.c's (by creation, or by next due time) */
static const struct list requests_listed = {
    .params = list_filters,
    .fix = fix_listed,
    .journal = LIST_JOURNAL_AS,
    .own_keyset = true,
};

void h_request_list(struct call *c, struct db *db)
{
    const struct request_kind *k = c->route->arg;
    const char *sort = call_query(c, "sort");
    struct list l = requests_listed;
    struct page p;
    const char *org, *caisse;

    if (!list_begin(c, &l, &p, NULL))
        return;
    l.object_type = k->kind;
    list_scope(c, call_query(c, "org"), &org, &caisse);
    list_answer(c, &l, &p,
                requests_list(db->pg, k->kind, call_query(c, "status"), org, caisse,
                              sort != NULL && strcmp(sort, "due") == 0, page_ts_param(&p),
                              page_key_param(&p), page_limit_param(&p)));
}

/* ---- GET /counts ------------------------------------------------------------------------ */

/* How many requests of the kind, in the caller's scope (and ?org), are in each
 * of its statuses, and how many are late: the tabs of the back office's lists
 * (SPEC §12). Counts only: nothing personal, nothing journaled. */
void h_request_counts(struct call *c, struct db *db)
{
    const struct request_kind *k = c->route->arg;
    const char *org = call_query(c, "org");
    json_t *errors = json_array();
    json_t *by_status;
    char now[40];
    PGresult *res;

    if (org != NULL && !uuid_valid(org))
        fielderr_add(errors, "org", "invalid_format", "org doit être un identifiant UUID.");
    if (json_array_size(errors) > 0) {
        call_set_problem(c, 422, "Requête invalide", "Paramètres invalides.", errors);
        return;
    }
    json_decref(errors);
    res = requests_counts(db->pg, k->kind, c->who.role == ROLE_PARTNER ? c->who.org : org,
                          c->who.role == ROLE_INSTRUCTOR ? c->who.caisse : NULL,
                          db_ts(clock_now_us(), now, sizeof(now)));
    by_status = json_object();
    json_object_set_new(by_status, k->initial, json_integer(0));
    for (const struct request_edge *e = k->edges; e->from != NULL; e++)
        json_object_set_new(by_status, e->to, json_integer(0));
    list_counts(c, res, by_status);
}

/* ---- POST /{id}/transitions ----------------------------------------------------------- */

/* A replayed transition shows the request as it is now, read in the caller's
 * caisse, and journals the read (idem_reread_fn). */
bool h_request_reread(struct call *c, struct db *db, const char *id)
{
    const struct request_kind *k = c->route->arg;
    bool failed = false;
    json_t *doc = requests_doc(db->pg, id, k->kind, c->who.caisse, &failed);

    return reread_shown(c, doc, failed, k->kind, id);
}

/* The request a transition works on, locked until the job's COMMIT. */
struct locked {
    char status[32];
    int version;
    const char *to;   /* the target status, in c->json (h_request_transition_check) */
};

/* .load of a transition: the request of the caller's caisse, its row locked
 * in the transaction begun here (the job commits it; the dispatcher rolls it
 * back otherwise), kept in c->ctx. */
bool h_request_lock(struct call *c, struct db *db)
{
    const struct request_kind *k = c->route->arg;
    struct locked *l;
    PGresult *res;

    if (!dbpool_begin(c, db))
        return false;
    res = requests_lock(db->pg, c->params[0], k->kind, c->who.caisse);
    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return false;
    }
    if (PQntuples(res) != 1 || (l = calloc(1, sizeof(*l))) == NULL) {
        if (PQntuples(res) != 1)
            call_set_not_found(c);
        else
            call_set_problem(c, 503, "Service indisponible", "Mémoire insuffisante.", NULL);
        PQclear(res);
        return false;
    }
    snprintf(l->status, sizeof(l->status), "%s", PQgetvalue(res, 0, 0));
    l->version = atoi(PQgetvalue(res, 0, 1));
    PQclear(res);
    c->ctx = l;
    c->ctx_free = free;
    return true;
}

/* .check of a transition: its body, never recorded under its key. */
bool h_request_transition_check(struct call *c, struct db *db)
{
    const struct request_kind *k = c->route->arg;
    struct locked *l = c->ctx;
    json_t *errors = json_array();
    const char *to = NULL;

    if (request_transition_validate(c->json, &to, errors) > 0) {
        idem_set_invalid(c, db_redis(db), errors);
        return false;
    }
    if (!request_status_known(k, to)) {
        fielderr_add(errors, "action", "invalid_enum", "Statut cible inconnu pour ce service.");
        call_set_problem(c, 422, "Requête invalide", "Statut cible inconnu.", errors);
        return false;
    }
    json_decref(errors);
    l->to = to;
    return true;
}

/* After the key (SPEC §2: a retry gets its first answer), If-Match and the
 * status. */
void h_request_transition(struct call *c, struct db *db)
{
    const struct request_kind *k = c->route->arg;
    const struct locked *l = c->ctx;
    const char *to = l->to;
    json_t *actor = NULL, *detail = NULL;
    char at[40], *actor_s = NULL, *detail_s = NULL;

    if (c->if_match > 0 && c->if_match != l->version) {
        call_set_stale(c, "La demande a changé depuis la version indiquée par If-Match.");
        return;
    }
    if (!request_edge_allowed(k, l->status, to)) {
        char d[200];

        snprintf(d, sizeof(d), "Passage de « %s » à « %s » non permis.", l->status, to);
        call_set_problem(c, 409, "Transition impossible", d, NULL);
        return;
    }
    db_ts(clock_now_us(), at, sizeof(at));
    {
        struct stream_actor who;

        actor = stream_actor_set(&who, c->who.sub, "instructor", NULL, c->who.caisse)
                    ? stream_actor_json(&who)
                    : NULL;
    }
    detail = json_pack("{s:s, s:O}", "action", to, "comment",
                       json_object_get(c->json, "comment") ? json_object_get(c->json, "comment")
                                                           : json_null());
    actor_s = json_text(actor);
    detail_s = json_text(detail);
    /* leaving the first status stops the service's clock (met or breached) */
    if (requests_changed(db->pg, c->params[0], at, actor_s, l->status, to, detail_s) < 0 ||
        deadlines_stop_all(db->pg, k->kind, c->params[0], at) < 0 || db_commit(db->pg) < 0) {
        call_set_unavailable(c, "La base de données");
        goto out;
    }
    {
        bool failed;

        call_set_document(c, requests_doc(db->pg, c->params[0], k->kind, NULL, &failed));
    }
    audit_record(c, "transition", k->kind, c->params[0]);
out:
    json_decref(actor);
    json_decref(detail);
    free(actor_s);
    free(detail_s);
}

