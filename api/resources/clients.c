/*
 * clients.c — API clients of partner software and the token endpoint
 * (SPEC §3): POST /v1/organisations/{id}/clients (admin) and POST /v1/auth/token.
 *
 * The client secret is shown once, at creation, and stored only as a slow
 * PBKDF2 hash; the token endpoint answers the same 401, after the same work,
 * whether the client is unknown, revoked or the secret wrong, so it does not
 * reveal which ids exist. DELETE .../clients/{client_id} revokes a client.
 */
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "db.h"
#include "fielderr.h"
#include "secret_hash.h"
#include "token.h"
#include "uuidv.h"
#include "core/dbpool.h"
#include "core/hashpool.h"
#include "core/inflight.h"
#include "core/orgcache.h"
#include "core/ratelimit.h"
#include "core/revocations.h"
#include "core/idempotency.h"
#include "resources/handlers.h"
#include "store/api_clients.h"

#define CLIENT_HASH_ITERATIONS 120000u
#define TOKEN_TTL_SECONDS 3600

/* A replayed creation answers the client as stored, without its secret, and
 * says so (SPEC §3: shown once, kept nowhere but as a hash; idem_reread_fn). */
bool h_client_reread(struct call *c, struct db *db, const char *client_id)
{
    PGresult *res = api_clients_get(db->pg, client_id, c->params[0]);
    json_t *doc;

    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return false;
    }
    if (PQntuples(res) != 1) {
        PQclear(res);
        return false;
    }
    doc = json_pack("{s:s, s:s, s:o, s:s, s:i}", "client_id", PQgetvalue(res, 0, 0), "org",
                    PQgetvalue(res, 0, 1), "name",
                    PQgetisnull(res, 0, 2) ? json_null() : json_string(PQgetvalue(res, 0, 2)),
                    "created_at", PQgetvalue(res, 0, 3), "version", 1);
    PQclear(res);
    idem_note_secret_withheld(doc, "client_secret",
                              "révoquez ce client et créez-en un autre");
    c->etag_version = 1;
    call_set_json(c, 200, doc);
    return true;
}

/* .load of the creation: the organisation of the path exists (admins only:
 * every organisation is in scope). */
bool h_client_load(struct call *c, struct db *db)
{
    json_t *org = organisation_load(db->pg, c->params[0]);

    return call_loaded(c, org, org == NULL && PQstatus(db->pg) != CONNECTION_OK);
}

/* .check of the creation: its optional body, {"name": "…"}, never recorded
 * under its key. */
bool h_client_check(struct call *c, struct db *db)
{
    const json_t *name = json_object_get(c->json, "name");
    json_t *errors, *v;
    const char *key;

    if (c->json == NULL)
        return true;
    errors = json_array();
    if (name != NULL && !json_is_null(name) &&
        (!json_is_string(name) || json_string_length(name) > 200))
        fielderr_add(errors, "name", "invalid_type",
                     "name doit être une chaîne d'au plus 200 caractères.");
    json_object_foreach(c->json, key, v) {
        if (strcmp(key, "name") != 0) {
            char field[140];

            snprintf(field, sizeof(field), "%.128s", key);
            fielderr_add(errors, field, "unknown_field", "Champ inconnu.");
        }
    }
    if (json_array_size(errors) > 0) {
        idem_set_invalid(c, db_redis(db), errors);
        return false;
    }
    json_decref(errors);
    return true;
}

void h_client_create(struct call *c, struct db *db)
{
    const json_t *name = json_object_get(c->json, "name");
    char client_id[40], secret[64], hash[SECRET_HASH_MAX_LEN], now[40];
    PGresult *res;

    memcpy(client_id, "epc_", 4);
    memcpy(secret, "eps_", 4);
    if (random_b64(client_id + 4, sizeof(client_id) - 4, 12, B64_URL) < 0 ||
        random_b64(secret + 4, sizeof(secret) - 4, 32, B64_URL) < 0 ||
        !secret_hash(secret, strlen(secret), CLIENT_HASH_ITERATIONS, hash, sizeof(hash))) {
        call_set_problem(c, 500, "Erreur interne", "Secret impossible à créer.", NULL);
        goto out;
    }
    res = api_clients_insert(db->pg, client_id, c->params[0], hash, json_string_value(name),
                             db_ts(clock_now_us(), now, sizeof(now)));
    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        goto out;
    }
    snprintf(c->location, sizeof(c->location), "/v1/organisations/%s/clients/%s", c->params[0],
             client_id);
    call_set_json(c, 201,
                  json_pack("{s:s, s:s, s:s, s:o, s:s, s:i}", "client_id", client_id,
                            "client_secret", secret, "org", c->params[0], "name",
                            json_is_string(name) ? json_incref((json_t *)name) : json_null(),
                            "created_at", PQgetvalue(res, 0, 0), "version", 1));
    c->etag_version = 1;
    PQclear(res);
out:
    /* the record (ROUTE_IDEM) keeps client_id, org and version: never the secret */
    OPENSSL_cleanse(secret, sizeof(secret));
}

static void invalid_client(struct call *c)
{
    call_set_problem(c, 401, "Client inconnu",
                     "client_id ou client_secret invalide, ou client révoqué.", NULL);
}

/* ---- POST /v1/auth/token ------------------------------------------------------ */

/* The token endpoint is open to anyone: each step is bounded before the next
 * costs more (SPEC §3, issue 9 finding 5).
 *   1. HTTP thread: rate per client address, body (small, parsed here), rate
 *      per client_id — 429 before anything is looked up or hashed;
 *   2. database thread: the client's stored hash, nothing slow;
 *   3. hash thread (hashpool.h): PBKDF2 of the secret against that hash, or
 *      against a dummy hash of the same cost when the client is unknown or
 *      revoked, so that no answer tells which client_ids exist;
 *   4. HTTP thread: the token signed and sent. */

struct token_req {
    char client_id[72];
    char *secret;
    size_t secret_len;
    char hash[SECRET_HASH_MAX_LEN];
    char org[37];
    bool known;
};

static char dummy_hash[SECRET_HASH_MAX_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    char secret[64];

    memcpy(secret, "eps_", 4);
    if (random_b64(secret + 4, sizeof(secret) - 4, 32, B64_URL) < 0 ||
        !secret_hash(secret, strlen(secret), CLIENT_HASH_ITERATIONS, dummy_hash,
                     sizeof(dummy_hash)))
        dummy_hash[0] = '\0';
    OPENSSL_cleanse(secret, sizeof(secret));
}

static void token_req_free(void *p)
{
    struct token_req *t = p;

    if (t->secret != NULL) {
        OPENSSL_cleanse(t->secret, t->secret_len);
        free(t->secret);
    }
    free(t);
}

static bool rate_ok(struct call *c, const char *prefix, const char *key, int per_min, int burst,
                    const char *detail)
{
    char k[INFLIGHT_KEY_MAX];
    int retry = 0;

    if (per_min <= 0)
        return true;
    snprintf(k, sizeof(k), "%s%s", prefix, key);
    if (ratelimit_take(k, per_min / 60.0, burst, &retry))
        return true;
    c->retry_after = retry;
    call_set_problem(c, 429, "Trop de requêtes", detail, NULL);
    return false;
}

static void token_issue(struct call *c)
{
    struct token_req *t = c->ctx;
    struct identity id;
    char *tok;

    memset(&id, 0, sizeof(id));
    id.role = ROLE_PARTNER;
    snprintf(id.sub, sizeof(id.sub), "%s", t->client_id);
    snprintf(id.org, sizeof(id.org), "%s", t->org);
    tok = token_sign(&id, g_config.jwt_secret, g_config.jwt_secret_len, clock_real(),
                     TOKEN_TTL_SECONDS);
    if (tok == NULL) {
        call_reply_problem(c, 500, "Erreur interne", "Jeton impossible à signer.", NULL);
        return;
    }
    call_reply_json(c, 200,
                    json_pack("{s:s, s:s, s:i}", "access_token", tok, "token_type", "Bearer",
                              "expires_in", TOKEN_TTL_SECONDS));
    free(tok);
}

static void token_hash_job(struct call *c)
{
    struct token_req *t = c->ctx;
    bool ok = secret_verify(t->secret, t->secret_len, t->known ? t->hash : dummy_hash);

    if (ok && t->known)
        call_then(c, token_issue);
    else
        invalid_client(c);
}

static void token_hash(struct call *c)
{
    if (!hashpool_submit(c, token_hash_job)) {
        c->retry_after = 1;
        call_reply_problem(c, 503, "Service indisponible",
                           "Trop de demandes de jeton sont en cours de vérification ; "
                           "réessayez dans quelques secondes.",
                           NULL);
    }
}

static void token_lookup_db(struct call *c, struct db *db)
{
    struct token_req *t = c->ctx;
    PGresult *res = api_clients_secret(db->pg, t->client_id);

    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return;
    }
    if (PQntuples(res) == 1 && strlen(PQgetvalue(res, 0, 0)) < sizeof(t->hash)) {
        snprintf(t->hash, sizeof(t->hash), "%s", PQgetvalue(res, 0, 0));
        snprintf(t->org, sizeof(t->org), "%s", PQgetvalue(res, 0, 1));
        t->known = true;
    }
    PQclear(res);
    call_then(c, token_hash);
}

/* .load of the token endpoint, on the HTTP thread: the rate per client
 * address, before the body is even parsed. */
bool h_auth_token_gate(struct call *c, struct db *db)
{
    (void)db;
    return rate_ok(c, "addr:", c->remote, g_config.token_rate_addr, g_config.token_burst_addr,
                   "Trop de demandes de jeton depuis votre adresse ; réessayez plus tard.");
}

void h_auth_token(struct call *c)
{
    const char *client_id, *secret;
    json_t *errors;
    struct token_req *t;

    pthread_once(&dummy_once, make_dummy);
    client_id = json_str(c->json, "client_id");
    secret = json_str(c->json, "client_secret");
    errors = json_array();
    if (client_id == NULL)
        fielderr_add(errors, "client_id", "required", "client_id est requis.");
    if (secret == NULL)
        fielderr_add(errors, "client_secret", "required", "client_secret est requis.");
    if (json_array_size(errors) > 0) {
        call_reply_problem(c, 422, "Requête invalide", "Champs manquants.", errors);
        return;
    }
    json_decref(errors);
    if (strlen(client_id) >= sizeof(t->client_id) || strlen(secret) > SECRET_MAX_LEN ||
        strlen(secret) == 0) {
        invalid_client(c);
        call_reply_prepared(c);
        return;
    }
    if (!rate_ok(c, "client:", client_id, g_config.token_rate_client,
                 g_config.token_burst_client,
                 "Trop de demandes de jeton pour ce client ; réessayez plus tard.")) {
        call_reply_prepared(c);
        return;
    }
    t = calloc(1, sizeof(*t));
    if (t == NULL || (t->secret = strdup(secret)) == NULL) {
        free(t);
        call_set_unavailable(c, "Le service de jetons");
        call_reply_prepared(c);
        return;
    }
    t->secret_len = strlen(secret);
    snprintf(t->client_id, sizeof(t->client_id), "%s", client_id);
    c->ctx = t;
    c->ctx_free = token_req_free;
    dbpool_submit(c, token_lookup_db);
}

/* ---- DELETE /v1/organisations/{id}/clients/{client_id} -------------------------- */

/* Revoke a client at once: no new token (the token endpoint reads revoked_at),
 * and the tokens it holds are refused from now on (revocations.h). Revoking a
 * revoked client again is a 204 too; a client of another organisation is a
 * 404. The revocation is stamped with the real clock, as token times are. */
static void client_revoke_db(struct call *c, struct db *db)
{
    char now[40];
    PGresult *res = api_clients_revoke(db->pg, c->params[1], c->params[0],
                                       db_ts((int64_t)clock_real() * 1000000, now, sizeof(now)));

    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return;
    }
    if (PQntuples(res) == 0) {
        call_set_not_found(c);
    } else {
        revocations_add(c->params[1]);
        c->status = 204;
    }
    PQclear(res);
}

void h_client_revoke(struct call *c)
{
    if (!uuid_valid(c->params[0]) || strlen(c->params[1]) >= 72) {
        call_set_not_found(c);
        call_reply_prepared(c);
        return;
    }
    dbpool_submit(c, client_revoke_db);
}
