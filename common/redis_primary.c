/*
 * redis_primary.c — following the Redis primary through Sentinel.
 *
 * One thread, blocking hiredis with short timeouts: it owns a query
 * connection (to the Sentinel that answered last, tried first next time, as
 * the client spec asks) and a subscription to +switch-master. Everything it
 * learns is published under a mutex (the address) and in atomics (generation,
 * acknowledgements), read by the clients of every other thread.
 */
#include "redis_primary.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "redis_conn.h"
#include "sentinel.h"

#define SENTINEL_TIMEOUT_MS 500
#define REFRESH_MS 1000

/* The configuration of primary_start(): the credentials of every connection. */
static const struct config *auth_config;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct hostport primary; /* under lock */
static bool known;              /* under lock */
static bool clustered;
static struct hostlist sentinels;
static char master_name[64];
static _Atomic uint64_t generation = 1;
static atomic_int acks;
static atomic_bool suspect;
static atomic_bool running;
static pthread_t watcher;
static int preferred; /* the Sentinel that answered last (watcher thread only) */

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void publish(const struct hostport *hp, int healthy)
{
    bool changed;

    pthread_mutex_lock(&lock);
    changed = !known || !hostport_equal(&primary, hp);
    if (changed) {
        primary = *hp;
        known = true;
        atomic_fetch_add(&generation, 1);
    }
    pthread_mutex_unlock(&lock);
    if (healthy >= 0) {
        int before = atomic_exchange(&acks, sentinel_required_acks(healthy));

        if (!changed && before != atomic_load(&acks))
            log_info("redis: %d replica acknowledgement(s) per write now (%d healthy)",
                     atomic_load(&acks), healthy);
    }
    if (changed)
        log_info("redis: the primary of '%s' is %s:%d (%d replica acknowledgement(s) per write)",
                 master_name, hp->host, hp->port, atomic_load(&acks));
}

/* A connection to a Sentinel, authenticated with the Sentinels' own password
 * (their requirepass) when there is one. */
static redisContext *connect_ms(const struct hostport *hp, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    redisContext *rc = redisConnectWithTimeout(hp->host, hp->port, tv);
    const char *pass = auth_config != NULL ? auth_config->redis_sentinel_password : "";
    redisReply *r;
    bool ok;

    if (rc == NULL || rc->err) {
        if (rc != NULL)
            redisFree(rc);
        return NULL;
    }
    redisSetTimeout(rc, tv);
    if (pass[0] == '\0')
        return rc;
    r = redisCommand(rc, "AUTH %s", pass);
    ok = r != NULL && r->type == REDIS_REPLY_STATUS;
    if (!ok && r != NULL && r->type == REDIS_REPLY_ERROR)
        log_error("redis: the Sentinel at %s:%d refused our password: %.80s", hp->host, hp->port,
                  r->str);
    if (r != NULL)
        freeReplyObject(r);
    if (!ok) {
        redisFree(rc);
        return NULL;
    }
    return rc;
}

/* Ask the Sentinels, the last one that answered first. */
static bool ask_sentinels(redisContext **qc)
{
    for (int k = 0; k < sentinels.n; k++) {
        int i = (preferred + k) % sentinels.n;
        redisReply *r;
        struct hostport hp;
        int healthy = -1;
        bool ok;

        if (k > 0 || *qc == NULL || (*qc)->err) {
            if (*qc != NULL)
                redisFree(*qc);
            *qc = connect_ms(&sentinels.a[i], SENTINEL_TIMEOUT_MS);
            if (*qc == NULL)
                continue;
        }
        r = redisCommand(*qc, "SENTINEL get-master-addr-by-name %s", master_name);
        ok = sentinel_master_addr(r, &hp);
        if (r != NULL)
            freeReplyObject(r);
        if (!ok) {
            /* unreachable, or a Sentinel that does not know the primary */
            redisFree(*qc);
            *qc = NULL;
            continue;
        }
        r = redisCommand(*qc, "SENTINEL replicas %s", master_name);
        healthy = sentinel_healthy_replicas(r);
        if (r != NULL)
            freeReplyObject(r);
        preferred = i;
        publish(&hp, healthy);
        return true;
    }
    return false;
}

static redisContext *subscribe(void)
{
    redisContext *sc = connect_ms(&sentinels.a[preferred], SENTINEL_TIMEOUT_MS);
    redisReply *r;

    if (sc == NULL)
        return NULL;
    r = redisCommand(sc, "SUBSCRIBE +switch-master");
    if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
        if (r != NULL)
            freeReplyObject(r);
        redisFree(sc);
        return NULL;
    }
    freeReplyObject(r);
    return sc;
}

/* Read what the subscription has, without blocking. False when it broke. */
static bool read_switches(redisContext *sc, bool *switched)
{
    struct pollfd pfd = {.fd = sc->fd, .events = POLLIN};
    void *reply = NULL;

    if (poll(&pfd, 1, 100) <= 0)
        return true;
    if (redisBufferRead(sc) != REDIS_OK)
        return false;
    while (redisGetReplyFromReader(sc, &reply) == REDIS_OK && reply != NULL) {
        struct hostport to;

        if (sentinel_switch_master(reply, master_name, &to)) {
            log_warn("redis: Sentinel switched the primary to %s:%d", to.host, to.port);
            publish(&to, -1);
            *switched = true;
        }
        freeReplyObject(reply);
        reply = NULL;
    }
    return sc->err == 0;
}

static void *watch(void *arg)
{
    redisContext *qc = NULL, *sc = NULL;
    int64_t last = mono_ms();
    bool logged = false;

    (void)arg;
    while (atomic_load(&running)) {
        bool switched = false;

        if (sc == NULL) {
            sc = subscribe();
            if (sc == NULL)
                usleep(100000);
        } else if (!read_switches(sc, &switched)) {
            redisFree(sc);
            sc = NULL;
        }
        if (switched || atomic_exchange(&suspect, false) || mono_ms() - last >= REFRESH_MS) {
            last = mono_ms();
            if (ask_sentinels(&qc)) {
                if (logged)
                    log_info("redis: a Sentinel answers again");
                logged = false;
            } else if (!logged) {
                log_warn("redis: no Sentinel of %d answers for '%s'", sentinels.n, master_name);
                logged = true;
            }
        }
    }
    if (qc != NULL)
        redisFree(qc);
    if (sc != NULL)
        redisFree(sc);
    return NULL;
}

const struct config *primary_config(void)
{
    return auth_config;
}

int primary_start(const struct config *c)
{
    redisContext *qc = NULL;

    auth_config = c;
    clustered = c->redis_sentinels.n > 0;
    if (!clustered) {
        pthread_mutex_lock(&lock);
        snprintf(primary.host, sizeof(primary.host), "%s", c->redis_host);
        primary.port = c->redis_port;
        known = true;
        pthread_mutex_unlock(&lock);
        atomic_store(&acks, 0);
        return 0;
    }
    sentinels = c->redis_sentinels;
    snprintf(master_name, sizeof(master_name), "%s", c->redis_master_name);
    atomic_store(&acks, 1);
    if (!ask_sentinels(&qc))
        log_warn("redis: no Sentinel answers for '%s' yet", master_name);
    if (qc != NULL)
        redisFree(qc);
    atomic_store(&running, true);
    if (pthread_create(&watcher, NULL, watch, NULL) != 0) {
        atomic_store(&running, false);
        log_error("redis: cannot start the Sentinel watcher");
        return -1;
    }
    return 0;
}

void primary_stop(void)
{
    if (atomic_exchange(&running, false))
        pthread_join(watcher, NULL);
}

bool primary_clustered(void)
{
    return clustered;
}

bool primary_current(struct hostport *hp, uint64_t *gen)
{
    bool k;

    pthread_mutex_lock(&lock);
    k = known;
    if (k)
        *hp = primary;
    if (gen != NULL)
        *gen = atomic_load(&generation);
    pthread_mutex_unlock(&lock);
    return k;
}

bool primary_stale(uint64_t gen)
{
    return clustered && atomic_load(&generation) != gen;
}

int primary_required_acks(void)
{
    return clustered ? atomic_load(&acks) : 0;
}

void primary_suspect(void)
{
    if (clustered)
        atomic_store(&suspect, true);
}

redisContext *primary_connect(struct timeval tv, uint64_t *gen)
{
    struct hostport hp;
    uint64_t g;
    redisContext *rc;
    redisReply *r;
    bool master;

    if (!primary_current(&hp, &g))
        return NULL;
    rc = redisConnectWithTimeout(hp.host, hp.port, tv);
    if (rc == NULL || rc->err) {
        if (rc != NULL)
            redisFree(rc);
        primary_suspect();
        return NULL;
    }
    redisSetTimeout(rc, tv);
    if (!redis_auth(rc, auth_config)) {
        redisFree(rc);
        return NULL;
    }
    if (clustered) {
        r = redisCommand(rc, "ROLE");
        master = sentinel_role_is_master(r);
        if (r != NULL)
            freeReplyObject(r);
        if (!master || primary_stale(g)) {
            redisFree(rc);
            primary_suspect();
            return NULL;
        }
    }
    if (gen != NULL)
        *gen = g;
    return rc;
}
