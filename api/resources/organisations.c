/*
 * organisations.c — POST/GET/PATCH /v1/organisations (admin writes; partners
 * read their own organisation, instructors those of their caisse).
 *
 * Each write also refreshes the organisation's mirror in Redis, which the
 * ingest path reads (orgcache.h): a convention terminated here stops the
 * partner's submissions at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "db.h"
#include "fielderr.h"
#include "organisation.h"
#include "secret_hash.h"
#include "uuidv.h"
#include "core/auth.h"
#include "core/dbpool.h"
#include "core/orgcache.h"
#include "support/listing.h"
#include "support/paging.h"
#include "resources/handlers.h"
#include "store/organisations.h"
static char *member_text(const json_t *org, const char *key)
{
    const json_t *v = json_object_get(org, key);

    return (v == NULL || json_is_null(v)) ? NULL : json_text(v);
}

static const char *member_str(const json_t *org, const char *key)
{
    return json_string_value(json_object_get(org, key));
}

/* What the organisation may send, derived from its kind and habilitation by the
 * rule the API enforces (§3), so that a form offers an AME first request only
 * to whom it will accept it from. Read-only: not stored, not patchable. */
static void add_derived(json_t *org, void *arg)
{
    const char *state = convention_state(json_object_get(org, "convention"), clock_today());

    (void)arg;
    json_object_set_new(org, "convention_state", state ? json_string(state) : json_null());
    json_object_set_new(org, "ame_first_request_allowed",
                        json_boolean(org_may_send_ame_first(
                            member_str(org, "kind"),
                            json_is_true(json_object_get(org, "ame_habilitation")))));
}

static void reply_org(struct call *c, int status, json_t *org)
{
    add_derived(org, NULL);
    call_set_doc(c, status, org);
}

/* ---- POST /v1/organisations ------------------------------------------------ */

/* A replayed creation reads the organisation again: its referent is a person,
 * whom the idempotency record does not keep (idem_reread_fn). Admins only. */
bool h_org_reread(struct call *c, struct db *db, const char *id)
{
    json_t *org = organisation_load(db->pg, id);

    if (org == NULL) {
        if (PQstatus(db->pg) != CONNECTION_OK)
            call_set_unavailable(c, "La base de données");
        return false;
    }
    reply_org(c, 200, org);
    return true;
}

void h_org_create(struct call *c, struct db *db)
{
    json_t *errors;
    char id[37], now[40];
    char *convention = NULL, *referent = NULL;
    PGresult *res;

    errors = json_array();
    if (!call_fields_ok(c, org_validate_create(c->json, errors), errors))
        goto done;
    org_apply_defaults(c->json);
    if (!uuid_v4(id)) {
        call_set_problem(c, 500, "Erreur interne", "Identifiant impossible à créer.", NULL);
        goto done;
    }
    convention = member_text(c->json, "convention");
    referent = member_text(c->json, "referent");
    {
        const struct organisations_fields f = {
            .name = member_str(c->json, "name"),
            .kind = member_str(c->json, "kind"),
            .siret = member_str(c->json, "siret"),
            .finess = member_str(c->json, "finess"),
            .caisse = member_str(c->json, "caisse"),
            .ame_habilitation =
                json_is_true(json_object_get(c->json, "ame_habilitation")) ? "true" : "false",
            .convention = convention,
            .referent = referent,
        };

        res = organisations_insert(db->pg, id, &f, db_ts(clock_now_us(), now, sizeof(now)));
    }
    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        goto done;
    }
    {
        json_t *org = db_json(res, 0, 0);

        PQclear(res);
        orgcache_publish(db_redis(db), org);
        snprintf(c->location, sizeof(c->location), "/v1/organisations/%s", id);
        reply_org(c, 201, org);
    }
done:
    free(convention);
    free(referent);
}

/* ---- GET /v1/organisations/{id} -------------------------------------------- */

static bool org_visible(const struct call *c, const json_t *org)
{
    return auth_in_scope(c, member_str(org, "id"), member_str(org, "caisse"));
}

/* .load of GET and PATCH /v1/organisations/{id}: the organisation in the
 * caller's scope, as c->loaded. */
bool h_org_load(struct call *c, struct db *db)
{
    json_t *org = organisation_load(db->pg, c->params[0]);

    if (org != NULL && !org_visible(c, org)) {
        json_decref(org);
        org = NULL;
    }
    return call_loaded(c, org, org == NULL && PQstatus(db->pg) != CONNECTION_OK);
}

void h_org_get(struct call *c, struct db *db)
{
    (void)db;
    reply_org(c, 200, json_incref(c->loaded));
}

/* ---- GET /v1/organisations -------------------------------------------------- */

static bool kind_ok(struct call *c, const char *v)
{
    (void)c;
    return org_kind_valid(v);
}

static const struct list_param org_filters[] = {
    {"kind", NULL, kind_ok, "invalid_enum", "Type d'organisation inconnu.", 0},
    {NULL}};

static const struct list organisations = {
    .params = org_filters,
    .sql = PAGE_NEWEST_CREATED(ORGANISATIONS_SQL_LIST, "o"),
    .nparams = ORGANISATIONS_LIST_NPARAMS,
    .fix = add_derived,
};

void h_org_list(struct call *c, struct db *db)
{
    struct page p;
    const char *params[ORGANISATIONS_LIST_NPARAMS];

    if (!list_begin(c, &organisations, &p, params))
        return;
    params[ORGANISATIONS_LIST_KIND] = call_query(c, "kind");
    /* the caller's scope narrows whatever filter was asked */
    params[ORGANISATIONS_LIST_CAISSE] =
        c->who.role == ROLE_INSTRUCTOR ? c->who.caisse : call_query(c, "caisse");
    params[ORGANISATIONS_LIST_ID] = c->who.role == ROLE_PARTNER ? c->who.org : NULL;
    list_end(c, db, &organisations, &p, params);
}

/* ---- PATCH /v1/organisations/{id} ------------------------------------------ */

/* RFC 7396 merge patch of target by patch. */
static void merge_patch(json_t *target, const json_t *patch)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)patch, key, v) {
        if (json_is_null(v)) {
            json_object_del(target, key);
        } else if (json_is_object(v)) {
            json_t *t = json_object_get(target, key);

            if (!json_is_object(t)) {
                t = json_object();
                json_object_set_new(target, key, t);
            }
            merge_patch(t, v);
        } else {
            json_object_set(target, key, v);
        }
    }
}

void h_org_patch(struct call *c, struct db *db)
{
    json_t *org = json_incref(c->loaded);
    json_t *errors;
    char *convention = NULL, *referent = NULL;
    char version[16], now[40];
    PGresult *res;

    errors = json_array();
    if (!call_fields_ok(c, org_validate_patch(c->json, org, errors), errors))
        goto out;
    /* "version" is read-only in a body (org_validate_patch), so the merge keeps it */
    if (!call_version_current(
            c, c->if_match, org,
            "L'organisation a été modifiée depuis la version indiquée par If-Match.", version,
            sizeof(version)))
        goto out;
    merge_patch(org, c->json);
    org_apply_defaults(org);
    convention = member_text(org, "convention");
    referent = member_text(org, "referent");
    {
        const struct organisations_fields f = {
            .name = member_str(org, "name"),
            .kind = member_str(org, "kind"),
            .siret = member_str(org, "siret"),
            .finess = member_str(org, "finess"),
            .caisse = member_str(org, "caisse"),
            .ame_habilitation =
                json_is_true(json_object_get(org, "ame_habilitation")) ? "true" : "false",
            .convention = convention,
            .referent = referent,
        };

        res = organisations_update(db->pg, c->params[0], &f,
                                   db_ts(clock_now_us(), now, sizeof(now)), version);
    }
    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        goto out;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        call_set_stale(c, "L'organisation a été modifiée pendant la requête ; relisez-la.");
        goto out;
    }
    json_decref(org);
    org = db_json(res, 0, 0);
    PQclear(res);
    orgcache_publish(db_redis(db), org);
    reply_org(c, 200, json_incref(org));
out:
    free(convention);
    free(referent);
    json_decref(org);
}

