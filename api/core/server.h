/*
 * server.h — the HTTP server's threads and the life of one request (a "call").
 *
 * The API runs one libevent event base per HTTP thread, each with its own evhttp
 * bound to the shared port with SO_REUSEPORT, its own asynchronous Redis link
 * (the ingest path) and a completion queue fed by the database threads (dbpool.h)
 * which run every PostgreSQL statement off the event loops. See
 * docs/architecture.md.
 *
 * A call is created when a request is dispatched and owned by its HTTP thread
 * until its reply is sent: handlers, Redis callbacks and database jobs refer to
 * the call, never to the raw evhttp_request, and every path ends in exactly one
 * call_reply*() — the only functions that free a call.
 */
#ifndef EPART_API_SERVER_H
#define EPART_API_SERVER_H

#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "jsonutil.h"
#include "token.h"

struct call;
struct call_job;
struct json_arena;
struct redis_link;
struct db;
struct evdns_base;

/* A handler of a route. It runs on the call's HTTP thread and must lead, now or
 * later, to exactly one reply. */
typedef void (*call_handler)(struct call *c);

/* A route's database job: it runs on a database thread with that thread's
 * connections and records the reply (call_set_*), which the call's HTTP thread
 * then sends. */
typedef void (*call_db_job)(struct call *c, struct db *db);

/* Reads again the document a replayed creation showed (core/idempotency.h). */
typedef bool (*idem_reread_fn)(struct call *c, struct db *db, const char *object_id);

/* A phase of a route the dispatcher runs before its code (.load, .check), on
 * the thread of that code: a database thread when the route has a job (db
 * set), else the HTTP thread (db NULL). It returns false after recording the
 * reply (call_set_*), which the dispatcher then sends; what it found stays in
 * the call for the next phases (c->loaded, or c->ctx with its ctx_free) and is
 * freed with it. */
typedef bool (*route_phase_fn)(struct call *c, struct db *db);

#define ROLE_BIT(r) (1u << (unsigned)(r))
#define R_PARTNER ROLE_BIT(ROLE_PARTNER)
#define R_INSTRUCTOR ROLE_BIT(ROLE_INSTRUCTOR)
#define R_ADMIN ROLE_BIT(ROLE_ADMIN)
#define R_ALL (R_PARTNER | R_INSTRUCTOR | R_ADMIN)
#define R_PUBLIC 0u

#define ROUTE_MAX_PARAMS 2

/* What the dispatcher does for a route before (and after) its own code
 * (core/dispatch.c), in SPEC §2's order, after the token, role, convention and
 * rate checks of every route and the row's .load (scope: 404):
 *   ROUTE_UUID_ID  {id} (params[0]) must be a UUID, else 404 at once;
 *   ROUTE_JSON     the body is checked and parsed into c->json (413, 415, 400),
 *                  after .load: an id out of scope is a 404 whatever the body;
 *   ROUTE_JSON_OPT the same when the request has a body (none: c->json NULL);
 *   ROUTE_IDEM     the Idempotency-Key is begun after the body and the row's
 *                  .check (a replay, a reused key or a key in flight answer
 *                  there) and the answer recorded after the job, with .reread
 *                  for a replay's document;
 *   ROUTE_IF_MATCH the If-Match header read into c->if_match after the key (400
 *                  when malformed; 0 when absent): the job compares it (412)
 *                  once its fields passed;
 *   ROUTE_ARENA    the body and the handler's Jansson values live in the call's
 *                  arena (call_arena, jsonarena.h: its rules) — for a handler on
 *                  the HTTP thread that does all its work there (the ingest
 *                  path, POST /v1/dossiers). */
enum route_flag { ROUTE_UUID_ID = 1u << 0, ROUTE_JSON = 1u << 1, ROUTE_IDEM = 1u << 2,
                  ROUTE_ARENA = 1u << 3, ROUTE_JSON_OPT = 1u << 4, ROUTE_IF_MATCH = 1u << 5 };

/* One operation of the API (the table: core/route_table.c). What runs is the
 * handler on the HTTP thread, or the database job, or both: the handler first,
 * which hands over to the job with dispatch_db() (a webhook's host is resolved
 * on the loop before its job). */
struct route {
    const char *method;      /* "GET", "POST", ... */
    const char *pattern;     /* "/v1/dossiers/{id}/transitions" */
    unsigned roles;          /* roles admitted (R_*); R_PUBLIC needs no token */
    const char *summary;     /* for the OpenAPI document */
    call_handler handler;    /* on the HTTP thread */
    call_db_job db;          /* on a database thread */
    /* before the body: the stored object the route acts on, found in the
     * caller's scope (404) and kept in the call (c->loaded or c->ctx) — or, for
     * a handler alone, what must refuse before the body is read (429, 503) */
    route_phase_fn load;
    /* after the body, before the key: the fields whose 422 must not be
     * recorded under the key (idem_set_invalid: a reused key is still told) */
    route_phase_fn check;
    unsigned flags;          /* enum route_flag */
    const void *arg;         /* the handler's or the job's argument: c->route->arg */
    idem_reread_fn reread;   /* with ROUTE_IDEM, when the answer is a document */
    /* What /v1/openapi.json says of it (api/resources/openapi.c explains the notation;
     * the schemas and parameters named live in the files of api/openapi/): */
    const char *query;       /* its query parameters: "limit cursor status" */
    const char *request;     /* its JSON body's schema; "?Name" when optional */
    const char *responses;   /* "202:Accepted 409 412": codes beyond the automatic ones */
};

struct http_thread {
    int index;
    struct event_base *base;
    struct evhttp *http;
    pthread_t tid;
    struct redis_link *redis;
    struct token_cache *tokens; /* tokens verified by this thread (tokencache.h) */
    struct evdns_base *dns;  /* webhook hosts resolved on this loop (resolver.h) */
    /* calls finished by database threads, handed back to this loop */
    pthread_mutex_t done_lock;
    struct call *done_head;
    struct call *done_tail;
    struct event *done_ev;
};

struct call {
    struct http_thread *thr;
    struct evhttp_request *req;
    const struct route *route;
    const char *method;
    char path[512];
    char params[ROUTE_MAX_PARAMS][128];
    struct evkeyvalq query;
    char remote[64];
    int64_t started_us;

    bool authenticated;
    struct identity who;

    char *body;              /* NUL-terminated copy of the request body, or NULL */
    size_t body_len;
    json_t *json;            /* the parsed body when the route takes JSON */
    json_t *loaded;          /* the stored document the route's .load found in
                              * scope (reference held), or NULL */
    int if_match;            /* with ROUTE_IF_MATCH: the If-Match version, 0 if none */

    /* the reply, filled by handlers (here or in a database thread) */
    int status;
    json_t *reply_json;      /* sent as JSON (problem+json when status >= 400) */
    char *reply_raw;         /* or raw bytes with reply_type */
    size_t reply_raw_len;
    const char *reply_type;
    char location[256];
    int etag_version;        /* > 0: ETag "<version>" */
    int retry_after;         /* > 0: Retry-After seconds */
    bool replied;

    /* its trips to the database, hash or provider threads: core's alone
     * (core/call_job.h); a handler says what comes next with call_then() */
    struct call_job *job;

    /* scratch for multi-step handlers */
    void *ctx;
    void (*ctx_free)(void *ctx);
    json_t *org;             /* the partner's organisation (orgcache), reference held */
    struct json_arena *arena; /* Jansson values of the call (call_arena), or NULL */
};

/* The process configuration, loaded once before the threads start. */
extern struct config g_config;

/* Start http_threads event loops serving on the configured port, each request
 * given to on_request with its thread (the dispatcher: core/dispatch.h);
 * returns when server_stop() is called. Returns 0 on a clean stop, -1 if it
 * could not listen. */
int server_run(void (*on_request)(struct evhttp_request *req, void *thr));

/* From now on SIGTERM and SIGINT never kill the process: before server_run()
 * listens (start-up) and after it returns (the audit journal and the database
 * threads being flushed) they are only remembered, and server_run() returns at
 * once when one came before it. A stop must finish however many times the
 * signal is repeated (systemd, docker stop and GNU make each send their own).
 * Call first thing in main(). */
void server_guard_signals(void);

/* Ask every HTTP thread to stop (from an event callback). */
void server_stop(void);

/* Free the HTTP threads once server_run() returned and every pool that hands
 * calls back (database, hash, provider threads) has been stopped: a call they
 * finished meanwhile waits in its thread's completion queue, and is freed here
 * with the thread's event base. */
void server_free(void);

/* Check the body of a JSON route (SPEC §2 order: 413, 415, 400 — more than 32
 * levels of nesting is a 400) and parse it into c->json. Returns false after
 * recording the problem in the call (send it with call_reply_prepared). Safe in
 * database threads. */
bool call_parse_json_body(struct call *c);

/* A new call for req on its thread (method, remote address, start time set),
 * or NULL when memory is short. */
struct call *call_new(struct http_thread *thr, struct evhttp_request *req);

/* Move the request's body into c->body (NUL-terminated) and c->body_len. */
void call_take_body(struct call *c);

/* Hand a call borrowed by another thread (a database, hash or provider job)
 * back to its HTTP thread, where it continues with call_then's function or
 * sends its reply. */
void server_complete(struct call *c);

/* When c comes back from its job (dbpool_submit, hashpool_submit,
 * server_complete) with no reply recorded (status 0), run fn(c) on its HTTP
 * thread instead of replying. May be called by the job itself, on its thread:
 * the call is the job's until it is handed back. */
void call_then(struct call *c, void (*fn)(struct call *c));

/* The HTTP threads, for the metrics and the health checks. */
int server_thread_count(void);
struct http_thread *server_thread(int i);

/* The query parameter name of the call, or NULL. */
const char *call_query(struct call *c, const char *name);

/* The request header name, or NULL. */
const char *call_header(struct call *c, const char *name);

/* The call's arena for Jansson values (jsonarena.h: its rules), made on first
 * use and freed with the call; NULL when out of memory (then enter none). A
 * handler enters it around work whose values all stay with the call. */
struct json_arena *call_arena(struct call *c);

/* Reply with status and a JSON document (takes the reference). Frees the call. */
void call_reply_json(struct call *c, int status, json_t *doc);

/* Reply with an RFC 9457 problem: title and detail in French; errors (an array,
 * reference taken) may be NULL. Frees the call. */
void call_reply_problem(struct call *c, int status, const char *title, const char *detail,
                        json_t *errors);

/* Reply with a 422 listing errors (reference taken). Frees the call. */
void call_reply_invalid(struct call *c, json_t *errors);

/* Reply with raw bytes of the given content type (copied). Frees the call. */
void call_reply_raw(struct call *c, int status, const char *type, const char *data, size_t len);

/* Reply with bytes that outlive the call (the web application's files, held
 * for the life of the process): sent by reference, never copied. type may be
 * NULL (no body). Headers already set on the request are kept. Frees the call. */
void call_reply_ref(struct call *c, int status, const char *type, const void *data, size_t len);

/* Send the reply already recorded in the call (status, reply_json or reply_raw,
 * location, etag). Used when a database thread prepared it. Frees the call. */
void call_reply_prepared(struct call *c);

/* Record a reply without sending it (for database threads): */
void call_set_json(struct call *c, int status, json_t *doc);
void call_set_problem(struct call *c, int status, const char *title, const char *detail,
                      json_t *errors);
void call_set_raw(struct call *c, int status, const char *type, const char *data, size_t len);
/* call_set_raw() of data (malloc'd, NUL-terminated at len), taken rather than
 * copied: a list page's text is a few hundred kilobytes. */
void call_set_raw_owned(struct call *c, int status, const char *type, char *data, size_t len);

/* Record a document as the reply with its ETag, the document's "version". */
void call_set_doc(struct call *c, int status, json_t *doc);

/* The end of a route's .load: doc (reference taken) kept as c->loaded and
 * true; a NULL doc is a 404 (unknown, or out of the caller's scope: SPEC §2
 * never tells them apart), a 503 when failed (PostgreSQL could not say). */
bool call_loaded(struct call *c, json_t *doc, bool failed);

/* Shorthands for the common problems. */
void call_set_not_found(struct call *c);
void call_set_invalid(struct call *c, json_t *errors); /* 422 listing errors (taken) */
void call_set_unavailable(struct call *c, const char *what);

/* The Idempotency-Key header when valid (1..128 printable ASCII); NULL when
 * absent. Sets *bad when present but malformed. */
const char *call_idempotency_key(struct call *c, bool *bad);

/* The If-Match header as a version: 0 when absent, -1 when malformed. */
int call_if_match(struct call *c);

/* The same into *version; false after setting c's 400 when it is malformed. */
bool call_if_match_ok(struct call *c, int *version);

/* Set c's 412 "Version périmée" with detail (what changed, in French). */
void call_set_stale(struct call *c, const char *detail);

/* A body's fields checked with problems found: false after setting c's 422
 * with errors when problems > 0; otherwise true, errors freed. errors is the
 * call's or freed, either way. */
bool call_fields_ok(struct call *c, int problems, json_t *errors);

/* A PATCH's version check against the stored document doc: false after setting
 * c's 412 with stale when If-Match (if_match > 0) names another version than
 * doc's "version"; otherwise true, with doc's version as text in version[n]
 * (what the UPDATE's WHERE compares to). */
bool call_version_current(struct call *c, int if_match, const json_t *doc, const char *stale,
                          char *version, size_t n);

/* 1 when the caller asks for CSV (?format=csv, or an Accept header naming
 * text/csv before application/json, q=0 excluded), 0 for JSON, -1 for an
 * unknown ?format. */
int call_wants_csv(struct call *c);

/* The same for a handler on the HTTP thread: 1 CSV, 0 JSON, or -1 after
 * answering 422 for an unknown ?format. */
int call_format(struct call *c);

/* The idempotency scope of the caller (SPEC §2): its kind, "org", "caisse" or
 * "sub", returned, and in *id the organisation, caisse code or sub. Keys built
 * of it must keep the two apart (common/idem_key.h): a sub may contain ':'. */
const char *call_scope_parts(const struct call *c, const char **id);

/* The same as one text, "org:<id>", "caisse:<code>" or "sub:<sub>", for
 * in-memory tables keyed by scope (ambiguous only between admins whose subs
 * differ after a ':'). */
void call_scope(const struct call *c, char *buf, size_t len);

#endif
