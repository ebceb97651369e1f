/*
 * webhook_endpoints.c — /v1/webhooks: a partner's or a caisse's endpoints for the
 * events of SPEC §6, and the record of every delivery try.
 *
 *   POST   /v1/webhooks                   create; the answer alone shows the secret
 *   GET    /v1/webhooks                   list in scope, newest first
 *   GET    /v1/webhooks/{id}              one, with its health
 *   PATCH  /v1/webhooks/{id}              url, events, description, state
 *   DELETE /v1/webhooks/{id}              soft delete; pending deliveries cancelled
 *   GET    /v1/webhooks/{id}/deliveries   every try, newest first
 *
 * Ownership: a partner's webhook belongs to its organisation (org set, caisse
 * null) and receives the events of that organisation; an instructor's belongs
 * to its caisse (caisse set, org null) and receives those of every
 * organisation of the caisse. An administrator names the owner in the body
 * with exactly one of "org" or "caisse". A partner sees only its
 * organisation's webhooks, an instructor only its caisse's, an administrator
 * all; anything else is a 404.
 *
 * The secret ("whsec_" + standard base64 of 32 random bytes) is shown in the
 * 201 and never again: the documents come from epart_webhook_doc(), which
 * does not know it. An Idempotency-Key replay of the creation reads the
 * webhook again and answers it with "secret": null, "replayed": true and a
 * note (SPEC §2): the secret is never shown twice, and the record kept in Redis
 * holds ids only.
 *
 * Destinations are checked twice against server-side request forgery: here,
 * where the URL must parse (webhook_url.h) and every address its host resolves
 * to must be public unless EPART_WEBHOOK_ALLOW_PRIVATE=1, and in the worker at
 * each connection. Resolution (resolver.h) runs asynchronously on the call's
 * HTTP loop before the database job, within EPART_DNS_TIMEOUT_MS, and at most
 * EPART_DNS_INFLIGHT at once per organisation (caisse, administrator): a host
 * whose DNS server never answers holds no thread, and one owner cannot fill
 * the resolver (SPEC §6). The database job then only reads the answer.
 */
#include <netdb.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "clock.h"
#include "db.h"
#include "resolver.h"
#include "secret_hash.h"
#include "uuidv.h"
#include "vfield.h"
#include "webhook_sign.h"
#include "webhook_url.h"
#include "store/webhook_deliveries.h"
#include "store/webhook_jobs.h"
#include "core/auth.h"
#include "core/dbpool.h"
#include "core/dispatch.h"
#include "core/inflight.h"
#include "core/idempotency.h"
#include "support/listing.h"
#include "support/paging.h"
#include "resources/handlers.h"
#include "store/organisations.h"
#include "store/webhooks.h"

#define WEBHOOKS_PER_OWNER 20
#define DESCRIPTION_MAX 500

static const char *const event_types[] = {"dossier.status_changed", "deadline.warning",
                                          "deadline.breached", "message.created", NULL};
static const char *const webhook_states[] = {"active", "disabled", NULL};

static const char *const create_keys[] = {"url", "events", "description", "org", "caisse", NULL};
static const char *const patch_keys[] = {"url", "events", "description", "state", NULL};
static const char *const read_only_keys[] = {"id", "secret", "version", "created_at",
                                             "updated_at", "consecutive_failures",
                                             "last_delivery_at", "last_status_code",
                                             "last_error", "last_success_at",
                                             "pending_deliveries", NULL};

/* ---- validation -------------------------------------------------------------- */

static bool caisse_code_ok(const char *s)
{
    return strlen(s) == 3 && strspn(s, "0123456789") == 3;
}

/* A member absent or null: true when there is nothing to check, with the
 * required error recorded when the member had to be there. */
#define EVENTS_REQUIRED "Indiquez au moins un type d'événement."

static bool absent(vctx *v, const char *field, const json_t *val, bool required,
                   const char *message)
{
    if (val != NULL && !json_is_null(val))
        return false;
    if (required)
        vf_error(v, field, "required", "%s", message);
    return true;
}

static void check_url(vctx *v, const json_t *val, bool required, struct webhook_url *out,
                      bool *ok)
{
    enum webhook_url_error e;

    *ok = false;
    if (absent(v, "url", val, required, "L'URL de destination est obligatoire."))
        return;
    if (!json_is_string(val)) {
        vf_error(v, "url", "invalid_type", "url doit être une chaîne.");
        return;
    }
    e = webhook_url_parse(json_string_value(val), out);
    if (e != WURL_OK) {
        vf_error(v, "url", webhook_url_code(e), "%s", webhook_url_message(e));
        return;
    }
    *ok = true;
}

static void check_events(vctx *v, const json_t *val, bool required)
{
    size_t i;
    json_t *item;

    if (absent(v, "events", val, required, EVENTS_REQUIRED))
        return;
    if (!json_is_array(val)) {
        vf_error(v, "events", "invalid_type", "events doit être une liste de types d'événement.");
        return;
    }
    if (json_array_size(val) == 0) {
        vf_error(v, "events", "required", "%s", EVENTS_REQUIRED);
        return;
    }
    if (vf_array(v, "events", val, 0, 16) != VF_OK)
        return;
    json_array_foreach(val, i, item) {
        char path[VF_PATH_MAX];

        vf_index(path, "events", i);
        if (vf_enum(v, path, item, VF_REQUIRED, event_types, NULL) != VF_OK)
            continue;
        for (size_t k = 0; k < i; k++)
            if (json_equal(json_array_get(val, k), item)) {
                vf_error(v, path, "duplicate", "Le type d'événement %s figure deux fois.",
                         json_string_value(item));
                break;
            }
    }
}

/* The owner of a new webhook: (org, caisse), one of them NULL. */
struct owner {
    const char *org;
    const char *caisse;
};

static void check_owner(const struct call *c, vctx *v, const json_t *body, struct owner *o)
{
    const json_t *org = json_object_get(body, "org");
    const json_t *caisse = json_object_get(body, "caisse");
    const char *org_s = NULL, *caisse_s = NULL;

    o->org = o->caisse = NULL;
    if (org != NULL && !json_is_null(org) && !json_is_string(org))
        vf_error(v, "org", "invalid_type", "org doit être l'identifiant d'une organisation.");
    else
        org_s = json_string_value(org);
    if (caisse != NULL && !json_is_null(caisse) && !json_is_string(caisse))
        vf_error(v, "caisse", "invalid_type", "caisse doit être un code de caisse.");
    else
        caisse_s = json_string_value(caisse);
    switch (c->who.role) {
    case ROLE_PARTNER:
        /* a partner's webhooks are its organisation's, whatever it says */
        if (org_s != NULL && strcasecmp(org_s, c->who.org) != 0)
            vf_error(v, "org", "out_of_scope", "Vous ne pouvez créer un webhook que pour votre "
                                               "organisation.");
        if (caisse_s != NULL)
            vf_error(v, "caisse", "out_of_scope",
                     "Un partenaire crée ses webhooks pour son organisation, pas pour une caisse.");
        o->org = c->who.org;
        break;
    case ROLE_INSTRUCTOR:
        if (caisse_s != NULL && strcmp(caisse_s, c->who.caisse) != 0)
            vf_error(v, "caisse", "out_of_scope",
                     "Vous ne pouvez créer un webhook que pour votre caisse.");
        if (org_s != NULL)
            vf_error(v, "org", "out_of_scope",
                     "Un webhook de caisse reçoit les événements de toutes ses organisations ; "
                     "n'indiquez pas org.");
        o->caisse = c->who.caisse;
        break;
    case ROLE_ADMIN:
        if (org_s != NULL && caisse_s != NULL) {
            vf_error(v, "caisse", "exclusive",
                     "Indiquez org ou caisse, pas les deux : le webhook appartient à l'une ou à "
                     "l'autre.");
        } else if (org_s == NULL && caisse_s == NULL) {
            vf_error(v, "org", "required",
                     "Un administrateur indique à qui appartient le webhook : org ou caisse.");
        } else if (org_s != NULL) {
            if (!uuid_valid(org_s))
                vf_error(v, "org", "invalid_format", "Identifiant d'organisation invalide.");
            o->org = org_s;
        } else {
            if (!caisse_code_ok(caisse_s))
                vf_error(v, "caisse", "invalid_format", "Code de caisse invalide (3 chiffres).");
            o->caisse = caisse_s;
        }
        break;
    }
}

/* Check the keys and the fields of a creation (patch false) or a merge patch. */
static void check_body(const struct call *c, vctx *v, const json_t *body, bool patch,
                       struct webhook_url *url, bool *url_ok, struct owner *owner)
{
    const char *key;
    json_t *val;

    json_object_foreach((json_t *)body, key, val) {
        char path[VF_PATH_MAX];

        if (vf_in_set(key, patch ? patch_keys : create_keys))
            continue;
        snprintf(path, sizeof(path), "%.128s", key);
        if (vf_in_set(key, read_only_keys))
            vf_error(v, path, "read_only", "Ce champ est fixé par le serveur.");
        else
            vf_error(v, path, "unknown_field", "Champ inconnu.");
    }
    check_url(v, json_object_get(body, "url"), !patch, url, url_ok);
    if (patch && json_is_null(json_object_get(body, "url")))
        vf_error(v, "url", "required", "L'URL de destination ne peut pas être retirée.");
    check_events(v, json_object_get(body, "events"), !patch);
    if (patch && json_is_null(json_object_get(body, "events")))
        vf_error(v, "events", "required", "Indiquez au moins un type d'événement.");
    vf_string(v, "description", json_object_get(body, "description"), 0, DESCRIPTION_MAX, NULL);
    if (patch) {
        vf_enum(v, "state", json_object_get(body, "state"), 0, webhook_states, NULL);
        if (json_is_null(json_object_get(body, "state")))
            vf_error(v, "state", "required", "state vaut active ou disabled.");
    } else {
        check_owner(c, v, body, owner);
    }
}

/* ---- resolution, on the HTTP thread ------------------------------------------- */

/* What the HTTP thread learnt of the body's host before the database job. */
struct resolution {
    bool done;
    struct resolve_result result;
    char scope[INFLIGHT_KEY_MAX];
};

static struct inflight resolving = INFLIGHT_INIT;

/* The host of the body's url when the body is a JSON object whose url parses;
 * anything else is left for the database job to report in SPEC §2 order. */
static bool body_host(const struct call *c, struct webhook_url *u)
{
    json_t *doc, *url;
    bool ok = false;

    if (c->body == NULL || c->body_len == 0 || c->body_len > g_config.body_limit ||
        !json_depth_ok(c->body, c->body_len, 32))
        return false;
    doc = json_loadb(c->body, c->body_len, JSON_REJECT_DUPLICATES, NULL);
    url = json_is_object(doc) ? json_object_get(doc, "url") : NULL;
    if (json_is_string(url) && webhook_url_parse(json_string_value(url), u) == WURL_OK)
        ok = true;
    json_decref(doc);
    return ok;
}

static void on_resolved(const struct resolve_result *r, void *arg)
{
    struct call *c = arg;
    struct resolution *res = c->ctx;

    res->result = *r;
    res->done = true;
    inflight_release(&resolving, res->scope);
    dispatch_db(c);
}

/* POST and PATCH /v1/webhooks…: resolve the body's host if it has one, then run
 * the route's database job (h_webhook_create, h_webhook_patch). */
void h_webhook_resolve(struct call *c)
{
    struct webhook_url u;
    struct resolution *res;

    if (!body_host(c, &u)) {
        dispatch_db(c);
        return;
    }
    res = calloc(1, sizeof(*res));
    if (res == NULL) {
        call_set_unavailable(c, "La vérification de l'adresse");
        call_reply_prepared(c);
        return;
    }
    c->ctx = res;
    c->ctx_free = free;
    call_scope(c, res->scope, sizeof(res->scope));
    if (!inflight_take(&resolving, res->scope, g_config.dns_inflight_per_owner)) {
        char detail[300];

        snprintf(detail, sizeof(detail),
                 "Votre organisation a déjà %d vérifications d'adresse de webhook en cours "
                 "(résolution DNS) ; réessayez dans quelques secondes.",
                 g_config.dns_inflight_per_owner);
        c->retry_after = (g_config.dns_timeout_ms + 999) / 1000;
        call_reply_problem(c, 429, "Trop de requêtes", detail, NULL);
        return;
    }
    if (!resolver_start(c->thr->base, c->thr->dns, u.host, g_config.dns_timeout_ms, on_resolved, c)) {
        inflight_release(&resolving, res->scope);
        call_set_unavailable(c, "La vérification de l'adresse");
        call_reply_prepared(c);
    }
}

/* Refuse the host of u (422 on url) when it did not resolve in time, or when
 * any of its addresses is private and the service does not allow it. Every
 * address counts, not only the first: the worker may use any of them. */
static void check_destination(const struct call *c, vctx *v)
{
    const struct resolution *res = c->ctx;

    if (res == NULL || !res->done) {
        vf_error(v, "url", "unresolvable_host",
                 "Le nom d'hôte de l'URL ne peut pas être résolu ; vérifiez-le.");
        return;
    }
    switch (res->result.status) {
    case RESOLVE_OK:
        break;
    case RESOLVE_TIMEOUT:
        vf_error(v, "url", "unresolvable_host",
                 "Le serveur DNS de ce nom d'hôte n'a pas répondu en %d s ; vérifiez le nom "
                 "ou réessayez plus tard.",
                 (g_config.dns_timeout_ms + 999) / 1000);
        return;
    default:
        vf_error(v, "url", "unresolvable_host",
                 "Le nom d'hôte de l'URL ne peut pas être résolu ; vérifiez-le.");
        return;
    }
    if (!g_config.webhook_allow_private)
        for (int i = 0; i < res->result.n; i++)
            if (addr_is_private((const struct sockaddr *)&res->result.addrs[i])) {
                vf_error(v, "url", "forbidden_destination",
                         "L'URL désigne une adresse privée, locale ou réservée : les webhooks "
                         "ne sont livrés qu'à des adresses publiques.");
                break;
            }
}

/* ---- loading ------------------------------------------------------------------- */

/* The live webhook id as its document, or NULL (unknown, deleted, or the
 * database unreachable: PQstatus tells). */
static json_t *webhook_load(PGconn *pg, const char *id)
{
    bool failed;

    return webhooks_doc(pg, id, &failed);
}

/* .load of the routes of /v1/webhooks/{id}: the webhook in the caller's
 * scope, as c->loaded. */
bool h_webhook_load(struct call *c, struct db *db)
{
    bool failed;
    json_t *doc = webhooks_doc(db->pg, c->params[0], &failed);

    if (doc != NULL && !auth_in_scope(c, json_string_value(json_object_get(doc, "org")),
                                      json_string_value(json_object_get(doc, "caisse")))) {
        json_decref(doc);
        doc = NULL;
    }
    return call_loaded(c, doc, failed);
}

/* The end of a change of the webhook c->params[0] inside the transaction
 * begun for it: res, its statement's answer (NULL: failed, 503; no row: the
 * webhook changed or went meanwhile, stale's 412 — or a 404 when stale is
 * NULL), then its pending deliveries cancelled when cancel, and the COMMIT.
 * True with res to read and clear; false after the reply is set, rolled back. */
static bool webhook_changed(struct call *c, struct db *db, PGresult *res, bool cancel,
                            const char *stale)
{
    if (res == NULL) {
        dbpool_abort(c, db);
        return false;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        db_rollback(db->pg);
        if (stale != NULL)
            call_set_stale(c, stale);
        else
            call_set_not_found(c);
        return false;
    }
    if ((cancel && webhook_jobs_cancel_all(db->pg, c->params[0], false) < 0) ||
        db_commit(db->pg) < 0) {
        PQclear(res);
        dbpool_abort(c, db);
        return false;
    }
    return true;
}

/* ---- POST /v1/webhooks ------------------------------------------------------------ */

/* A replayed creation answers the webhook as it is now in the caller's scope,
 * without its secret, and says so (SPEC §2; idem_reread_fn). */
bool h_webhook_reread(struct call *c, struct db *db, const char *id)
{
    json_t *doc = uuid_valid(id) ? webhook_load(db->pg, id) : NULL;

    if (doc == NULL) {
        if (PQstatus(db->pg) != CONNECTION_OK)
            call_set_unavailable(c, "La base de données");
        return false;
    }
    if (!auth_in_scope(c, json_string_value(json_object_get(doc, "org")),
                       json_string_value(json_object_get(doc, "caisse")))) {
        json_decref(doc);
        return false;
    }
    idem_note_secret_withheld(doc, "secret",
                              "supprimez ce webhook et créez-en un autre");
    return idem_reread_reply(c, doc, false);
}

void h_webhook_create(struct call *c, struct db *db)
{
    struct webhook_url url;
    struct owner owner = {NULL, NULL};
    bool url_ok = false;
    json_t *errors;
    vctx v;
    char id[37], now[40], secret[80];
    char *events = NULL, cap[16];
    PGresult *res;

    errors = json_array();
    vf_init(&v, errors);
    check_body(c, &v, c->json, false, &url, &url_ok, &owner);
    if (v.problems == 0 && owner.org != NULL && c->who.role == ROLE_ADMIN) {
        int found = organisations_exists(db->pg, owner.org);

        if (found < 0) {
            json_decref(errors);
            call_set_unavailable(c, "La base de données");
            goto done;
        }
        if (found == 0)
            vf_error(&v, "org", "unknown_organisation", "Aucune organisation ne porte cet "
                                                        "identifiant.");
    }
    /* resolve only a body otherwise valid: a lookup costs time */
    if (v.problems == 0 && url_ok)
        check_destination(c, &v);
    if (!call_fields_ok(c, v.problems, errors))
        goto done;
    memcpy(secret, WEBHOOK_SECRET_PREFIX, strlen(WEBHOOK_SECRET_PREFIX));
    if (!uuid_v4(id) ||
        random_b64(secret + strlen(WEBHOOK_SECRET_PREFIX),
                   sizeof(secret) - strlen(WEBHOOK_SECRET_PREFIX), WEBHOOK_SECRET_BYTES,
                   B64_STD) < 0) {
        call_set_problem(c, 500, "Erreur interne", "Secret impossible à créer.", NULL);
        goto done;
    }
    events = json_text(json_object_get(c->json, "events"));
    snprintf(cap, sizeof(cap), "%d", WEBHOOKS_PER_OWNER);
    /* the per-owner cap is checked in the same statement; two creations at
     * once may pass it by one, which is harmless */
    {
        const struct webhooks_new w = {
            .org = owner.org,
            .caisse = owner.caisse,
            .owner_sub = c->who.sub,
            .url = json_string_value(json_object_get(c->json, "url")),
            .events = events,
            .secret = secret,
            .description = json_string_value(json_object_get(c->json, "description")),
        };

        res = webhooks_insert(db->pg, id, &w, db_ts(clock_now_us(), now, sizeof(now)), cap);
    }
    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        goto done;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        errors = json_array();
        vf_init(&v, errors);
        vf_error(&v, "url", "limit_reached",
                 "Ce propriétaire a déjà %d webhooks actifs ; supprimez-en un d'abord.",
                 WEBHOOKS_PER_OWNER);
        call_set_invalid(c, errors);
        goto done;
    }
    {
        json_t *doc = db_json(res, 0, 0);

        PQclear(res);
        json_object_set_new(doc, "secret", json_string(secret));
        snprintf(c->location, sizeof(c->location), "/v1/webhooks/%s", id);
        call_set_doc(c, 201, doc);
    }
done:
    /* the idempotency record (core/dispatch.c) keeps its id and version: never the secret */
    OPENSSL_cleanse(secret, sizeof(secret));
    free(events);
}

/* ---- GET /v1/webhooks/{id} ------------------------------------------------------- */

void h_webhook_get(struct call *c, struct db *db)
{
    (void)db;
    call_set_doc(c, 200, json_incref(c->loaded));
}

/* ---- GET /v1/webhooks ------------------------------------------------------------ */

/* the states a list may ask for: those a PATCH sets, and "failing", the
 * deliveries' own (worker/webhooks.c) */
static const char *const listed_states[] = {"active", "failing", "disabled", NULL};

static const struct list_param webhook_filters[] = {
    {"org", NULL, list_is_uuid, "invalid_format", "Identifiant d'organisation invalide.", 0},
    {"state", listed_states, NULL, "invalid_enum", "state vaut active, failing ou disabled.", 0},
    {NULL}};

static const struct list webhooks = {
    .params = webhook_filters,
    .sql = PAGE_NEWEST_CREATED(WEBHOOKS_SQL_LIST, "w"),
    .nparams = WEBHOOKS_LIST_NPARAMS,
};

void h_webhook_list(struct call *c, struct db *db)
{
    struct page p;
    const char *params[WEBHOOKS_LIST_NPARAMS];

    if (!list_begin(c, &webhooks, &p, params))
        return;
    /* the caller's scope replaces whatever filter it asked for */
    switch (c->who.role) {
    case ROLE_PARTNER:
        params[WEBHOOKS_LIST_ORG] = c->who.org;
        params[WEBHOOKS_LIST_CAISSE] = NULL;
        params[WEBHOOKS_LIST_CAISSE_OWN] = "false";
        break;
    case ROLE_INSTRUCTOR:
        params[WEBHOOKS_LIST_ORG] = NULL;
        params[WEBHOOKS_LIST_CAISSE] = c->who.caisse;
        params[WEBHOOKS_LIST_CAISSE_OWN] = "true";
        break;
    default:
        params[WEBHOOKS_LIST_ORG] = call_query(c, "org");
        params[WEBHOOKS_LIST_CAISSE] = call_query(c, "caisse");
        params[WEBHOOKS_LIST_CAISSE_OWN] = "false";
        break;
    }
    params[WEBHOOKS_LIST_STATE] = call_query(c, "state");
    list_end(c, db, &webhooks, &p, params);
}

/* ---- PATCH /v1/webhooks/{id} ------------------------------------------------------ */

void h_webhook_patch(struct call *c, struct db *db)
{
    json_t *doc = c->loaded;
    json_t *errors;
    struct webhook_url url;
    bool url_ok = false;
    bool disabled;
    vctx v;
    char version[16], now[40];
    char *events = NULL;
    struct webhooks_change ch;
    const json_t *desc;
    PGresult *res;

    errors = json_array();
    vf_init(&v, errors);
    check_body(c, &v, c->json, true, &url, &url_ok, NULL);
    if (v.problems == 0 && url_ok)
        check_destination(c, &v);
    if (!call_fields_ok(c, v.problems, errors))
        return;
    if (!call_version_current(c, c->if_match, doc,
                              "Le webhook a été modifié depuis la version indiquée par If-Match.",
                              version, sizeof(version)))
        return;
    if (json_object_get(c->json, "events") != NULL)
        events = json_text(json_object_get(c->json, "events"));
    desc = json_object_get(c->json, "description");
    ch.url = json_string_value(json_object_get(c->json, "url"));
    ch.events = events;
    ch.has_description = desc != NULL ? "true" : "false"; /* present: set (null removes it) */
    ch.description = json_string_value(desc);
    ch.state = json_string_value(json_object_get(c->json, "state"));
    /* a paused webhook drops what was waiting, as a deleted one does */
    disabled = ch.state != NULL && strcmp(ch.state, "disabled") == 0;
    if (!dbpool_begin(c, db))
        goto out;
    /* back to "active" by its owner: the failure count starts again */
    res = webhooks_update(db->pg, c->params[0], &ch, db_ts(clock_now_us(), now, sizeof(now)),
                          version);
    if (!webhook_changed(c, db, res, disabled,
                         "Le webhook a été modifié pendant la requête ; relisez-le."))
        goto out;
    doc = db_json(res, 0, 0);
    PQclear(res);
    /* the pending count changed with the cancellations */
    if (disabled)
        json_object_set_new(doc, "pending_deliveries", json_integer(0));
    call_set_doc(c, 200, doc);
out:
    free(events);
}

/* ---- DELETE /v1/webhooks/{id} ------------------------------------------------------ */

void h_webhook_delete(struct call *c, struct db *db)
{
    char version[16], now[40];
    PGresult *res;

    snprintf(version, sizeof(version), "%d", c->if_match);
    if (!dbpool_begin(c, db))
        return;
    res = webhooks_delete(db->pg, c->params[0], db_ts(clock_now_us(), now, sizeof(now)),
                          c->if_match > 0 ? version : NULL);
    /* no row: changed since If-Match, or deleted meanwhile; what was still to
     * deliver goes nowhere now — a try under way finishes but changes nothing
     * (the sender only updates pending jobs) */
    if (!webhook_changed(c, db, res, true,
                         c->if_match > 0 ? "Le webhook a été modifié depuis la version "
                                           "indiquée par If-Match."
                                         : NULL))
        return;
    PQclear(res);
    c->status = 204;
}

/* ---- GET /v1/webhooks/{id}/deliveries ------------------------------------------- */

static const struct list_param delivery_filters[] = {
    {"event_id", NULL, list_is_uuid, "invalid_format", "Identifiant d'événement invalide.", 0},
    {NULL}};

/* newest first by delivery id, the cursor's key */
static const struct list deliveries = {
    .key = PAGE_KEY_INT,
    .params = delivery_filters,
    .sql = WEBHOOK_DELIVERIES_SQL_LIST(PAGE_SORT_US("d.at")),
    .nparams = WEBHOOK_DELIVERIES_LIST_NPARAMS,
    .own_keyset = true,
};

void h_webhook_deliveries(struct call *c, struct db *db)
{
    struct page p;
    const char *params[WEBHOOK_DELIVERIES_LIST_NPARAMS];

    if (!list_begin(c, &deliveries, &p, params))
        return;
    params[WEBHOOK_DELIVERIES_LIST_WEBHOOK] = c->params[0];
    params[WEBHOOK_DELIVERIES_LIST_KEY] = page_key_param(&p);
    params[WEBHOOK_DELIVERIES_LIST_LIMIT] = page_limit_param(&p);
    params[WEBHOOK_DELIVERIES_LIST_EVENT] = call_query(c, "event_id");
    list_end(c, db, &deliveries, &p, params);
}

