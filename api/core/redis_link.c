/*
 * redis_link.c — reconnecting, watched asynchronous Redis connection.
 *
 * Each command carries a small record (callback, caller's data, time sent) kept
 * in a FIFO: Redis answers in order, so the head is always the oldest command
 * waiting, which is what the watchdog looks at.
 *
 * With Sentinels (redis_primary.h) the link connects to the primary they name,
 * is up only once ROLE answered "master", and is dropped — every command
 * waiting on it failing with NULL — when the primary changes, when a reply
 * says the node is no longer a writable primary (-READONLY, -UNBLOCKED…), or
 * when Redis stops answering. A reply that arrives on a connection whose
 * primary is no longer the current one is handed on as NULL: the durability
 * rule's fence (docs/high-availability.md).
 */
#include "core/redis_link.h"

#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "clock.h"
#include "log.h"
#include "redis_conn.h"
#include "redis_primary.h"
#include "sentinel.h"

struct pending {
    redis_link_cb cb;
    void *priv;
    int64_t sent_us;
    struct redis_link *link;
    struct pending *next;
};

struct redis_link {
    struct event_base *base;
    char host[256];
    int port;
    redisAsyncContext *ac;
    uint64_t gen;        /* redis_primary generation the connection was opened under */
    int64_t connect_us;  /* when the connection attempt (and ROLE check) began */
    bool up;
    bool freeing;
    struct event *retry;
    struct event *watchdog;
    struct pending *head, *tail;
    _Atomic int inflight; /* read by /metrics from other threads */
    bool logged_down;
};

static void link_connect(struct redis_link *l);
static void link_drop(struct redis_link *l);
static void on_role(redisAsyncContext *ac, void *r, void *privdata);

static void schedule_retry(struct redis_link *l)
{
    struct timeval tv = {0, 200000};

    if (!l->freeing)
        evtimer_add(l->retry, &tv);
}

static void link_is_up(struct redis_link *l)
{
    l->up = true;
    if (l->logged_down)
        log_info("redis: connected again to %s:%d", l->host, l->port);
    l->logged_down = false;
}

/* Close the connection now, not after the pending replies (redisAsyncDisconnect
 * would wait for a paused Redis forever): every waiting command gets NULL. */
static void link_drop(struct redis_link *l)
{
    redisAsyncContext *ac = l->ac;

    l->ac = NULL;
    l->up = false;
    if (ac != NULL)
        redisAsyncFree(ac); /* deferred by hiredis when called from a callback */
    primary_suspect();
    schedule_retry(l);
}

static void on_role(redisAsyncContext *ac, void *r, void *privdata)
{
    struct redis_link *l = privdata;

    if (ac != l->ac || l->freeing)
        return; /* dropped meanwhile */
    if (!sentinel_role_is_master(r) || primary_stale(l->gen)) {
        if (!l->logged_down)
            log_warn("redis: %s:%d is not the primary (yet); looking again", l->host, l->port);
        l->logged_down = true;
        link_drop(l);
        return;
    }
    link_is_up(l);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    struct redis_link *l = ac->data;

    if (ac != l->ac)
        return;
    if (status != REDIS_OK) {
        /* hiredis frees the context after this callback */
        l->ac = NULL;
        l->up = false;
        if (!l->logged_down)
            log_warn("redis: cannot connect to %s:%d", l->host, l->port);
        l->logged_down = true;
        schedule_retry(l);
        return;
    }
    if (primary_clustered()) {
        /* up only once the node says it is a primary (Sentinel client spec) */
        if (redisAsyncCommand(l->ac, on_role, l, "ROLE") != REDIS_OK)
            link_drop(l);
        return;
    }
    link_is_up(l);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    struct redis_link *l = ac->data;

    (void)status;
    if (ac != l->ac) {
        schedule_retry(l); /* dropped by link_drop(), which logged */
        return;
    }
    l->ac = NULL;
    l->up = false;
    primary_suspect();
    if (!l->logged_down && !l->freeing)
        log_warn("redis: connection to %s:%d lost", l->host, l->port);
    l->logged_down = true;
    schedule_retry(l);
}

static void link_connect(struct redis_link *l)
{
    struct hostport hp;
    redisAsyncContext *ac;

    if (!primary_current(&hp, &l->gen)) {
        schedule_retry(l);
        return;
    }
    snprintf(l->host, sizeof(l->host), "%s", hp.host);
    l->port = hp.port;
    l->connect_us = clock_real_us();
    ac = redisAsyncConnect(l->host, l->port);
    if (ac == NULL || ac->err || redis_auth_async(ac, primary_config()) < 0) {
        if (ac != NULL)
            redisAsyncFree(ac);
        schedule_retry(l);
        return;
    }
    ac->data = l;
    redisLibeventAttach(ac, l->base);
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    l->ac = ac;
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    struct redis_link *l = arg;

    (void)fd;
    (void)what;
    if (l->ac == NULL)
        link_connect(l);
}

/* Drop a connection whose oldest command waits too long: a Redis that stopped
 * answering must not keep ingest requests hanging. */
static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
    struct redis_link *l = arg;

    (void)fd;
    (void)what;
    if (l->ac == NULL)
        return;
    if (primary_stale(l->gen)) {
        log_warn("redis: the primary moved away from %s:%d; reconnecting", l->host, l->port);
        link_drop(l);
    } else if (l->head != NULL &&
               clock_real_us() - l->head->sent_us > (int64_t)REDIS_LINK_TIMEOUT_MS * 1000) {
        log_warn("redis: no answer for %d ms, dropping the connection", REDIS_LINK_TIMEOUT_MS);
        link_drop(l);
    } else if (!l->up && clock_real_us() - l->connect_us > (int64_t)REDIS_LINK_TIMEOUT_MS * 1000) {
        link_drop(l); /* connecting, or waiting for ROLE, for too long */
    }
}

static void on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    struct pending *p = privdata;
    struct redis_link *l = p->link;
    struct pending **pp;

    /* unlink p (normally the head) */
    for (pp = &l->head; *pp != NULL && *pp != p; pp = &(*pp)->next)
        ;
    if (*pp == p) {
        *pp = p->next;
        if (l->tail == p) {
            struct pending *t = l->head;

            while (t != NULL && t->next != NULL)
                t = t->next;
            l->tail = t;
        }
    }
    l->inflight--;
    if (r != NULL && primary_stale(l->gen)) {
        /* written to a node that is no longer the primary: acknowledges nothing */
        r = NULL;
        if (ac == l->ac)
            link_drop(l);
    }
    p->cb((redisReply *)r, p->priv);
    free(p);
    if (r != NULL && ((redisReply *)r)->type == REDIS_REPLY_ERROR &&
        sentinel_error_rediscover(((redisReply *)r)->str) && ac == l->ac && primary_clustered()) {
        log_warn("redis: %s:%d answered %.40s; looking for the primary again", l->host, l->port,
                 ((redisReply *)r)->str);
        link_drop(l);
    }
}

struct redis_link *redis_link_new(struct event_base *base, const char *host, int port)
{
    struct redis_link *l = calloc(1, sizeof(*l));
    struct timeval tv = {0, 250000};

    if (l == NULL)
        return NULL;
    l->base = base;
    snprintf(l->host, sizeof(l->host), "%s", host);
    l->port = port;
    l->retry = evtimer_new(base, on_retry, l);
    l->watchdog = event_new(base, -1, EV_PERSIST, on_watchdog, l);
    if (l->retry == NULL || l->watchdog == NULL) {
        redis_link_free(l);
        return NULL;
    }
    evtimer_add(l->watchdog, &tv);
    link_connect(l);
    return l;
}

void redis_link_free(struct redis_link *l)
{
    if (l == NULL)
        return;
    l->freeing = true;
    if (l->ac != NULL)
        redisAsyncFree(l->ac); /* calls pending callbacks with NULL */
    if (l->retry != NULL)
        event_free(l->retry);
    if (l->watchdog != NULL)
        event_free(l->watchdog);
    free(l);
}

bool redis_link_up(const struct redis_link *l)
{
    return l->up && l->ac != NULL;
}

int redis_link_inflight(const struct redis_link *l)
{
    return l->inflight;
}

int redis_link_command(struct redis_link *l, redis_link_cb cb, void *priv, int argc,
                       const char **argv, const size_t *lens)
{
    struct pending *p;

    if (!redis_link_up(l))
        return -1;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return -1;
    p->cb = cb;
    p->priv = priv;
    p->link = l;
    p->sent_us = clock_real_us();
    if (redisAsyncCommandArgv(l->ac, on_reply, p, argc, argv, lens) != REDIS_OK) {
        free(p);
        return -1;
    }
    if (l->tail != NULL)
        l->tail->next = p;
    else
        l->head = p;
    l->tail = p;
    l->inflight++;
    return 0;
}
