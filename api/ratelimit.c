/*
 * ratelimit.c — token buckets keyed by organisation.
 */
#include "ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUCKETS 4096

struct bucket {
    char key[RATELIMIT_KEY_MAX];
    double tokens;
    double last;
    struct bucket *next;
};

static struct bucket *table[BUCKETS];
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

bool ratelimit_take(const char *key, double rate, double burst, int *retry_after)
{
    struct bucket *b;
    unsigned h = hash(key);
    double now = now_s();
    bool ok;

    if (rate <= 0)
        return true;
    pthread_mutex_lock(&lock);
    for (b = table[h]; b != NULL; b = b->next)
        if (strcmp(b->key, key) == 0)
            break;
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
    }
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
