/*
 * session.c — agents' sessions from the OpenID Connect provider (SPEC §13):
 *
 *   POST /v1/auth/session {"id_token", "nonce"?}  → epart's own short-lived
 *        (or {"code","code_verifier","nonce"?}: the API exchanges the code at
 *        the provider itself — a confidential client, whose secret stays here)
 *        token {"access_token","token_type":"Bearer","expires_in","agent"}
 *   GET  /v1/auth/config                          → what the web application
 *        needs to start the authorization code flow (public)
 *
 * The ID token is verified on the HTTP thread against the cached keys
 * (common/idtoken.h; a few tens of microseconds); an unknown kid sends the
 * call to the provider thread for a fresh key set (api/support/oidc.h) and back. Only
 * a token that passed every check reaches the database thread, where the agent
 * is found — by (issuer, sub), or by e-mail on a first sign-in, which then
 * records issuer and sub — and only then is epart's secret used to sign.
 *
 * Any defect of the token is a 401; an unknown or inactive agent a 403 that
 * says whom to ask. A nonce is accepted once (Redis, until the token expires):
 * a replayed ID token is refused. Every sign-in and every refusal goes to the
 * audit journal (action "signin" or "signin_refused").
 *
 * The endpoint is limited per client address (429, EPART_OIDC_SESSION_RATE)
 * before any signature is checked. Kept apart from api/resources/clients.c (POST /v1/auth/token): the two paths
 * share nothing but token_sign().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "db.h"
#include "digest.h"
#include "fielderr.h"
#include "idtoken.h"
#include "token.h"
#include "vfield.h"
#include "core/dbpool.h"
#include "core/ratelimit.h"
#include "support/audit.h"
#include "support/oidc.h"
#include "resources/handlers.h"
#include "store/agents.h"

struct session {
    char *id_token;
    size_t len;
    struct oidc_exchange x; /* {"code","code_verifier"}: exchanged by the API */
    char *nonce;           /* sent by the application, or NULL */
    bool refreshed;        /* the key set was fetched again for this call */
    struct idtoken_claims claims;
};

static void session_free(void *p)
{
    struct session *s = p;

    free(s->id_token);
    free(s->nonce);
    free(s->x.code);
    free(s->x.code_verifier);
    free(s->x.id_token);
    free(s);
}

static void journal_refusal(struct call *c, const char *who_sub, const char *reason)
{
    char sub[TOKEN_SUB_MAX + 1] = "";

    if (who_sub != NULL && who_sub[0] != '\0')
        snprintf(sub, sizeof(sub), "oidc:%s", who_sub);
    audit_record_as(c, sub, "agent", "", "", "signin_refused", "session", reason);
}

static void refuse_token(struct call *c, enum idtoken_error e)
{
    journal_refusal(c, NULL, idtoken_error_name(e));
    call_set_problem(c, 401, "Jeton d'identité refusé", idtoken_error_str(e), NULL);
    call_reply_prepared(c);
}

static void provider_unavailable(struct call *c)
{
    journal_refusal(c, NULL, "provider_unavailable");
    c->retry_after = 5;
    call_set_problem(c, 503, "Fournisseur d'identité injoignable",
                     "Les clés du fournisseur d'identité n'ont pas pu être lues ; réessayez dans "
                     "quelques instants.",
                     NULL);
    call_reply_prepared(c);
}

static void session_db(struct call *c, struct db *db);
static void verify(struct call *c);

static void after_refresh(struct call *c)
{
    ((struct session *)c->ctx)->refreshed = true;
    verify(c);
}

static void verify(struct call *c)
{
    struct session *s = c->ctx;
    void *handle;
    const struct jwks *keys = oidc_keys_acquire(&handle);
    struct idtoken_expect x = {g_config.oidc_issuer, g_config.oidc_client_id, s->nonce,
                               clock_real()};
    enum idtoken_error e = idtoken_verify(s->id_token, s->len, keys, &x, &s->claims);

    oidc_keys_release(handle);
    if (e == IDTOKEN_ERR_UNKNOWN_KID && !s->refreshed) {
        switch (oidc_refresh(c, after_refresh)) {
        case OIDC_REFRESH_QUEUED:
            return;
        case OIDC_REFRESH_BUSY:
            provider_unavailable(c);
            return;
        case OIDC_REFRESH_TOO_SOON:
            break;
        }
    }
    if (e == IDTOKEN_ERR_UNKNOWN_KID && keys == NULL) {
        provider_unavailable(c);
        return;
    }
    if (e != IDTOKEN_OK) {
        refuse_token(c, e);
        return;
    }
    dbpool_submit(c, session_db);
}

static void after_exchange(struct call *c)
{
    struct session *s = c->ctx;

    if (s->x.status == 401) {
        journal_refusal(c, NULL, "code_refused");
        call_set_problem(c, 401, "Code d'autorisation refusé",
                         "Le fournisseur d'identité a refusé le code d'autorisation (expiré, déjà "
                         "utilisé ou vérificateur PKCE faux) ; reconnectez-vous.",
                         NULL);
        call_reply_prepared(c);
        return;
    }
    if (s->x.status != 0 || s->x.id_token == NULL) {
        provider_unavailable(c);
        return;
    }
    s->id_token = s->x.id_token;
    s->x.id_token = NULL;
    s->len = strlen(s->id_token);
    verify(c);
}

/* RFC 7636 §4.1: 43 to 128 unreserved characters. */
static bool verifier_ok(const char *v)
{
    size_t n = strlen(v);

    return n >= 43 && n <= 128 &&
           strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") == n;
}

static bool code_ok(const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x21 || *p > 0x7e)
            return false;
    return true;
}

/* .load of POST /v1/auth/session, on the HTTP thread: what refuses before
 * the body is parsed — no provider configured (503), the rate per client
 * address (429). */
bool h_auth_session_gate(struct call *c, struct db *db)
{
    char key[96];
    int retry = 0;

    (void)db;
    if (!oidc_enabled()) {
        call_set_problem(c, 503, "Connexion des agents non configurée",
                         "Ce déploiement n'a pas de fournisseur d'identité OpenID Connect "
                         "(EPART_OIDC_ISSUER) ; connectez-vous avec le lien fourni par "
                         "l'administrateur.",
                         NULL);
        return false;
    }
    snprintf(key, sizeof(key), "session:%s", c->remote);
    if (!ratelimit_take(key, g_config.oidc_session_rate, 4.0 * g_config.oidc_session_rate,
                        &retry)) {
        c->retry_after = retry;
        call_set_problem(c, 429, "Trop de tentatives de connexion",
                         "Trop de tentatives de connexion depuis cette adresse ; réessayez "
                         "dans quelques secondes.",
                         NULL);
        return false;
    }
    return true;
}

void h_auth_session(struct call *c)
{
    struct session *s;
    json_t *errors;
    vctx v;
    const char *tok = NULL, *nonce = NULL, *code = NULL, *verifier = NULL;

    errors = json_array();
    vf_init(&v, errors);
    {
        const char *k;
        json_t *val;

        json_object_foreach(c->json, k, val) {
            if (strcmp(k, "id_token") != 0 && strcmp(k, "nonce") != 0 &&
                strcmp(k, "code") != 0 && strcmp(k, "code_verifier") != 0) {
                char path[VF_PATH_MAX];

                snprintf(path, sizeof(path), "%.128s", k);
                vf_error(&v, path, "unknown_field", "Champ inconnu.");
            }
        }
    }
    vf_format(&v, "code", json_object_get(c->json, "code"), 0, 2048, code_ok,
              "code d'autorisation", &code);
    vf_format(&v, "code_verifier", json_object_get(c->json, "code_verifier"),
              code != NULL ? VF_REQUIRED : 0, 128, verifier_ok, "vérificateur PKCE (43 à 128 "
              "caractères)", &verifier);
    vf_string(&v, "id_token", json_object_get(c->json, "id_token"), code != NULL ? 0 : VF_REQUIRED,
              IDTOKEN_MAX_LEN, &tok);
    vf_string(&v, "nonce", json_object_get(c->json, "nonce"), 0, IDTOKEN_NONCE_MAX, &nonce);
    if (tok != NULL && code != NULL)
        vf_error(&v, "code", "exclusive",
                 "Envoyez soit id_token (client public), soit code et code_verifier (client "
                 "confidentiel), pas les deux.");
    if (v.problems > 0) {
        call_reply_invalid(c, errors);
        return;
    }
    json_decref(errors);
    s = calloc(1, sizeof(*s));
    if (s == NULL || (tok != NULL && (s->id_token = strdup(tok)) == NULL) ||
        (code != NULL && ((s->x.code = strdup(code)) == NULL ||
                          (s->x.code_verifier = strdup(verifier)) == NULL)) ||
        (nonce != NULL && (s->nonce = strdup(nonce)) == NULL)) {
        if (s != NULL)
            session_free(s);
        call_reply_problem(c, 500, "Erreur interne", "Mémoire insuffisante.", NULL);
        return;
    }
    c->ctx = s;
    c->ctx_free = session_free;
    if (code != NULL) {
        /* the provider thread holds the code; the call waits for it there */
        if (oidc_exchange(c, &s->x, after_exchange) != OIDC_REFRESH_QUEUED)
            provider_unavailable(c);
        return;
    }
    s->len = strlen(s->id_token);
    verify(c);
}

/* ---- the agent, on a database thread ------------------------------------------------ */

static void refuse_agent(struct call *c, const char *sub, const char *reason, const char *title,
                         const char *detail)
{
    journal_refusal(c, sub, reason);
    call_set_problem(c, 403, title, detail, NULL);
}

/* A nonce is good once: a replayed ID token is refused. False after setting
 * the reply. */
static bool nonce_first_use(struct call *c, struct db *db, const struct idtoken_claims *cl)
{
    const void *parts[3] = {g_config.oidc_issuer, cl->sub, cl->nonce};
    size_t lens[3] = {strlen(g_config.oidc_issuer) + 1, strlen(cl->sub) + 1, strlen(cl->nonce)};
    char hex[SHA256_HEX_LEN], key[100], ttl[24];
    redisContext *rc;
    redisReply *r;
    long long life = (long long)cl->exp - (long long)clock_real() + IDTOKEN_LEEWAY + 60;
    bool first;

    if (cl->nonce[0] == '\0')
        return true;
    sha256_hex_parts(hex, 3, parts, lens);
    snprintf(key, sizeof(key), "epart:oidc:nonce:%s", hex);
    snprintf(ttl, sizeof(ttl), "%lld", life < 60 ? 60 : life);
    rc = db_redis(db);
    r = rc != NULL ? redisCommand(rc, "SET %s 1 NX EX %s", key, ttl) : NULL;
    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        if (r != NULL)
            freeReplyObject(r);
        call_set_unavailable(c, "Redis");
        return false;
    }
    first = r->type == REDIS_REPLY_STATUS;
    freeReplyObject(r);
    if (!first) {
        journal_refusal(c, cl->sub, "replayed");
        call_set_problem(c, 401, "Jeton d'identité refusé",
                         "Ce jeton d'identité a déjà servi à ouvrir une session ; "
                         "reconnectez-vous.",
                         NULL);
    }
    return first;
}

static json_t *find_agent(struct call *c, struct db *db, const struct idtoken_claims *cl,
                          bool *failed)
{
    json_t *a = agents_by_identity(db->pg, g_config.oidc_issuer, cl->sub, failed);

    (void)c;
    if (a != NULL || *failed || cl->email[0] == '\0')
        return a;
    return agents_by_email(db->pg, cl->email, failed);
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s != NULL ? s : "";
}

static void session_db(struct call *c, struct db *db)
{
    struct session *s = c->ctx;
    const struct idtoken_claims *cl = &s->claims;
    bool failed = false;
    json_t *agent, *bound;
    char now[40];
    struct identity id;
    char *tok;

    if (!nonce_first_use(c, db, cl))
        return;
    agent = find_agent(c, db, cl, &failed);
    if (failed) {
        call_set_unavailable(c, "La base de données");
        return;
    }
    if (agent == NULL) {
        refuse_agent(c, cl->sub, "unknown_agent", "Agent inconnu d'epart",
                     "Votre identité est reconnue par le fournisseur d'identité, mais vous n'êtes "
                     "pas enregistré comme agent d'epart. Demandez à l'administrateur epart de "
                     "votre caisse (ou au référent de votre organisation partenaire) de vous "
                     "ajouter avec votre adresse électronique professionnelle.");
        return;
    }
    if (json_string_value(json_object_get(agent, "sub")) != NULL &&
        (strcmp(str(agent, "sub"), cl->sub) != 0 ||
         strcmp(str(agent, "issuer"), g_config.oidc_issuer) != 0)) {
        /* found by e-mail, but already bound to someone else's identity */
        refuse_agent(c, cl->sub, "identity_mismatch", "Compte déjà associé",
                     "Cette adresse électronique est déjà associée à une autre identité chez le "
                     "fournisseur d'identité. Demandez à l'administrateur epart de votre caisse "
                     "de vérifier votre compte d'agent.");
        json_decref(agent);
        return;
    }
    if (!json_is_true(json_object_get(agent, "active"))) {
        refuse_agent(c, cl->sub, "inactive_agent", "Compte d'agent désactivé",
                     "Votre compte d'agent epart est désactivé. Demandez à l'administrateur "
                     "epart de votre caisse de le réactiver.");
        json_decref(agent);
        return;
    }
    /* record the identity on a first sign-in (only if still unbound), and when */
    bound = agents_signed_in(db->pg, str(agent, "id"), g_config.oidc_issuer, cl->sub,
                             db_ts(clock_now_us(), now, sizeof(now)), &failed);
    json_decref(agent);
    if (bound == NULL) {
        if (failed)
            call_set_unavailable(c, "La base de données");
        else
            refuse_agent(c, cl->sub, "changed", "Compte d'agent modifié",
                         "Votre compte d'agent vient d'être modifié ; reconnectez-vous, ou "
                         "demandez à l'administrateur epart de votre caisse.");
        return;
    }
    memset(&id, 0, sizeof(id));
    if (!role_parse(str(bound, "role"), &id.role)) {
        call_set_problem(c, 500, "Erreur interne", "Rôle d'agent illisible.", NULL);
        json_decref(bound);
        return;
    }
    snprintf(id.sub, sizeof(id.sub), "agent:%s", str(bound, "id"));
    snprintf(id.org, sizeof(id.org), "%s", str(bound, "org"));
    snprintf(id.caisse, sizeof(id.caisse), "%s", str(bound, "caisse"));
    tok = token_sign(&id, g_config.jwt_secret, g_config.jwt_secret_len, clock_real(),
                     g_config.oidc_session_ttl_s);
    if (tok == NULL) {
        call_set_problem(c, 500, "Erreur interne", "Jeton impossible à signer.", NULL);
        json_decref(bound);
        return;
    }
    c->who = id;
    audit_record(c, "signin", "agent", str(bound, "id"));
    call_set_json(c, 200,
                  json_pack("{s:s, s:s, s:i, s:{s:s, s:s, s:o, s:s, s:o, s:o}}", "access_token",
                            tok, "token_type", "Bearer", "expires_in",
                            g_config.oidc_session_ttl_s, "agent", "id", str(bound, "id"),
                            "email", str(bound, "email"), "name",
                            json_incref(json_object_get(bound, "name")), "role",
                            str(bound, "role"), "org",
                            json_incref(json_object_get(bound, "org")), "caisse",
                            json_incref(json_object_get(bound, "caisse"))));
    free(tok);
    json_decref(bound);
}

/* ---- GET /v1/auth/config --------------------------------------------------------------- */

void h_auth_config(struct call *c)
{
    char redirect[600], logout[600];
    json_t *doc, *endpoints;

    if (!oidc_enabled()) {
        call_reply_json(c, 200, json_pack("{s:b}", "enabled", 0));
        return;
    }
    snprintf(redirect, sizeof(redirect), "%s/app/callback", g_config.public_url);
    snprintf(logout, sizeof(logout), "%s/app/", g_config.public_url);
    doc = json_pack("{s:b, s:s, s:s, s:s, s:s, s:s, s:b}", "enabled", 1, "issuer",
                    g_config.oidc_issuer, "client_id", g_config.oidc_client_id, "scopes",
                    g_config.oidc_scopes, "redirect_uri", redirect, "post_logout_redirect_uri",
                    logout, "confidential", g_config.oidc_client_secret[0] != '\0');
    endpoints = oidc_endpoints();
    json_object_update(doc, endpoints);
    json_decref(endpoints);
    call_reply_json(c, 200, doc);
}
