/*
 * server.c — HTTP threads, calls and their replies.
 *
 * Each HTTP thread owns an event base, an evhttp listening on the shared port
 * (SO_REUSEPORT lets the kernel spread connections), an asynchronous Redis link
 * and a completion queue for calls back from other threads. What a request
 * goes through, route by route, is the dispatcher's (core/dispatch.c): this
 * file knows calls, not routes.
 */
#include "core/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "clock.h"
#include "fielderr.h"
#include "jsonarena.h"
#include "jsonfast.h"
#include "log.h"
#include "resolver.h"
#include "core/call_job.h"
#include "core/conn.h"
#include "core/metrics.h"
#include "core/redis_link.h"
#include "core/tokencache.h"

struct config g_config;

static struct http_thread *threads;
static int nthreads;
static void (*request_cb)(struct evhttp_request *req, void *thr);

/* ---- replies -------------------------------------------------------------- */

static void call_free(struct call *c)
{
    /* the call's values are released inside its arena (jsonarena.h), which
     * then goes whole — also when the call ends within its own handler */
    struct json_arena *prev = c->arena != NULL ? json_arena_enter(c->arena) : NULL;

    evhttp_clear_headers(&c->query);
    json_decref(c->json);
    json_decref(c->loaded);
    json_decref(c->org);
    json_decref(c->reply_json);
    free(c->reply_raw);
    free(c->body);
    if (c->job->deadline != NULL)
        event_free(c->job->deadline);
    if (c->ctx_free != NULL && c->ctx != NULL)
        c->ctx_free(c->ctx);
    if (c->arena != NULL) {
        json_arena_restore(prev == c->arena ? NULL : prev);
        json_arena_free(c->arena);
    }
    free(c);
}

struct json_arena *call_arena(struct call *c)
{
    if (c->arena == NULL)
        c->arena = json_arena_new();
    return c->arena;
}

static int dump_to_evbuffer(const char *text, size_t n, void *buf)
{
    return evbuffer_add(buf, text, n);
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

void call_set_json(struct call *c, int status, json_t *doc)
{
    json_decref(c->reply_json);
    c->reply_json = doc;
    c->status = status;
}

void call_set_doc(struct call *c, int status, json_t *doc)
{
    c->etag_version = (int)json_integer_value(json_object_get(doc, "version"));
    call_set_json(c, status, doc);
}

void call_set_problem(struct call *c, int status, const char *title, const char *detail,
                      json_t *errors)
{
    char type[64];
    json_t *p;

    snprintf(type, sizeof(type), "https://epart.fr/problems/%d", status);
    p = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", title, "status", status,
                  "detail", detail ? detail : title);
    if (errors != NULL)
        json_object_set_new(p, "errors", errors);
    call_set_json(c, status, p);
}

void call_set_raw_owned(struct call *c, int status, const char *type, char *data, size_t len)
{
    free(c->reply_raw);
    c->reply_raw = data;
    c->reply_raw_len = len;
    c->reply_type = type;
    c->status = status;
}

void call_set_raw(struct call *c, int status, const char *type, const char *data, size_t len)
{
    char *copy = malloc(len + 1);

    if (copy != NULL) {
        memcpy(copy, data, len);
        copy[len] = '\0';
    }
    call_set_raw_owned(c, status, type, copy, len);
}

void call_set_not_found(struct call *c)
{
    call_set_problem(c, 404, "Ressource introuvable",
                     "Aucune ressource de ce type ne porte cet identifiant dans votre périmètre.",
                     NULL);
}

bool call_loaded(struct call *c, json_t *doc, bool failed)
{
    if (doc == NULL) {
        if (failed)
            call_set_unavailable(c, "La base de données");
        else
            call_set_not_found(c);
        return false;
    }
    json_decref(c->loaded);
    c->loaded = doc;
    return true;
}

void call_set_unavailable(struct call *c, const char *what)
{
    char detail[256];

    snprintf(detail, sizeof(detail),
             "%s est momentanément indisponible ; réessayez dans quelques secondes.", what);
    c->retry_after = 1;
    call_set_problem(c, 503, "Service indisponible", detail, NULL);
}

/* Send the recorded reply, once; the call is not freed. */
static void send_prepared(struct call *c)
{
    struct evbuffer *buf;
    struct evkeyvalq *h;
    char tmp[32];

    if (c->replied)
        return;
    c->replied = true;
    if (c->status == 0)
        call_set_problem(c, 500, "Erreur interne", "La requête n'a pas pu être traitée.", NULL);
    h = evhttp_request_get_output_headers(c->req);
    buf = evbuffer_new();
    if (c->reply_json != NULL) {
        evhttp_add_header(h, "Content-Type",
                          c->status >= 400 ? "application/problem+json" : "application/json");
        /* Jansson's text, written by jsonfast.h's writer (its per-character
         * loop was 350 k instructions for a dossier's document) straight
         * into the reply: no text to copy, nothing of Jansson's allocator to
         * free (the call may be in its arena) */
        if (json_fast_dump(c->reply_json, false, dump_to_evbuffer, buf) != 0)
            evbuffer_drain(buf, evbuffer_get_length(buf));
    } else if (c->reply_raw != NULL) {
        evhttp_add_header(h, "Content-Type", c->reply_type);
        evbuffer_add(buf, c->reply_raw, c->reply_raw_len);
    }
    if (c->location[0] != '\0')
        evhttp_add_header(h, "Location", c->location);
    if (c->etag_version > 0) {
        snprintf(tmp, sizeof(tmp), "\"%d\"", c->etag_version);
        evhttp_add_header(h, "ETag", tmp);
    }
    if (c->retry_after > 0) {
        snprintf(tmp, sizeof(tmp), "%d", c->retry_after);
        evhttp_add_header(h, "Retry-After", tmp);
    }
    if (c->status == 401)
        evhttp_add_header(h, "WWW-Authenticate", "Bearer realm=\"epart\"");
    if (evhttp_find_header(h, "Cache-Control") == NULL)
        evhttp_add_header(h, "Cache-Control", "no-store");
    if (evhttp_find_header(h, "X-Content-Type-Options") == NULL)
        evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    metrics_observe(c->route, c->status, clock_real_us() - c->started_us);
    evhttp_send_reply(c->req, c->status, reason(c->status), buf);
    evbuffer_free(buf);
}

void call_reply_prepared(struct call *c)
{
    send_prepared(c);
    call_free(c);
}

void call_reply_early(struct call *c)
{
    send_prepared(c);
}

void call_reply_ref(struct call *c, int status, const char *type, const void *data, size_t len)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(c->req);
    struct evbuffer *buf = evbuffer_new();

    c->replied = true;
    c->status = status;
    if (type != NULL)
        evhttp_add_header(h, "Content-Type", type);
    if (len > 0)
        evbuffer_add_reference(buf, data, len, NULL, NULL);
    if (evhttp_find_header(h, "X-Content-Type-Options") == NULL)
        evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    metrics_observe(c->route, c->status, clock_real_us() - c->started_us);
    evhttp_send_reply(c->req, c->status, reason(c->status), buf);
    evbuffer_free(buf);
    call_free(c);
}

void call_reply_json(struct call *c, int status, json_t *doc)
{
    call_set_json(c, status, doc);
    call_reply_prepared(c);
}

void call_reply_problem(struct call *c, int status, const char *title, const char *detail,
                        json_t *errors)
{
    call_set_problem(c, status, title, detail, errors);
    call_reply_prepared(c);
}

void call_set_invalid(struct call *c, json_t *errors)
{
    call_set_problem(c, 422, "Requête invalide",
                     "Un ou plusieurs champs sont invalides : voir errors.", errors);
}

void call_reply_invalid(struct call *c, json_t *errors)
{
    call_set_invalid(c, errors);
    call_reply_prepared(c);
}

void call_reply_raw(struct call *c, int status, const char *type, const char *data, size_t len)
{
    call_set_raw(c, status, type, data, len);
    call_reply_prepared(c);
}

/* ---- request accessors ----------------------------------------------------- */

const char *call_query(struct call *c, const char *name)
{
    return evhttp_find_header(&c->query, name);
}

const char *call_header(struct call *c, const char *name)
{
    return evhttp_find_header(evhttp_request_get_input_headers(c->req), name);
}

const char *call_idempotency_key(struct call *c, bool *bad)
{
    const char *k = call_header(c, "Idempotency-Key");
    size_t n;

    *bad = false;
    if (k == NULL)
        return NULL;
    n = strlen(k);
    if (n == 0 || n > 128) {
        *bad = true;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (k[i] < 0x21 || k[i] > 0x7e) {
            *bad = true;
            return NULL;
        }
    return k;
}

int call_if_match(struct call *c)
{
    const char *v = call_header(c, "If-Match");
    long n = 0;
    const char *p;

    if (v == NULL)
        return 0;
    p = v;
    if (p[0] == 'W' && p[1] == '/')
        p += 2;
    if (*p == '"')
        p++;
    if (*p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9') {
        n = n * 10 + (*p - '0');
        if (n > 1000000000L)
            return -1;
        p++;
    }
    if (*p == '"')
        p++;
    if (*p != '\0' || n <= 0)
        return -1;
    return (int)n;
}

bool call_if_match_ok(struct call *c, int *version)
{
    *version = call_if_match(c);
    if (*version >= 0)
        return true;
    call_set_problem(c, 400, "En-tête invalide", "If-Match doit être une version \"N\".", NULL);
    return false;
}

void call_set_stale(struct call *c, const char *detail)
{
    call_set_problem(c, 412, "Version périmée", detail, NULL);
}

bool call_fields_ok(struct call *c, int problems, json_t *errors)
{
    if (problems > 0) {
        call_set_invalid(c, errors);
        return false;
    }
    json_decref(errors);
    return true;
}

bool call_version_current(struct call *c, int if_match, const json_t *doc, const char *stale,
                          char *version, size_t n)
{
    json_int_t current = json_integer_value(json_object_get(doc, "version"));

    if (if_match > 0 && if_match != current) {
        call_set_stale(c, stale);
        return false;
    }
    snprintf(version, n, "%lld", (long long)current);
    return true;
}

int call_wants_csv(struct call *c)
{
    const char *format = call_query(c, "format");
    const char *accept = call_header(c, "Accept");

    if (format != NULL)
        return strcmp(format, "csv") == 0 ? 1 : strcmp(format, "json") == 0 ? 0 : -1;
    while (accept != NULL && *accept != '\0') {
        size_t n = strcspn(accept, ",");
        size_t t;
        const char *q;
        char range[64];

        while (n > 0 && (*accept == ' ' || *accept == '\t')) {
            accept++;
            n--;
        }
        t = strcspn(accept, ";,");
        while (t > 0 && (accept[t - 1] == ' ' || accept[t - 1] == '\t'))
            t--;
        snprintf(range, sizeof(range), "%.*s", (int)(t < sizeof(range) ? t : 0), accept);
        q = strstr(accept, "q=");
        if (!(q != NULL && q < accept + n && strtod(q + 2, NULL) <= 0.0)) {
            if (strcasecmp(range, "text/csv") == 0)
                return 1;
            if (strcasecmp(range, "application/json") == 0)
                return 0;
        }
        accept += n;
        if (*accept == ',')
            accept++;
    }
    return 0;
}

int call_format(struct call *c)
{
    int csv = call_wants_csv(c);
    json_t *errors;

    if (csv >= 0)
        return csv;
    errors = json_array();
    fielderr_add(errors, "format", "invalid_enum", "format doit valoir json ou csv.");
    call_reply_invalid(c, errors);
    return -1;
}

void call_scope(const struct call *c, char *buf, size_t len)
{
    const char *id = NULL;
    const char *kind = call_scope_parts(c, &id);

    snprintf(buf, len, "%s:%s", kind, id ? id : "");
}

const char *call_scope_parts(const struct call *c, const char **id)
{
    switch (c->who.role) {
    case ROLE_PARTNER:
        *id = c->who.org;
        return "org";
    case ROLE_INSTRUCTOR:
        *id = c->who.caisse;
        return "caisse";
    default:
        *id = c->who.sub;
        return "sub";
    }
}

/* ---- a new call ------------------------------------------------------------- */

static const char *method_name(enum evhttp_cmd_type m)
{
    switch (m) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_PATCH: return "PATCH";
    case EVHTTP_REQ_DELETE: return "DELETE";
    case EVHTTP_REQ_HEAD: return "HEAD";
    case EVHTTP_REQ_OPTIONS: return "OPTIONS";
    default: return "OTHER";
    }
}

static void remote_addr(struct call *c)
{
    struct evhttp_connection *con = evhttp_request_get_connection(c->req);
    char *addr = NULL;
    ev_uint16_t port = 0;

    if (con != NULL)
        evhttp_connection_get_peer(con, &addr, &port);
    snprintf(c->remote, sizeof(c->remote), "%s", addr ? addr : "");
}

struct call *call_new(struct http_thread *thr, struct evhttp_request *req)
{
    /* the call and its job in one allocation; call_free frees both */
    struct call_mem {
        struct call call;
        struct call_job job;
    } *m = calloc(1, sizeof(*m));
    struct call *c = m != NULL ? &m->call : NULL;

    if (c == NULL)
        return NULL;
    c->job = &m->job;
    c->thr = thr;
    c->req = req;
    c->started_us = clock_real_us();
    c->method = method_name(evhttp_request_get_command(req));
    TAILQ_INIT(&c->query);
    remote_addr(c);
    return c;
}

void call_take_body(struct call *c)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(c->req);
    size_t n = evbuffer_get_length(in);

    if (n == 0)
        return;
    c->body = malloc(n + 1);
    if (c->body == NULL)
        return;
    evbuffer_remove(in, c->body, n);
    c->body[n] = '\0';
    c->body_len = n;
}

/* Body checks of SPEC §2 (413, 415, 400), run by the dispatcher (ROUTE_JSON)
 * or by handlers after their scope checks. Returns false after recording the
 * problem in the call. */
bool call_parse_json_body(struct call *c)
{
    const char *ct = call_header(c, "Content-Type");
    json_error_t jerr;
    size_t n;

    if (c->body_len > g_config.body_limit) {
        call_set_problem(c, 413, "Corps trop volumineux",
                         "Le corps de la requête dépasse la limite autorisée.", NULL);
        return false;
    }
    if (ct == NULL) {
        call_set_problem(c, 415, "Type de contenu non pris en charge",
                         "Le corps doit être envoyé en application/json.", NULL);
        return false;
    }
    n = strcspn(ct, ";");
    while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    if (!((n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
          (strcmp(c->method, "PATCH") == 0 && n == 28 &&
           strncasecmp(ct, "application/merge-patch+json", 28) == 0))) {
        call_set_problem(c, 415, "Type de contenu non pris en charge",
                         "Le corps doit être envoyé en application/json.", NULL);
        return false;
    }
    if (c->body == NULL || c->body_len == 0) {
        call_set_problem(c, 400, "JSON mal formé", "Le corps de la requête est vide.", NULL);
        return false;
    }
    /* The fast path (jsonfast.h) takes what Jansson would, at most 32 levels
     * deep; on anything else the checks below give Jansson's own answer. */
    c->json = json_fast_loadb(c->body, c->body_len, 32);
    if (c->json != NULL && json_is_object(c->json))
        return true;
    json_decref(c->json);
    if (!json_depth_ok(c->body, c->body_len, 32)) {
        call_set_problem(c, 400, "JSON mal formé",
                         "Le document JSON est imbriqué sur plus de 32 niveaux.", NULL);
        return false;
    }
    c->json = json_loadb(c->body, c->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (c->json == NULL) {
        char detail[300];

        snprintf(detail, sizeof(detail), "JSON illisible (ligne %d, colonne %d) : %s", jerr.line,
                 jerr.column, jerr.text);
        call_set_problem(c, 400, "JSON mal formé", detail, NULL);
        return false;
    }
    if (!json_is_object(c->json)) {
        call_set_problem(c, 400, "JSON mal formé", "Le corps doit être un objet JSON.", NULL);
        return false;
    }
    return true;
}

/* ---- completion queue -------------------------------------------------------- */

void call_then(struct call *c, void (*fn)(struct call *c))
{
    c->job->then = fn;
}

void server_complete(struct call *c)
{
    struct http_thread *thr = c->thr;

    c->job->next = NULL;
    pthread_mutex_lock(&thr->done_lock);
    if (thr->done_tail != NULL)
        thr->done_tail->job->next = c;
    else
        thr->done_head = c;
    thr->done_tail = c;
    pthread_mutex_unlock(&thr->done_lock);
    event_active(thr->done_ev, EV_READ, 0);
}

/* A call back from its job, on its HTTP thread: on with its next step when the
 * job left no reply and none was sent meanwhile, else its reply. */
static void call_returned(struct call *c)
{
    struct call_job *j = c->job;

    if (j->deadline != NULL)
        evtimer_del(j->deadline);
    atomic_store(&j->state, CALL_JOB_NONE);
    if (j->then != NULL && !c->replied && c->status == 0) {
        void (*next)(struct call *) = j->then;

        j->then = NULL;
        next(c);
        return;
    }
    call_reply_prepared(c);
}

/* Every call of thr's completion queue, each given to fn. */
static void done_drain(struct http_thread *thr, void (*fn)(struct call *c))
{
    struct call *c, *next;

    pthread_mutex_lock(&thr->done_lock);
    c = thr->done_head;
    thr->done_head = thr->done_tail = NULL;
    pthread_mutex_unlock(&thr->done_lock);
    for (; c != NULL; c = next) {
        next = c->job->next;
        fn(c);
    }
}

static void on_done(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    done_drain(arg, call_returned);
}

/* ---- threads ------------------------------------------------------------------- */

static int thread_init(struct http_thread *thr)
{
    struct sockaddr_in sin;
    struct evconnlistener *lev;
    struct timeval tv = {g_config.http_timeout_s, 0};

    thr->base = event_base_new();
    thr->http = thr->base ? evhttp_new(thr->base) : NULL;
    if (thr->http == NULL)
        return -1;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)g_config.http_port);
    sin.sin_addr.s_addr = htonl(INADDR_ANY);
    lev = evconnlistener_new_bind(thr->base, NULL, NULL,
                                  LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT |
                                      LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
                                  1024, (struct sockaddr *)&sin, sizeof(sin));
    if (lev == NULL) {
        log_error("http: cannot listen on port %d: %s", g_config.http_port, strerror(errno));
        return -1;
    }
    /* Linux passes TCP_NODELAY on to the accepted sockets. Without it, the last
     * partial segment of a large answer (a list page) waits for the client's
     * delayed ACK: 40 ms per page. */
    if (setsockopt(evconnlistener_get_fd(lev), IPPROTO_TCP, TCP_NODELAY, &(int){1},
                   sizeof(int)) < 0)
        log_warn("http: TCP_NODELAY: %s", strerror(errno));
    if (evhttp_bind_listener(thr->http, lev) == NULL)
        return -1;
    /* conn.c watches every connection before evhttp reads it: caps in all and
     * per address, an absolute deadline from each request's first byte, and an
     * oversized or unauthenticated body answered (413, 401) before it is read.
     * evhttp's own limits stay as a second line. */
    evhttp_set_bevcb(thr->http, conn_new, thr);
    evhttp_set_max_body_size(thr->http, (ev_ssize_t)g_config.body_limit);
    evhttp_set_max_headers_size(thr->http, 32 * 1024);
    evhttp_set_timeout_tv(thr->http, &tv);
    evhttp_set_default_content_type(thr->http, "application/json");
    evhttp_set_allowed_methods(thr->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                              EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE |
                                              EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
    evhttp_set_gencb(thr->http, request_cb, thr);
    pthread_mutex_init(&thr->done_lock, NULL);
    thr->done_ev = event_new(thr->base, -1, EV_PERSIST, on_done, thr);
    thr->redis = redis_link_new(thr->base, g_config.redis_host, g_config.redis_port);
    thr->tokens = token_cache_new();
    thr->dns = resolver_new(thr->base, g_config.resolv_conf);
    return thr->done_ev && thr->redis && thr->tokens && thr->dns ? 0 : -1;
}

static void *thread_main(void *arg)
{
    struct http_thread *thr = arg;

    event_base_dispatch(thr->base);
    return NULL;
}

static void thread_free(struct http_thread *thr)
{
    if (thr->redis != NULL)
        redis_link_free(thr->redis);
    token_cache_free(thr->tokens);
    resolver_free(thr->dns);
    if (thr->done_ev != NULL)
        event_free(thr->done_ev);
    if (thr->http != NULL)
        evhttp_free(thr->http);
    if (thr->base != NULL)
        event_base_free(thr->base);
    pthread_mutex_destroy(&thr->done_lock);
}

static volatile sig_atomic_t stop_signalled;

/* The handler outside the event loop. libevent saves it when the loop's own
 * handlers are added and puts it back when they are freed, so that there is no
 * instant at which the default action (death) applies. */
static void remember_signal(int sig)
{
    (void)sig;
    stop_signalled = 1;
}

void server_guard_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = remember_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    (void)arg;
    log_info("http: signal %d received", (int)sig);
    server_stop();
}

int server_run(void (*on_request)(struct evhttp_request *req, void *thr))
{
    struct event *sigs[2] = {NULL, NULL};
    int rc = 0;

    evthread_use_pthreads();
    request_cb = on_request;
    nthreads = g_config.http_threads;
    threads = calloc((size_t)nthreads, sizeof(*threads));
    if (threads == NULL)
        return -1;
    for (int i = 0; i < nthreads; i++) {
        threads[i].index = i;
        if (thread_init(&threads[i]) < 0) {
            rc = -1;
            goto out;
        }
    }
    sigs[0] = evsignal_new(threads[0].base, SIGTERM, on_signal, NULL);
    sigs[1] = evsignal_new(threads[0].base, SIGINT, on_signal, NULL);
    for (int i = 0; i < 2; i++)
        if (sigs[i] != NULL)
            event_add(sigs[i], NULL);
    if (stop_signalled) { /* during start-up */
        log_info("http: stop requested during start-up");
        server_stop();
    }
    log_info("http: listening on port %d with %d threads", g_config.http_port, nthreads);
    for (int i = 1; i < nthreads; i++)
        pthread_create(&threads[i].tid, NULL, thread_main, &threads[i]);
    thread_main(&threads[0]);
    for (int i = 1; i < nthreads; i++)
        pthread_join(threads[i].tid, NULL);
out:
    for (int i = 0; i < 2; i++)
        if (sigs[i] != NULL)
            event_free(sigs[i]);
    return rc;
}

void server_free(void)
{
    for (int i = 0; i < nthreads && threads != NULL; i++) {
        /* calls the pools finished after the loops stopped: their connections
         * close with evhttp; only their memory is left */
        done_drain(&threads[i], call_free);
        thread_free(&threads[i]);
    }
    free(threads);
    threads = NULL;
    nthreads = 0;
}

void server_stop(void)
{
    /* loopexit, not loopbreak: a loop that has not started dispatching yet
     * (a signal during start-up) would forget a break, not an exit. */
    for (int i = 0; i < nthreads; i++)
        if (threads != NULL && threads[i].base != NULL)
            event_base_loopexit(threads[i].base, NULL);
}

int server_thread_count(void)
{
    return nthreads;
}

struct http_thread *server_thread(int i)
{
    return (threads != NULL && i >= 0 && i < nthreads) ? &threads[i] : NULL;
}
