/*
 * auth.c — bearer tokens, roles, conventions and rates.
 */
#include "core/auth.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "digest.h"
#include "organisation.h"
#include "core/call_job.h"
#include "core/orgcache.h"
#include "core/ratelimit.h"
#include "core/revocations.h"
#include "core/route_table.h"
#include "core/tokencache.h"

static void after_org(struct call *c)
{
    int retry = 0;

    if (c->org == NULL ||
        !convention_in_force(json_object_get(c->org, "convention"), clock_today())) {
        call_reply_problem(c, 403, "Convention non en vigueur",
                           "Votre organisation n'a pas de convention de partenariat en vigueur "
                           "avec la caisse à cette date.",
                           NULL);
        return;
    }
    if (!ratelimit_take(c->who.org, g_config.rate_per_org, g_config.rate_burst, &retry)) {
        c->retry_after = retry;
        call_reply_problem(c, 429, "Trop de requêtes",
                           "Votre organisation dépasse le débit autorisé ; réessayez plus tard.",
                           NULL);
        return;
    }
    c->job->admitted(c);
}

/* An instructor or an administrator is limited too (issue 9, finding 11), each
 * agent in a bucket of its own, named by a hash of role and sub so that no sub,
 * however long or whatever it contains, shares another's bucket. */
static bool agent_within_rate(struct call *c)
{
    const char *role = role_str(c->who.role);
    const void *parts[3] = {role, "\n", c->who.sub};
    size_t lens[3] = {strlen(role), 1, strlen(c->who.sub)};
    char hex[SHA256_HEX_LEN], key[RATELIMIT_KEY_MAX];
    int retry = 0;

    if (g_config.rate_per_agent <= 0)
        return true;
    sha256_hex_parts(hex, 3, parts, lens);
    snprintf(key, sizeof(key), "agent:%s", hex);
    if (ratelimit_take(key, g_config.rate_per_agent, g_config.rate_burst_agent, &retry))
        return true;
    c->retry_after = retry;
    call_reply_problem(c, 429, "Trop de requêtes",
                       "Vous dépassez le débit autorisé ; réessayez plus tard.", NULL);
    return false;
}

void auth_check(struct call *c, void (*next)(struct call *c))
{
    size_t len = 0;
    const char *tok = token_from_bearer(call_header(c, "Authorization"), &len);
    enum token_error err;

    if (tok == NULL) {
        call_reply_problem(c, 401, "Authentification requise",
                           "Un jeton Bearer est requis dans l'en-tête Authorization.", NULL);
        return;
    }
    err = token_cache_verify(c->thr->tokens, tok, len, g_config.jwt_secret,
                             g_config.jwt_secret_len, clock_real(), &c->who);
    if (err != TOKEN_OK) {
        call_reply_problem(c, 401, "Jeton invalide", token_error_str(err), NULL);
        return;
    }
    /* a partner token names its API client as sub: a revoked client's tokens
     * stop working at once (SPEC §3) */
    if (c->who.role == ROLE_PARTNER && revocations_contains(c->who.sub)) {
        call_reply_problem(c, 401, "Jeton invalide",
                           "Le client d'API de ce jeton a été révoqué.", NULL);
        return;
    }
    c->authenticated = true;
    if (!(c->route->roles & ROLE_BIT(c->who.role))) {
        call_reply_problem(c, 403, "Action non permise",
                           "Votre rôle ne permet pas cette action.", NULL);
        return;
    }
    if (c->who.role == ROLE_PARTNER) {
        c->job->admitted = next;
        orgcache_resolve(c, after_org);
        return;
    }
    if (!agent_within_rate(c))
        return;
    next(c);
}

bool auth_in_scope(const struct call *c, const char *org_id, const char *caisse)
{
    switch (c->who.role) {
    case ROLE_ADMIN:
        return true;
    case ROLE_PARTNER:
        return org_id != NULL && strcasecmp(org_id, c->who.org) == 0;
    case ROLE_INSTRUCTOR:
        return caisse != NULL && strcmp(caisse, c->who.caisse) == 0;
    }
    return false;
}
