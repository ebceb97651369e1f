/*
 * inflight.h — how many of something a key has under way, capped.
 *
 * Used for what one party may hold at once whatever its rate: webhook host
 * resolutions per organisation (SPEC §6) and open connections per client
 * address (SPEC §2). A fixed table shared by every thread, one lock; a key's
 * entry disappears when its count returns to zero, so the table holds only
 * what is under way.
 */
#ifndef EPART_API_INFLIGHT_H
#define EPART_API_INFLIGHT_H

#include <pthread.h>
#include <stdbool.h>

#define INFLIGHT_SLOTS 4096
#define INFLIGHT_KEY_MAX 96

struct inflight {
    pthread_mutex_t lock;
    int used;
    struct {
        char key[INFLIGHT_KEY_MAX];
        int n;          /* 0: free */
        bool tomb;      /* freed, but a probe chain may run through it */
    } slot[INFLIGHT_SLOTS];
};

#define INFLIGHT_INIT {PTHREAD_MUTEX_INITIALIZER, 0, {{"", 0, false}}}

/* Count one more for key unless it already has cap; false when refused (also
 * when the table is full). Keys longer than INFLIGHT_KEY_MAX - 1 are cut. */
bool inflight_take(struct inflight *t, const char *key, int cap);

/* Count one less for key (taken before). */
void inflight_release(struct inflight *t, const char *key);

/* The current count of key. */
int inflight_count(struct inflight *t, const char *key);

#endif
