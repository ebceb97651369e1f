/*
 * ratelimit.c — token buckets keyed by organisation, client address or
 * client_id.
 *
 * Keys chosen by unauthenticated callers (an address, a client_id) could grow
 * the table without end: past SWEEP_AT buckets, those refilled to their burst
 * (idle long enough to be as good as new) are dropped; past HARD_MAX, a new key
 * is let through without a bucket rather than growing the table (its other
 * limits still apply).
 */
#include "core/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUCKETS 4096
#define SWEEP_AT 50000
#define HARD_MAX 200000

struct bucket {
    char key[RATELIMIT_KEY_MAX];
    double tokens;
    double last;
    double rate, burst;
    struct bucket *next;
};

static struct bucket *table[BUCKETS];
static int count;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % BUCKETS;
}

/* Drop the buckets that are full again. Called with the lock held. */
static void sweep(double now)
{
    for (int i = 0; i < BUCKETS; i++) {
        struct bucket **pp = &table[i];

        while (*pp != NULL) {
            struct bucket *b = *pp;

            if (b->tokens + (now - b->last) * b->rate >= b->burst) {
                *pp = b->next;
                free(b);
                count--;
            } else {
                pp = &b->next;
            }
        }
    }
}

bool ratelimit_take(const char *key_in, double rate, double burst, int *retry_after)
{
    struct bucket *b;
    char key[RATELIMIT_KEY_MAX];
    unsigned h;
    double now = now_s();
    bool ok;

    if (rate <= 0)
        return true;
    /* cut as stored, so that a long key finds its bucket again */
    snprintf(key, sizeof(key), "%s", key_in);
    h = hash(key);
    pthread_mutex_lock(&lock);
    for (b = table[h]; b != NULL; b = b->next)
        if (strcmp(b->key, key) == 0)
            break;
    if (b == NULL && count >= SWEEP_AT)
        sweep(now);
    if (b == NULL && count >= HARD_MAX) {
        pthread_mutex_unlock(&lock);
        return true;
    }
    if (b == NULL) {
        b = calloc(1, sizeof(*b));
        if (b == NULL) {
            pthread_mutex_unlock(&lock);
            return true;
        }
        snprintf(b->key, sizeof(b->key), "%s", key);
        b->tokens = burst;
        b->last = now;
        b->next = table[h];
        table[h] = b;
        count++;
    }
    b->rate = rate;
    b->burst = burst;
    b->tokens += (now - b->last) * rate;
    if (b->tokens > burst)
        b->tokens = burst;
    b->last = now;
    ok = b->tokens >= 1.0;
    if (ok)
        b->tokens -= 1.0;
    else
        *retry_after = (int)ceil((1.0 - b->tokens) / rate);
    pthread_mutex_unlock(&lock);
    if (!ok && *retry_after < 1)
        *retry_after = 1;
    return ok;
}
