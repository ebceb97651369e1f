/*
 * clock.c — real and test clocks.
 *
 * The test instant lives in an atomic so that every thread of a process reads it
 * without locking; the follower thread mirrors the shared value kept in Redis.
 */
#include "clock.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>

#include "log.h"
#include "redis_primary.h"

#define CLOCK_REAL (-1)

static bool test_mode;
static _Atomic int64_t frozen_us = CLOCK_REAL;
/* Local sets (PUT /v1/admin/clock in this process) bump the generation; the
 * follower applies what it read only when no local set happened meanwhile, so
 * a read issued just before a PUT can never undo it. */
static pthread_mutex_t set_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t set_gen;
static pthread_t follower;
static atomic_bool follower_running;

void clock_init(bool enabled)
{
    test_mode = enabled;
    atomic_store(&frozen_us, CLOCK_REAL);
}

bool clock_test_mode(void)
{
    return test_mode;
}

int64_t clock_real_us(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

int64_t clock_now_us(void)
{
    int64_t f = atomic_load(&frozen_us);

    return (test_mode && f != CLOCK_REAL) ? f : clock_real_us();
}

time_t clock_now(void)
{
    return (time_t)(clock_now_us() / 1000000);
}

cal_date clock_today(void)
{
    return cal_paris_date(clock_now());
}

time_t clock_real(void)
{
    return (time_t)(clock_real_us() / 1000000);
}

void clock_set(time_t t)
{
    if (!test_mode)
        return;
    pthread_mutex_lock(&set_lock);
    atomic_store(&frozen_us, t < 0 ? CLOCK_REAL : (int64_t)t * 1000000);
    set_gen++;
    pthread_mutex_unlock(&set_lock);
}

static uint64_t generation(void)
{
    uint64_t g;

    pthread_mutex_lock(&set_lock);
    g = set_gen;
    pthread_mutex_unlock(&set_lock);
    return g;
}

/* Apply a value read from Redis unless a local set came after the read began. */
static void follow_apply(time_t t, uint64_t gen_before_read)
{
    pthread_mutex_lock(&set_lock);
    if (set_gen == gen_before_read)
        atomic_store(&frozen_us, t < 0 ? CLOCK_REAL : (int64_t)t * 1000000);
    pthread_mutex_unlock(&set_lock);
}

/* One read of the shared value on *rc (connected, or reconnected after a
 * failover, here): true with *seen (-1: unset) when Redis answered. */
static bool read_shared(redisContext **rc, uint64_t *rc_gen, long long *seen)
{
    const struct timeval tv = {1, 0};
    redisReply *r;
    bool ok;

    if (*rc == NULL || (*rc)->err || primary_stale(*rc_gen)) {
        if (*rc != NULL)
            redisFree(*rc);
        *rc = primary_connect(tv, rc_gen);
        if (*rc == NULL)
            return false;
    }
    r = redisCommand(*rc, "GET %s", CLOCK_REDIS_KEY);
    if (r == NULL)
        return false;
    ok = r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_NIL;
    *seen = r->type == REDIS_REPLY_STRING ? strtoll(r->str, NULL, 10) : -1;
    freeReplyObject(r);
    return ok;
}

/* Apply the shared value only when it changes: a read issued just before this
 * process's own PUT must not undo it. */
static void *follow_loop(void *arg)
{
    redisContext *rc = NULL;
    long long last = -2; /* -2: nothing seen yet, -1: unset */
    uint64_t gen, rc_gen = 0;

    (void)arg;
    while (atomic_load(&follower_running)) {
        long long seen;

        gen = generation();
        if (!read_shared(&rc, &rc_gen, &seen)) {
            usleep(200000);
            continue;
        }
        if (seen != last) {
            follow_apply((time_t)seen, gen);
            last = seen;
        }
        usleep(100000);
    }
    if (rc != NULL)
        redisFree(rc);
    return NULL;
}

void clock_sync(void)
{
    static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;
    static redisContext *rc;
    static uint64_t rc_gen;
    long long seen;
    uint64_t gen;

    if (!test_mode)
        return;
    pthread_mutex_lock(&sync_lock);
    gen = generation();
    if (read_shared(&rc, &rc_gen, &seen))
        follow_apply((time_t)seen, gen);
    pthread_mutex_unlock(&sync_lock);
}

int clock_follow(void)
{
    if (!test_mode)
        return 0;
    atomic_store(&follower_running, true);
    if (pthread_create(&follower, NULL, follow_loop, NULL) != 0) {
        atomic_store(&follower_running, false);
        log_error("clock: cannot start the test clock follower");
        return -1;
    }
    return 0;
}

void clock_stop_follow(void)
{
    if (!atomic_load(&follower_running))
        return;
    atomic_store(&follower_running, false);
    pthread_join(follower, NULL);
}
