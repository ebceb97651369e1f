/*
 * resolver.c — evdns with a deadline of our own (see resolver.h).
 *
 * Ownership: a struct lookup lives from resolver_start() until evdns has called
 * on_resolved() — which it does exactly once, also after a cancellation. The
 * caller's callback runs once: from on_resolved() when the answer comes in
 * time, else from the deadline timer, which then cancels the request and
 * leaves on_resolved() to free the lookup.
 */
#include "resolver.h"

#include <arpa/inet.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lookup {
    struct event *timer;
    struct evdns_getaddrinfo_request *req;
    resolve_cb cb;
    void *arg;
    bool starting;  /* inside evdns_getaddrinfo(): an answer now is delivered by the timer */
    bool answered;  /* on_resolved() has filled result */
    bool delivered; /* cb has run */
    struct resolve_result result;
};

struct evdns_base *resolver_new(struct event_base *base, const char *resolv_conf)
{
    struct evdns_base *dns = evdns_base_new(base, EVDNS_BASE_DISABLE_WHEN_INACTIVE);

    if (dns == NULL)
        return NULL;
    /* a missing file leaves evdns with 127.0.0.1, as libc would */
    evdns_base_resolv_conf_parse(dns, DNS_OPTIONS_ALL, resolv_conf);
    /* two tries of one second; the caller's deadline bounds the whole */
    evdns_base_set_option(dns, "timeout:", "1");
    evdns_base_set_option(dns, "attempts:", "2");
    evdns_base_set_option(dns, "randomize-case:", "0");
    evdns_base_set_option(dns, "max-inflight:", "256");
    return dns;
}

void resolver_free(struct evdns_base *dns)
{
    if (dns != NULL)
        evdns_base_free(dns, 1);
}

static void deliver(struct lookup *l)
{
    l->delivered = true;
    l->cb(&l->result, l->arg);
}

static void lookup_free(struct lookup *l)
{
    event_free(l->timer);
    free(l);
}

static void fill(struct resolve_result *r, int err, struct evutil_addrinfo *ai)
{
    memset(r, 0, sizeof(*r));
    if (err == 0) {
        for (; ai != NULL && r->n < RESOLVE_MAX_ADDRS; ai = ai->ai_next)
            if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
                ai->ai_addrlen <= sizeof(r->addrs[0]))
                memcpy(&r->addrs[r->n++], ai->ai_addr, ai->ai_addrlen);
        r->status = r->n > 0 ? RESOLVE_OK : RESOLVE_NOT_FOUND;
        return;
    }
    switch (err) {
    case EVUTIL_EAI_NONAME:
    case EVUTIL_EAI_NODATA:
        r->status = RESOLVE_NOT_FOUND;
        break;
    case EVUTIL_EAI_AGAIN:
        r->status = RESOLVE_TIMEOUT;
        break;
    default:
        r->status = RESOLVE_FAILED;
        break;
    }
}

static void on_resolved(int err, struct evutil_addrinfo *ai, void *arg)
{
    struct lookup *l = arg;

    if (l->delivered) { /* too late: the deadline answered already */
        if (ai != NULL)
            evutil_freeaddrinfo(ai);
        lookup_free(l);
        return;
    }
    fill(&l->result, err, ai);
    if (ai != NULL)
        evutil_freeaddrinfo(ai);
    l->answered = true;
    l->req = NULL;
    if (l->starting)
        return; /* resolver_start() hands it to the timer */
    deliver(l);
    lookup_free(l);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
    struct lookup *l = arg;

    (void)fd;
    (void)what;
    if (l->answered) {
        deliver(l);
        lookup_free(l);
        return;
    }
    memset(&l->result, 0, sizeof(l->result));
    l->result.status = RESOLVE_TIMEOUT;
    deliver(l);
    if (l->req == NULL) { /* cannot happen: evdns answers or hands a request */
        lookup_free(l);
        return;
    }
    /* on_resolved() follows, with EVUTIL_EAI_CANCEL, and frees l */
    evdns_getaddrinfo_cancel(l->req);
}

/* The numeric forms: an IPv6 literal, or what inet_aton() reads as IPv4
 * (libcurl and libc read "2130706433" and "0x7f.1" as 127.0.0.1). */
static bool numeric(const char *host, struct resolve_result *r)
{
    struct in_addr a4;
    struct in6_addr a6;

    memset(r, 0, sizeof(*r));
    if (inet_aton(host, &a4) == 1) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&r->addrs[0];

        sin->sin_family = AF_INET;
        sin->sin_addr = a4;
        r->n = 1;
        r->numeric = true;
        return true;
    }
    if (inet_pton(AF_INET6, host, &a6) == 1) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&r->addrs[0];

        sin6->sin6_family = AF_INET6;
        sin6->sin6_addr = a6;
        r->n = 1;
        r->numeric = true;
        return true;
    }
    return false;
}

bool resolver_start(struct event_base *base, struct evdns_base *dns, const char *host,
                    int timeout_ms, resolve_cb cb, void *arg)
{
    struct evutil_addrinfo hints;
    struct lookup *l;
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    static const struct timeval now = {0, 0};

    if (dns == NULL || host == NULL)
        return false;
    l = calloc(1, sizeof(*l));
    if (l == NULL)
        return false;
    l->timer = evtimer_new(base, on_deadline, l);
    if (l->timer == NULL) {
        free(l);
        return false;
    }
    l->cb = cb;
    l->arg = arg;
    if (numeric(host, &l->result)) {
        l->answered = true;
        evtimer_add(l->timer, &now);
        return true;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    l->starting = true;
    l->req = evdns_getaddrinfo(dns, host, NULL, &hints, on_resolved, l);
    l->starting = false;
    /* answered at once (the hosts file, a cached failure): deliver from the
     * loop, never from inside this call */
    evtimer_add(l->timer, l->answered ? &now : &tv);
    return true;
}

/* ---- from a thread without a loop --------------------------------------------- */

struct sync_state {
    bool done;
    struct resolve_result *out;
};

static void on_sync(const struct resolve_result *r, void *arg)
{
    struct sync_state *st = arg;

    *st->out = *r;
    st->done = true;
}

void resolver_lookup(const char *resolv_conf, const char *host, int timeout_ms,
                     struct resolve_result *out)
{
    struct event_base *base = event_base_new();
    struct evdns_base *dns = base ? resolver_new(base, resolv_conf) : NULL;
    struct sync_state st = {false, out};

    memset(out, 0, sizeof(*out));
    out->status = RESOLVE_FAILED;
    if (dns != NULL && resolver_start(base, dns, host, timeout_ms, on_sync, &st))
        while (!st.done)
            event_base_loop(base, EVLOOP_ONCE);
    if (dns != NULL)
        evdns_base_free(dns, 1);
    if (base != NULL) {
        /* run what the cancellation and the free left to call back */
        event_base_loop(base, EVLOOP_NONBLOCK);
        event_base_loop(base, EVLOOP_NONBLOCK);
        event_base_free(base);
    }
}

bool resolver_addr_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
    if (ss->ss_family == AF_INET)
        return inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, buf,
                         (socklen_t)len) != NULL;
    if (ss->ss_family == AF_INET6)
        return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, buf,
                         (socklen_t)len) != NULL;
    return false;
}
