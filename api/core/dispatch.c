/*
 * dispatch.c — from a request to its route's code (see dispatch.h).
 *
 * The order is SPEC §2's, and each step is the route row's (core/routes.def,
 * struct route in core/server.h), as tmux's cmd_entry says what a command
 * needs and its dispatcher does it:
 *   1. routing: 404, 405 with Allow;
 *   2. for a route that needs a token: the token (401), role and convention
 *      (403) and rate (429), all in core/auth.c;
 *   3. ROUTE_UUID_ID: the {id} a UUID (404);
 *   4. .load: the stored object the route acts on, found in the caller's scope
 *      (404) and left in the call — before the body, so that an id out of
 *      scope is a 404 whatever the body;
 *   5. ROUTE_JSON (ROUTE_JSON_OPT): the body (413, 415, 400);
 *   6. .check: the fields whose 422 is never recorded under the key;
 *   7. ROUTE_IDEM: the Idempotency-Key begun (a replay, a reused key, a key in
 *      flight answer here), its answer recorded after the job;
 *   8. ROUTE_IF_MATCH: If-Match read (400), into c->if_match;
 *   9. the route's code (.handler on the HTTP thread, .db on a database
 *      thread): its other fields (422), then 412 and 409.
 * Steps 4 to 8 run where the route's code runs: on the database thread
 * around .db (run_job), on the HTTP thread before a handler alone. A
 * transaction the phases or the job left open (a row locked by .load, a job
 * that failed) is rolled back here, before the key's record.
 */
#include "core/dispatch.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "jsonarena.h"
#include "uuidv.h"
#include "core/auth.h"
#include "core/conn.h"
#include "core/dbpool.h"
#include "core/idempotency.h"
#include "core/route_table.h"
#include "core/web.h"

/* Steps 4 to 6 (load, body, check), on the thread of the route's code. */
static bool before_key(struct call *c, struct db *db)
{
    const struct route *r = c->route;

    if (r->load != NULL && !r->load(c, db))
        return false;
    if (((r->flags & ROUTE_JSON) || ((r->flags & ROUTE_JSON_OPT) && c->body_len > 0)) &&
        !call_parse_json_body(c))
        return false;
    return r->check == NULL || r->check(c, db);
}

static bool in_transaction(PGconn *pg)
{
    return pg != NULL && PQstatus(pg) == CONNECTION_OK &&
           PQtransactionStatus(pg) != PQTRANS_IDLE;
}

/* On a database thread: the row's phases around the route's job. */
static void run_job(struct call *c, struct db *db)
{
    const struct route *r = c->route;
    struct idem idem = {.active = false};

    if (!before_key(c, db))
        goto out;
    if ((r->flags & ROUTE_IDEM) && !idem_begin(&idem, c, db, r->reread))
        goto out;
    if ((r->flags & ROUTE_IF_MATCH) && !call_if_match_ok(c, &c->if_match))
        goto out;
    r->db(c, db);
out:
    /* the key's own transaction is idem_end's to commit with its record */
    if (!(idem.active && idem.own_tx) && in_transaction(db->pg))
        db_rollback(db->pg);
    idem_end(&idem, c, db);
}

void dispatch_db(struct call *c)
{
    dbpool_submit(c, run_job);
}

/* The route's handler, after the phases its row asks for (with a job, they
 * are the job's: run_job). */
static void run_handler(struct call *c)
{
    const struct route *r = c->route;

    if (r->db == NULL &&
        (!before_key(c, NULL) ||
         ((r->flags & ROUTE_IF_MATCH) && !call_if_match_ok(c, &c->if_match)))) {
        call_reply_prepared(c);
        return;
    }
    r->handler(c);
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
