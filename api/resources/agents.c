/*
 * agents.c — /v1/agents (admin): the people who sign in through the
 * deployment's OpenID Connect provider, with the role and the scope epart
 * grants them (SPEC §13; the rules of a body are in common/agent.h).
 *
 *   POST   /v1/agents         create (201, Location); Idempotency-Key honoured
 *   GET    /v1/agents         list, newest first; ?role= ?active= ?email=
 *   GET    /v1/agents/{id}    one
 *   PATCH  /v1/agents/{id}    merge patch; If-Match honoured
 *   DELETE /v1/agents/{id}    removes the agent: it can no longer sign in
 *
 * The session tokens already handed to an agent that is deactivated or
 * removed stay valid until they expire (at most EPART_OIDC_SESSION_TTL): they
 * are stateless, as every token of SPEC §3. Every call is journaled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "clock.h"
#include "db.h"
#include "fielderr.h"
#include "secret_hash.h"
#include "uuidv.h"
#include "vfield.h"
#include "core/dbpool.h"
#include "support/audit.h"
#include "core/idempotency.h"
#include "support/listing.h"
#include "support/paging.h"
#include "resources/handlers.h"
#include "store/agents.h"
#include "store/organisations.h"


static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* A partner agent's organisation must exist: false after recording a 503. */
static bool check_org_exists(struct call *c, struct db *db, const json_t *agent, vctx *v)
{
    const char *org = str(agent, "org");
    int found;

    if (org == NULL || !uuid_valid(org))
        return true;
    found = organisations_exists(db->pg, org);
    if (found < 0) {
        call_set_unavailable(c, "La base de données");
        return false;
    }
    if (found == 0)
        vf_error(v, "org", "unknown_organisation",
                 "Aucune organisation ne porte cet identifiant.");
    return true;
}

/* The answer to a unique violation: the e-mail or the (issuer, sub) taken. */
static void set_duplicate(struct call *c, const char *sqlstate_constraint)
{
    json_t *errors = json_array();
    vctx v;

    vf_init(&v, errors);
    if (sqlstate_constraint != NULL && strstr(sqlstate_constraint, "identity") != NULL)
        vf_error(&v, "sub", "already_used",
                 "Un autre agent est déjà reconnu par cet émetteur et ce sub.");
    else
        vf_error(&v, "email", "already_used",
                 "Un autre agent porte déjà cette adresse électronique.");
    call_set_invalid(c, errors);
}

/* Which unique index a failed statement hit: re-read to tell them apart. */
static const char *which_duplicate(PGconn *pg, const json_t *agent, const char *self_id)
{
    PGresult *res =
        agents_duplicate(pg, str(agent, "email"), str(agent, "issuer"), str(agent, "sub"), self_id);
    const char *which = "email";

    if (res != NULL && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "f") == 0)
        which = "identity";
    if (res != NULL)
        PQclear(res);
    return which;
}

/* ---- POST /v1/agents ---------------------------------------------------------- */

/* A replayed creation reads the agent again (name, e-mail: a person's data the
 * idempotency record does not keep) and journals the read (idem_reread_fn). */
bool h_agent_reread(struct call *c, struct db *db, const char *id)
{
    bool failed;
    json_t *doc = agents_doc(db->pg, id, &failed);

    if (doc != NULL)
        audit_record(c, "read", "agent", id);
    return idem_reread_reply(c, doc, failed);
}

/* .check of the creation: its fields, never recorded under its key. */
bool h_agent_check(struct call *c, struct db *db)
{
    json_t *errors = json_array();
    vctx v;

    vf_init(&v, errors);
    if (!json_is_object(c->json)) {
        vf_error(&v, "", "invalid_type", "Le corps doit être un objet JSON.");
    } else {
        v.problems += agent_check_keys(c->json, errors);
        v.problems += agent_validate(c->json, errors);
        if (v.problems == 0 && !check_org_exists(c, db, c->json, &v)) {
            json_decref(errors);
            return false;
        }
    }
    if (v.problems > 0) {
        idem_set_invalid(c, db_redis(db), errors);
        return false;
    }
    json_decref(errors);
    return true;
}

void h_agent_create(struct call *c, struct db *db)
{
    char id[37], now[40], sqlstate[6] = "";
    const json_t *active;
    PGresult *res;

    if (!uuid_v4(id)) {
        call_set_problem(c, 500, "Erreur interne", "Identifiant impossible à créer.", NULL);
        return;
    }
    active = json_object_get(c->json, "active");
    {
        const struct agents_fields f = {
            .issuer = str(c->json, "issuer"), .sub = str(c->json, "sub"),
            .email = str(c->json, "email"), .name = str(c->json, "name"),
            .role = str(c->json, "role"), .org = str(c->json, "org"),
            .caisse = str(c->json, "caisse"),
            .active = json_is_false(active) ? "false" : "true",
        };

        res = agents_insert(db->pg, id, &f, db_ts(clock_now_us(), now, sizeof(now)), sqlstate);
    }
    /* a duplicate is no error: the transaction (the key's, ROUTE_IDEM) stays
     * usable for the query that says which one */
    if (res != NULL && PQntuples(res) == 0) {
        PQclear(res);
        set_duplicate(c, which_duplicate(db->pg, c->json, NULL));
        return;
    }
    if (res == NULL) {
        if (strcmp(sqlstate, "23505") == 0)
            set_duplicate(c, which_duplicate(db->pg, c->json, NULL));
        else
            call_set_unavailable(c, "La base de données");
        return;
    }
    snprintf(c->location, sizeof(c->location), "/v1/agents/%s", id);
    call_set_doc(c, 201, db_json(res, 0, 0));
    PQclear(res);
    audit_record(c, "create", "agent", id);
}

/* ---- GET /v1/agents/{id} ------------------------------------------------------ */

/* .load of GET and PATCH /v1/agents/{id}: the agent, as c->loaded. */
bool h_agent_load(struct call *c, struct db *db)
{
    bool failed;
    json_t *doc = agents_doc(db->pg, c->params[0], &failed);

    return call_loaded(c, doc, failed);
}

void h_agent_get(struct call *c, struct db *db)
{
    (void)db;
    audit_record(c, "read", "agent", c->params[0]);
    call_set_doc(c, 200, json_incref(c->loaded));
}

/* ---- GET /v1/agents ------------------------------------------------------------ */

static const char *const agent_roles[] = {"partner", "instructor", "admin", NULL};

static bool email_len_ok(struct call *c, const char *v)
{
    (void)c;
    return strlen(v) <= AGENT_EMAIL_MAX;
}

static const struct list_param agent_filters[] = {
    {"role", agent_roles, NULL, "invalid_enum", "role vaut partner, instructor ou admin.", 0},
    {"active", list_booleans, NULL, "invalid_enum", "active vaut true ou false.", 0},
    {"email", NULL, email_len_ok, "too_long", "Adresse électronique trop longue.", 0},
    {NULL}};

/* one row per agent returned (SPEC §10) */
static const struct list agents = {
    .params = agent_filters,
    .sql = PAGE_NEWEST_CREATED(AGENTS_SQL_LIST, "a"),
    .nparams = AGENTS_LIST_NPARAMS,
    .journal = LIST_JOURNAL_AS,
    .object_type = "agent",
};

void h_agent_list(struct call *c, struct db *db)
{
    struct page p;
    const char *params[AGENTS_LIST_NPARAMS];

    if (!list_begin(c, &agents, &p, params))
        return;
    params[AGENTS_LIST_ROLE] = call_query(c, "role");
    params[AGENTS_LIST_ACTIVE] = call_query(c, "active");
    params[AGENTS_LIST_EMAIL] = call_query(c, "email");
    list_end(c, db, &agents, &p, params);
}

/* ---- PATCH /v1/agents/{id} ------------------------------------------------------ */

void h_agent_patch(struct call *c, struct db *db)
{
    json_t *doc = json_incref(c->loaded);
    json_t *errors;
    vctx v;
    char version[16], now[40], sqlstate[6] = "";
    const char *key;
    json_t *val;
    PGresult *res;

    errors = json_array();
    vf_init(&v, errors);
    if (!json_is_object(c->json)) {
        vf_error(&v, "", "invalid_type", "Le corps doit être un objet JSON (merge patch).");
    } else {
        v.problems += agent_check_keys(c->json, errors);
        if (v.problems == 0) {
            /* RFC 7396 on a flat document: null removes, anything else replaces */
            json_object_foreach(c->json, key, val) {
                if (json_is_null(val))
                    json_object_set_new(doc, key, json_null());
                else
                    json_object_set(doc, key, val);
            }
            v.problems += agent_validate(doc, errors);
            if (v.problems == 0 && json_object_get(c->json, "org") != NULL &&
                !check_org_exists(c, db, doc, &v)) {
                json_decref(errors);
                goto out;
            }
        }
    }
    if (!call_fields_ok(c, v.problems, errors))
        goto out;
    if (!call_version_current(c, c->if_match, doc,
                              "L'agent a été modifié depuis la version indiquée par If-Match.",
                              version, sizeof(version)))
        goto out;
    {
        const struct agents_fields f = {
            .issuer = str(doc, "issuer"), .sub = str(doc, "sub"),
            .email = str(doc, "email"), .name = str(doc, "name"),
            .role = str(doc, "role"), .org = str(doc, "org"),
            .caisse = str(doc, "caisse"),
            .active = json_is_false(json_object_get(doc, "active")) ? "false" : "true",
        };

        res = agents_update(db->pg, c->params[0], &f, db_ts(clock_now_us(), now, sizeof(now)),
                            version, sqlstate);
    }
    if (res == NULL) {
        if (strcmp(sqlstate, "23505") == 0)
            set_duplicate(c, which_duplicate(db->pg, doc, c->params[0]));
        else
            call_set_unavailable(c, "La base de données");
        goto out;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        call_set_stale(c, "L'agent a été modifié pendant la requête ; relisez-le.");
        goto out;
    }
    audit_record(c, "update", "agent", c->params[0]);
    call_set_doc(c, 200, db_json(res, 0, 0));
    PQclear(res);
out:
    json_decref(doc);
}

/* ---- DELETE /v1/agents/{id} ----------------------------------------------------- */

void h_agent_delete(struct call *c, struct db *db)
{
    char version[16];
    PGresult *res;

    snprintf(version, sizeof(version), "%d", c->if_match);
    res = agents_delete(db->pg, c->params[0], c->if_match > 0 ? version : NULL);
    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "1") == 0) {
        audit_record(c, "delete", "agent", c->params[0]);
        c->status = 204;
    } else if (strcmp(PQgetvalue(res, 0, 1), "1") == 0) {
        call_set_stale(c, "L'agent a été modifié depuis la version indiquée par If-Match.");
    } else {
        call_set_not_found(c);
    }
    PQclear(res);
}

