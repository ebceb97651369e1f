/*
 * partnership_messages.c — POST/GET /v1/messages (SPEC §8): messages of the partnership
 * itself between an organisation and its caisse (a meeting, a change of
 * referent, a question on the convention), without personal data. Stored at
 * once (201).
 *
 * A partner writes to its caisse; an instructor writes to one organisation of
 * its caisse, named by "org". Each reads the messages of its own scope, newest
 * first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "db.h"
#include "fielderr.h"
#include "secret_hash.h"
#include "uuidv.h"
#include "vfield.h"
#include "core/dbpool.h"
#include "core/idempotency.h"
#include "support/listing.h"
#include "support/paging.h"
#include "resources/handlers.h"
#include "store/organisations.h"
#include "store/partnership_messages.h"

static const char *const keys[] = {"body", "subject", "org", NULL};

/* A replayed message is read again in the caller's scope (idem_reread_fn): its
 * free text is not kept in the idempotency record. */
bool h_partnership_reread(struct call *c, struct db *db, const char *id)
{
    bool failed;
    json_t *doc = partnership_messages_doc(db->pg, id,
                                           c->who.role == ROLE_PARTNER ? c->who.org : NULL,
                                           c->who.role == ROLE_INSTRUCTOR ? c->who.caisse : NULL,
                                           &failed);

    return idem_reread_reply(c, doc, failed);
}

/* The organisation a message is for: the instructor names it, a partner's is
 * its own (h_partnership_check checked it). */
static const char *message_org(const struct call *c)
{
    return c->who.role == ROLE_INSTRUCTOR ? json_str(c->json, "org") : c->who.org;
}

/* .check of the creation: the fields, then the organisation in the caller's
 * scope (404) — the body names it — whose caisse is kept in c->ctx. */
bool h_partnership_check(struct call *c, struct db *db)
{
    json_t *errors;
    vctx v;
    const char *org = NULL;
    PGresult *res;

    errors = json_array();
    vf_init(&v, errors);
    vf_object(&v, "", c->json, VF_REQUIRED, keys);
    vf_string(&v, "body", json_object_get(c->json, "body"), VF_REQUIRED | VF_MULTILINE, 5000,
              NULL);
    vf_string(&v, "subject", json_object_get(c->json, "subject"), 0, 200, NULL);
    if (c->who.role == ROLE_INSTRUCTOR) {
        if (vf_string(&v, "org", json_object_get(c->json, "org"), VF_REQUIRED, 36, &org) ==
                VF_OK &&
            !uuid_valid(org))
            vf_error(&v, "org", "invalid_format", "identifiant d'organisation attendu");
    } else {
        const json_t *asked = json_object_get(c->json, "org");

        if (asked != NULL && !json_is_null(asked) &&
            (!json_is_string(asked) || strcmp(json_string_value(asked), c->who.org) != 0))
            vf_error(&v, "org", "not_allowed",
                     "un partenaire écrit pour sa propre organisation uniquement");
        org = c->who.org;
    }
    if (!call_fields_ok(c, v.problems, errors))
        return false;
    /* the organisation must exist in the caller's scope */
    res = organisations_caisse(db->pg, org, c->who.role == ROLE_INSTRUCTOR ? c->who.caisse : NULL);
    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return false;
    }
    if (PQntuples(res) != 1) {
        PQclear(res);
        call_set_not_found(c);
        return false;
    }
    c->ctx = strdup(PQgetvalue(res, 0, 0));
    c->ctx_free = free;
    PQclear(res);
    if (c->ctx == NULL) {
        call_set_problem(c, 503, "Service indisponible", "Mémoire insuffisante.", NULL);
        return false;
    }
    return true;
}

void h_partnership_create(struct call *c, struct db *db)
{
    const char *org = message_org(c), *caisse = c->ctx;
    char id[37], at[40];
    json_t *author;
    char *author_s;
    PGresult *res;

    if (!uuid_v4(id)) {
        call_set_problem(c, 500, "Erreur interne", "Identifiant impossible à créer.", NULL);
        return;
    }
    author = json_pack("{s:s, s:s}", "sub", c->who.sub, "role", role_str(c->who.role));
    author_s = json_text(author);
    json_decref(author);
    {
        const struct partnership_messages_new m = {
            id, org, caisse, author_s, json_str(c->json, "subject"), json_str(c->json, "body"),
            db_ts(clock_now_us(), at, sizeof(at))};

        res = partnership_messages_insert(db->pg, &m);
    }
    free(author_s);
    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return;
    }
    snprintf(c->location, sizeof(c->location), "/v1/messages/%s", id);
    call_set_doc(c, 201, db_json(res, 0, 0));
    PQclear(res);
}

static const struct list_param list_filters[] = {
    {"org", NULL, list_is_uuid, "invalid_format", "org doit être un identifiant UUID.", 0},
    {NULL}};

/* the cursor's instant is the message's sequence number: unique, no tie-breaker */
static const struct list messages = {
    .key = PAGE_KEY_ANY,
    .params = list_filters,
    .sql = PARTNERSHIP_MESSAGES_SQL_LIST,
    .nparams = PARTNERSHIP_MESSAGES_LIST_NPARAMS,
    .own_keyset = true,
};

void h_partnership_list(struct call *c, struct db *db)
{
    struct page p;
    const char *params[PARTNERSHIP_MESSAGES_LIST_NPARAMS];

    if (!list_begin(c, &messages, &p, params))
        return;
    params[PARTNERSHIP_MESSAGES_LIST_AFTER] = page_ts_param(&p);
    params[PARTNERSHIP_MESSAGES_LIST_LIMIT] = page_limit_param(&p);
    list_scope(c, call_query(c, "org"), &params[PARTNERSHIP_MESSAGES_LIST_ORG],
               &params[PARTNERSHIP_MESSAGES_LIST_CAISSE]);
    list_end(c, db, &messages, &p, params);
}

