/*
 * health.c — /healthz, /readyz and /metrics.
 *
 * /metrics is core's counters (core/metrics.h) followed by the OpenID
 * provider's, which core does not know.
 *
 * /readyz asks both dependencies for real (a query on a database thread, a PING
 * on this thread's Redis link) rather than trusting remembered state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "metrics_access.h"
#include "core/dbpool.h"
#include "core/metrics.h"
#include "core/redis_link.h"
#include "support/oidc.h"
#include "resources/handlers.h"

void h_healthz(struct call *c)
{
    call_reply_json(c, 200, json_pack("{s:s}", "status", "ok"));
}

struct ready {
    bool redis_ok;
};

static void ready_db(struct call *c, struct db *db)
{
    struct ready *r = c->ctx;
    PGresult *res = db->pg ? db_exec(db->pg, "SELECT 1", 0, NULL) : NULL;
    bool pg_ok = res != NULL;

    if (res != NULL)
        PQclear(res);
    call_set_json(c, pg_ok && r->redis_ok ? 200 : 503,
                  json_pack("{s:s, s:s, s:s}", "status", pg_ok && r->redis_ok ? "ready" : "not_ready",
                            "postgresql", pg_ok ? "up" : "down", "redis",
                            r->redis_ok ? "up" : "down"));
    if (!(pg_ok && r->redis_ok)) {
        /* also a valid problem document, since it is served as one */
        json_object_set_new(c->reply_json, "title", json_string("Service non prêt"));
        json_object_set_new(c->reply_json, "status", json_integer(503));
        c->retry_after = 1;
    }
}

static void on_ping(redisReply *reply, void *priv)
{
    struct call *c = priv;
    struct ready *r = c->ctx;

    r->redis_ok = reply != NULL && reply->type == REDIS_REPLY_STATUS;
    dbpool_submit_optional(c, ready_db); /* which dependency is down, not a generic 503 */
}

void h_readyz(struct call *c)
{
    const char *argv[1] = {"PING"};
    size_t lens[1] = {4};
    struct ready *r = calloc(1, sizeof(*r));

    if (r == NULL) {
        call_reply_problem(c, 503, "Service indisponible", "Mémoire insuffisante.", NULL);
        return;
    }
    c->ctx = r;
    c->ctx_free = free;
    if (redis_link_command(c->thr->redis, on_ping, c, 1, argv, lens) < 0) {
        r->redis_ok = false;
        dbpool_submit_optional(c, ready_db); /* which dependency is down, not a generic 503 */
    }
}

void h_metrics(struct call *c)
{
    char *text;

    /* the TCP peer, never X-Forwarded-For (common/metrics_access.h) */
    switch (metrics_access_check(c->remote, call_header(c, "Authorization"),
                                 g_config.metrics_token)) {
    case METRICS_ALLOWED:
        break;
    case METRICS_NEED_TOKEN:
        evhttp_add_header(evhttp_request_get_output_headers(c->req), "WWW-Authenticate",
                          "Bearer realm=\"epart-metrics\"");
        call_reply_problem(c, 401, "Authentification requise",
                           "Les métriques ne sont servies hors de la machine qu'avec le jeton "
                           "de métriques (Authorization: Bearer <EPART_METRICS_TOKEN>).",
                           NULL);
        return;
    case METRICS_LOOPBACK_ONLY:
        call_reply_problem(c, 403, "Accès refusé",
                           "Les métriques ne sont servies qu'aux clients de la machine locale "
                           "(aucun EPART_METRICS_TOKEN n'est configuré).",
                           NULL);
        return;
    }
    text = metrics_render();
    if (text != NULL && oidc_enabled()) {
        char *all = NULL;

        if (asprintf(&all,
                     "%s# HELP epart_oidc_jwks_fetches_total Fetches of the OpenID provider's keys.\n"
                     "# TYPE epart_oidc_jwks_fetches_total counter\nepart_oidc_jwks_fetches_total %ld\n"
                     "# HELP epart_oidc_provider_up Whether the last fetch from the provider worked.\n"
                     "# TYPE epart_oidc_provider_up gauge\nepart_oidc_provider_up %d\n",
                     text, oidc_jwks_fetches(), oidc_provider_ok() ? 1 : 0) < 0)
            all = NULL;
        free(text);
        text = all;
    }
    if (text == NULL) {
        call_reply_problem(c, 500, "Erreur interne", "Métriques indisponibles.", NULL);
        return;
    }
    call_reply_raw(c, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
    free(text);
}
