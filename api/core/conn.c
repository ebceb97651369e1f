/*
 * conn.c — the guard of each connection (see conn.h).
 *
 * How it sits beside evhttp without changing it: evhttp_set_bevcb() lets us
 * make each connection's bufferevent, and an evbuffer callback on its input
 * buffer sees every byte read from the socket before evhttp's read callback
 * parses them. Once evhttp has adopted the bufferevent, its connection is
 * known (the callback argument it installed) and a close callback tells when
 * it ends: that is where a conn is freed, whatever closed the connection.
 *
 * To stop a connection, a conn never frees anything of evhttp's: it discards
 * what the socket brings (evhttp never sees it) and shuts the socket down;
 * evhttp reads the end of file and frees the connection as for a client that
 * left.
 *
 * Framing: when a request's head arrives whole in one read into an empty
 * buffer — what every client does — the conn reads it before evhttp: a body
 * over the limit (413), chunked (411), or for a route needing a token sent
 * without a valid one (401) is answered at once and its bytes discarded until
 * its end or the deadline. A head trickled in pieces is left to evhttp's own
 * limits (EPART_BODY_LIMIT, 32 KiB of headers) and to the deadline.
 */
#include "core/conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/http.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "clock.h"
#include "log.h"
#include "token.h"
#include "core/inflight.h"
#include "core/route_table.h"
#include "core/tokencache.h"

#define HEAD_MAX (32 * 1024)
#define BUCKETS 1024

enum conn_state {
    C_HEAD,    /* the next byte starts a request */
    C_READING, /* a request is being read; evhttp frames it */
    C_DRAIN,   /* a refused body: discard body_left bytes, then close */
    C_CLOSED   /* discard everything until the end */
};

struct conn {
    struct http_thread *thr;
    struct bufferevent *bev;
    struct evhttp_connection *evcon; /* once evhttp has adopted bev */
    struct conn *next;               /* in the thread's table */
    struct event check_ev;
    struct event deadline_ev;
    bool deadline_armed;
    bool checked;
    bool counted; /* in open_total and per_addr */
    char addr[64];
    enum conn_state state;
    uint64_t body_left;
};

static atomic_int open_total;
static struct inflight per_addr = INFLIGHT_INIT;

/* Per HTTP thread: its connections by evhttp connection (no lock: one thread). */
static __thread struct conn *table[BUCKETS];

static unsigned bucket_of(const void *p)
{
    return (unsigned)(((uintptr_t)p >> 4) % BUCKETS);
}

int conn_open_count(void)
{
    return atomic_load(&open_total);
}

/* ---- answering and ending ----------------------------------------------------- */

static evutil_socket_t conn_fd(const struct conn *cs)
{
    return bufferevent_getfd(cs->bev);
}

/* Write a problem+json answer straight to the socket; only while evhttp has
 * nothing of its own to write. */
static void send_problem(struct conn *cs, int status, const char *reason, const char *title,
                         const char *detail, const char *extra_header)
{
    char type[64], out[2048];
    json_t *p;
    char *body;
    int n;

    if (evbuffer_get_length(bufferevent_get_output(cs->bev)) > 0)
        return;
    snprintf(type, sizeof(type), "https://epart.fr/problems/%d", status);
    p = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", title, "status", status,
                  "detail", detail);
    body = p != NULL ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    if (body == NULL)
        return;
    /* one segment: the head and the body together */
    n = snprintf(out, sizeof(out),
                 "HTTP/1.1 %d %s\r\nContent-Type: application/problem+json\r\n"
                 "Content-Length: %zu\r\nConnection: close\r\nCache-Control: no-store\r\n"
                 "X-Content-Type-Options: nosniff\r\n%s\r\n%s",
                 status, reason, strlen(body), extra_header ? extra_header : "", body);
    if (n > 0 && (size_t)n < sizeof(out))
        (void)!send(conn_fd(cs), out, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
    free(body);
}

static void disarm(struct conn *cs)
{
    if (cs->deadline_armed) {
        evtimer_del(&cs->deadline_ev);
        cs->deadline_armed = false;
    }
}

/* Stop the connection: evhttp reads the end of file and frees it. */
static void cut(struct conn *cs)
{
    cs->state = C_CLOSED;
    disarm(cs);
    shutdown(conn_fd(cs), SHUT_RDWR);
}

/* Answer now, then discard a body of body_left bytes and close. */
static void refuse(struct conn *cs, uint64_t body_left, int status, const char *reason,
                   const char *title, const char *detail, const char *extra_header)
{
    send_problem(cs, status, reason, title, detail, extra_header);
    cs->state = C_DRAIN;
    cs->body_left = body_left;
    if (body_left == 0)
        cut(cs);
}

/* ---- the caps, and adoption by evhttp -------------------------------------------- */

static void on_close(struct evhttp_connection *evcon, void *arg);

static void peer_text(struct conn *cs)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    const void *a = NULL;

    cs->addr[0] = '\0';
    if (getpeername(conn_fd(cs), (struct sockaddr *)&ss, &len) < 0)
        return;
    if (ss.ss_family == AF_INET)
        a = &((struct sockaddr_in *)&ss)->sin_addr;
    else if (ss.ss_family == AF_INET6)
        a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
    if (a == NULL || inet_ntop(ss.ss_family, a, cs->addr, sizeof(cs->addr)) == NULL)
        cs->addr[0] = '\0';
}

/* a connection over one of the caps: not counted, told 503 with Retry-After, cut */
static void refuse_over_cap(struct conn *cs, const char *title, const char *detail)
{
    atomic_fetch_sub(&open_total, 1);
    send_problem(cs, 503, "Service Unavailable", title, detail, "Retry-After: 1\r\n");
    cut(cs);
}

static void check_caps(struct conn *cs)
{
    bufferevent_data_cb r, w;
    bufferevent_event_cb e;
    void *arg = NULL;

    if (cs->checked)
        return;
    cs->checked = true;
    /* evhttp installed its callbacks on bev with its connection as argument */
    bufferevent_getcb(cs->bev, &r, &w, &e, &arg);
    cs->evcon = arg;
    if (cs->evcon != NULL) {
        unsigned b = bucket_of(cs->evcon);

        evhttp_connection_set_closecb(cs->evcon, on_close, cs);
        cs->next = table[b];
        table[b] = cs;
    }
    peer_text(cs);
    if (atomic_fetch_add(&open_total, 1) >= g_config.max_connections) {
        refuse_over_cap(cs, "Service indisponible",
                        "Le serveur a atteint son nombre maximal de connexions ; réessayez dans "
                        "quelques secondes.");
        return;
    }
    if (!inflight_take(&per_addr, cs->addr, g_config.max_connections_per_addr)) {
        refuse_over_cap(cs, "Trop de connexions",
                        "Votre adresse a déjà le nombre maximal de connexions ouvertes ; "
                        "réutilisez-les ou réessayez plus tard.");
        return;
    }
    cs->counted = true;
}

static void on_check(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    check_caps(arg);
}

/* ---- the deadline ------------------------------------------------------------------ */

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
    struct conn *cs = arg;
    char detail[200];

    (void)fd;
    (void)what;
    cs->deadline_armed = false;
    if (cs->state == C_HEAD || cs->state == C_READING) {
        snprintf(detail, sizeof(detail),
                 "La requête n'est pas arrivée entière dans les %d secondes suivant son "
                 "premier octet.",
                 g_config.http_timeout_s);
        send_problem(cs, 408, "Request Timeout", "Requête trop lente", detail, NULL);
    }
    cut(cs);
}

static void arm(struct conn *cs)
{
    struct timeval tv = {g_config.http_timeout_s, 0};

    if (cs->deadline_armed)
        return;
    evtimer_add(&cs->deadline_ev, &tv);
    cs->deadline_armed = true;
}

/* ---- the head of a request ----------------------------------------------------------- */

struct head {
    char method[16];
    char path[512];
    bool has_length, bad_length, chunked;
    uint64_t length;
    const char *authorization; /* into the copied head */
};

static const char *header_value(char *line, const char *name)
{
    size_t n = strlen(name);
    char *v;

    if (strncasecmp(line, name, n) != 0 || line[n] != ':')
        return NULL;
    v = line + n + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    return v;
}

static void parse_head(char *text, struct head *h)
{
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    bool first = true;

    memset(h, 0, sizeof(*h));
    for (; line != NULL; line = strtok_r(NULL, "\n", &save)) {
        size_t len = strlen(line);
        const char *v;

        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        if (first) {
            char *sp = strchr(line, ' '), *target, *end;

            first = false;
            if (sp == NULL || (size_t)(sp - line) >= sizeof(h->method))
                continue;
            memcpy(h->method, line, (size_t)(sp - line));
            target = sp + 1;
            end = target + strcspn(target, " ?");
            if (*target == '/' && (size_t)(end - target) < sizeof(h->path))
                memcpy(h->path, target, (size_t)(end - target));
            continue;
        }
        if ((v = header_value(line, "Content-Length")) != NULL) {
            char *e;
            unsigned long long n;

            errno = 0;
            n = strtoull(v, &e, 10);
            while (*e == ' ' || *e == '\t')
                e++;
            if (errno != 0 || e == v || *e != '\0' || *v < '0' || *v > '9' ||
                (h->has_length && n != h->length))
                h->bad_length = true;
            h->has_length = true;
            h->length = n;
        } else if (header_value(line, "Transfer-Encoding") != NULL) {
            h->chunked = true;
        } else if ((v = header_value(line, "Authorization")) != NULL) {
            h->authorization = v;
        }
    }
}

/* evhttp reads no body for these (its evhttp_method_may_have_body). */
static bool method_has_body(const char *m)
{
    return strcmp(m, "HEAD") != 0 && strcmp(m, "TRACE") != 0;
}

/* A body for a route that needs a token, without a valid one. */
static bool token_refused(struct conn *cs, const struct head *h, const char **detail)
{
    char params[ROUTE_MAX_PARAMS][128], allow[64];
    bool mismatch = false;
    const struct route *r;
    const char *tok;
    size_t len = 0;
    struct identity who;
    enum token_error err;

    if (h->path[0] == '\0')
        return false;
    r = routes_find(h->method, h->path, params, &mismatch, allow, sizeof(allow));
    if (r == NULL || r->roles == R_PUBLIC)
        return false;
    tok = token_from_bearer(h->authorization, &len);
    if (tok == NULL) {
        *detail = "Un jeton Bearer est requis dans l'en-tête Authorization.";
        return true;
    }
    err = token_cache_verify(cs->thr->tokens, tok, len, g_config.jwt_secret,
                             g_config.jwt_secret_len, clock_real(), &who);
    if (err != TOKEN_OK) {
        *detail = token_error_str(err);
        return true;
    }
    return false;
}

/* The length of the head at the start of buf ("\r\n\r\n" or "\n\n"), or 0. */
static size_t head_length(struct evbuffer *buf)
{
    struct evbuffer_ptr p = evbuffer_search(buf, "\r\n\r\n", 4, NULL);
    struct evbuffer_ptr q = evbuffer_search(buf, "\n\n", 2, NULL);
    size_t a = p.pos >= 0 ? (size_t)p.pos + 4 : 0, b = q.pos >= 0 ? (size_t)q.pos + 2 : 0;

    if (a == 0)
        return b;
    if (b == 0)
        return a;
    return a < b ? a : b;
}

/* Read the head at the start of buf (hlen bytes): refuse it, or let it go. */
static void check_head(struct conn *cs, struct evbuffer *buf, size_t hlen)
{
    char *text = malloc(hlen + 1);
    struct head h;
    const char *detail = NULL;

    if (text == NULL)
        return;
    evbuffer_copyout(buf, text, hlen);
    text[hlen] = '\0';
    parse_head(text, &h);
    if (h.chunked && method_has_body(h.method))
        refuse(cs, 0, 411, "Length Required", "Longueur requise",
               "Le corps doit être envoyé avec un en-tête Content-Length (pas en "
               "Transfer-Encoding: chunked).",
               NULL);
    else if (h.has_length && !h.bad_length && h.length > g_config.body_limit &&
             method_has_body(h.method))
        refuse(cs, h.length, 413, "Content Too Large", "Corps trop volumineux",
               "Le corps de la requête dépasse la limite autorisée.", NULL);
    else if (h.has_length && !h.bad_length && h.length > 0 && method_has_body(h.method) &&
             token_refused(cs, &h, &detail))
        refuse(cs, h.length, 401, "Unauthorized",
               h.authorization ? "Jeton invalide" : "Authentification requise", detail,
               "WWW-Authenticate: Bearer realm=\"epart\"\r\n");
    if (cs->state == C_DRAIN || cs->state == C_CLOSED)
        evbuffer_drain(buf, hlen); /* evhttp never sees the refused head */
    free(text);
}

/* Bytes have been read into buf, before evhttp looks at them. */
static void on_input(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    struct conn *cs = arg;
    size_t len, n, hlen;

    if (info->n_added == 0)
        return; /* our own drain, or evhttp's reading */
    check_caps(cs);
    len = evbuffer_get_length(buf);
    switch (cs->state) {
    case C_CLOSED:
        evbuffer_drain(buf, len);
        return;
    case C_DRAIN:
        n = len < cs->body_left ? len : (size_t)cs->body_left;
        evbuffer_drain(buf, n);
        cs->body_left -= n;
        if (cs->body_left == 0)
            cut(cs);
        else if (len > n)
            evbuffer_drain(buf, len - n);
        return;
    case C_READING:
        arm(cs);
        return;
    case C_HEAD:
        arm(cs);
        cs->state = C_READING;
        /* the whole head in one read into an empty buffer: read it first */
        if (info->orig_size == 0 && (hlen = head_length(buf)) > 0 && hlen <= HEAD_MAX)
            check_head(cs, buf, hlen);
        if (cs->state == C_DRAIN) {
            len = evbuffer_get_length(buf);
            n = len < cs->body_left ? len : (size_t)cs->body_left;
            evbuffer_drain(buf, n);
            cs->body_left -= n;
            if (cs->body_left == 0)
                cut(cs);
        }
        return;
    }
}

/* ---- life ------------------------------------------------------------------------------- */

static void conn_free(struct conn *cs)
{
    if (cs->evcon != NULL) {
        struct conn **pp = &table[bucket_of(cs->evcon)];

        while (*pp != NULL && *pp != cs)
            pp = &(*pp)->next;
        if (*pp == cs)
            *pp = cs->next;
    }
    event_del(&cs->check_ev);
    event_del(&cs->deadline_ev);
    if (cs->counted) {
        atomic_fetch_sub(&open_total, 1);
        inflight_release(&per_addr, cs->addr);
    }
    free(cs);
}

static void on_close(struct evhttp_connection *evcon, void *arg)
{
    (void)evcon;
    conn_free(arg);
}

void conn_request_whole(struct evhttp_request *req)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    struct conn *cs;

    if (evcon == NULL)
        return;
    for (cs = table[bucket_of(evcon)]; cs != NULL; cs = cs->next)
        if (cs->evcon == evcon) {
            disarm(cs);
            if (cs->state == C_READING)
                cs->state = C_HEAD;
            return;
        }
}

struct bufferevent *conn_new(struct event_base *base, void *arg)
{
    struct conn *cs = calloc(1, sizeof(*cs));

    if (cs == NULL)
        return NULL;
    cs->thr = arg;
    /* as evhttp makes its own: it closes the socket itself */
    cs->bev = bufferevent_socket_new(base, -1, 0);
    if (cs->bev == NULL) {
        free(cs);
        return NULL;
    }
    evbuffer_add_cb(bufferevent_get_input(cs->bev), on_input, cs);
    event_assign(&cs->check_ev, base, -1, 0, on_check, cs);
    evtimer_assign(&cs->deadline_ev, base, on_deadline, cs);
    /* runs once evhttp has adopted the bufferevent */
    event_active(&cs->check_ev, EV_TIMEOUT, 1);
    return cs->bev;
}
