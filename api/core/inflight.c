/*
 * inflight.c — an open-addressing table of counters (see inflight.h).
 */
#include "core/inflight.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned hash(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % INFLIGHT_SLOTS;
}

/* The slot of key, or with create the first free one on its chain; -1. */
static int find(struct inflight *t, const char *key, bool create)
{
    unsigned h = hash(key);
    int free_slot = -1;

    for (unsigned i = 0; i < INFLIGHT_SLOTS; i++) {
        unsigned s = (h + i) % INFLIGHT_SLOTS;

        if (t->slot[s].n > 0) {
            if (strcmp(t->slot[s].key, key) == 0)
                return (int)s;
            continue;
        }
        if (free_slot < 0)
            free_slot = (int)s;
        if (!t->slot[s].tomb)
            break; /* end of the chain */
    }
    return create ? free_slot : -1;
}

bool inflight_take(struct inflight *t, const char *key, int cap)
{
    char k[INFLIGHT_KEY_MAX];
    bool ok = false;
    int s;

    snprintf(k, sizeof(k), "%s", key);
    pthread_mutex_lock(&t->lock);
    s = find(t, k, true);
    if (s >= 0 && t->slot[s].n == 0 && t->used >= INFLIGHT_SLOTS * 3 / 4)
        s = -1; /* keep chains short: a full table refuses */
    if (s >= 0 && t->slot[s].n < cap) {
        if (t->slot[s].n == 0) {
            memcpy(t->slot[s].key, k, sizeof(k));
            t->used++;
        }
        t->slot[s].n++;
        ok = true;
    }
    pthread_mutex_unlock(&t->lock);
    return ok;
}

void inflight_release(struct inflight *t, const char *key)
{
    char k[INFLIGHT_KEY_MAX];
    int s;

    snprintf(k, sizeof(k), "%s", key);
    pthread_mutex_lock(&t->lock);
    s = find(t, k, false);
    if (s >= 0 && --t->slot[s].n == 0) {
        t->slot[s].tomb = true;
        if (--t->used == 0) /* nothing under way: every chain can start afresh */
            for (int i = 0; i < INFLIGHT_SLOTS; i++)
                t->slot[i].tomb = false;
    }
    pthread_mutex_unlock(&t->lock);
}

int inflight_count(struct inflight *t, const char *key)
{
    char k[INFLIGHT_KEY_MAX];
    int s, n;

    snprintf(k, sizeof(k), "%s", key);
    pthread_mutex_lock(&t->lock);
    s = find(t, k, false);
    n = s >= 0 ? t->slot[s].n : 0;
    pthread_mutex_unlock(&t->lock);
    return n;
}
