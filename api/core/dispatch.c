/*
 * dispatch.c — from a request to its route's code (see dispatch.h).
 *
 * The order is SPEC §2's: routing (404, 405), then for a route that needs a
 * token the token (401), role and convention (403) and rate (429), all in
 * auth.c; then what the route's row asks for — the {id} (404), the body (413,
 * 415, 400), the Idempotency-Key — and the route's own code. A route that
 * checks its scope against a stored object before its body parses the body
 * itself: the row cannot know where that check ends.
 */
#include "core/dispatch.h"

#include <stdio.h>
#include <string.h>

#include "jsonarena.h"
#include "uuidv.h"
#include "core/auth.h"
#include "core/conn.h"
#include "core/dbpool.h"
#include "core/idempotency.h"
#include "core/route_table.h"
#include "core/web.h"

/* On a database thread: the row's body and key around the route's job. */
static void run_job(struct call *c, struct db *db)
{
    const struct route *r = c->route;
    struct idem idem;

    if ((r->flags & ROUTE_JSON) && !call_parse_json_body(c))
        return;
    if (!(r->flags & ROUTE_IDEM)) {
        r->db(c, db);
        return;
    }
    if (!idem_begin(&idem, c, db, r->reread))
        return;
    r->db(c, db);
    idem_end(&idem, c, db);
}

void dispatch_db(struct call *c)
{
    dbpool_submit(c, run_job);
}

/* The route's handler, after the body when the row asks for it (with a job,
 * the body and the key are the job's: run_job). */
static void run_handler(struct call *c)
{
    if (c->route->db == NULL && (c->route->flags & ROUTE_JSON) && !call_parse_json_body(c)) {
        call_reply_prepared(c);
        return;
    }
    c->route->handler(c);
}

/* Once the caller may call the route: what its row asks for, then its code. */
static void route_run(struct call *c)
{
    const struct route *r = c->route;

    if ((r->flags & ROUTE_UUID_ID) && !uuid_valid(c->params[0])) {
        call_set_not_found(c);
        call_reply_prepared(c);
        return;
    }
    if (r->handler == NULL) {
        dispatch_db(c);
        return;
    }
    if (r->db == NULL && (r->flags & ROUTE_ARENA)) {
        /* the call may end inside: call_free leaves the arena (jsonarena.h) */
        struct json_arena *prev = json_arena_enter(call_arena(c));

        run_handler(c);
        json_arena_restore(prev);
        return;
    }
    run_handler(c);
}

void dispatch_request(struct evhttp_request *req, void *arg)
{
    struct http_thread *thr = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    const char *qs = uri ? evhttp_uri_get_query(uri) : NULL;
    struct call *c = call_new(thr, req);
    bool method_mismatch = false;
    char allow[64];

    conn_request_whole(req);
    if (c == NULL) {
        evhttp_send_error(req, 503, "Service Unavailable");
        return;
    }
    snprintf(c->path, sizeof(c->path), "%s", path ? path : "/");
    if (path == NULL || strlen(path) >= sizeof(c->path)) {
        call_reply_problem(c, 404, "Ressource introuvable", "Chemin inconnu.", NULL);
        return;
    }
    if (qs != NULL && evhttp_parse_query_str(qs, &c->query) != 0) {
        call_reply_problem(c, 400, "Requête mal formée", "Chaîne de requête illisible.", NULL);
        return;
    }
    /* The web application (SPEC §12) lives beside the API, outside /v1: its
     * files are not operations of the route table. */
    if (web_owns(c->path)) {
        web_serve(c);
        return;
    }
    c->route = routes_find(c->method, c->path, c->params, &method_mismatch, allow,
                           sizeof(allow));
    if (c->route == NULL) {
        if (method_mismatch) {
            evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
            call_reply_problem(c, 405, "Méthode non permise",
                               "Cette ressource n'accepte pas cette méthode.", NULL);
            return;
        }
        call_reply_problem(c, 404, "Ressource introuvable", "Chemin inconnu.", NULL);
        return;
    }
    call_take_body(c);
    if (c->route->roles == R_PUBLIC) {
        route_run(c);
        return;
    }
    auth_check(c, route_run);
}
