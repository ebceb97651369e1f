/*
 * revocations.c — the set of recently revoked clients (see revocations.h).
 */
#include "core/revocations.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "core/server.h"
#include "core/thread_stop.h"
#include "store/api_clients.h"

#define ID_MAX 72
#define FOLLOW_MS 1000

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static char (*ids)[ID_MAX]; /* sorted */
static int n_ids;

static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cond = PTHREAD_COND_INITIALIZER;
static bool stopping;
static pthread_t tid;
static bool started;

static int cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

bool revocations_contains(const char *client_id)
{
    bool found;

    if (strlen(client_id) >= ID_MAX)
        return false;
    pthread_rwlock_rdlock(&lock);
    found = n_ids > 0 && bsearch(client_id, ids, (size_t)n_ids, ID_MAX, cmp) != NULL;
    pthread_rwlock_unlock(&lock);
    return found;
}

void revocations_add(const char *client_id)
{
    char(*grown)[ID_MAX];

    if (strlen(client_id) >= ID_MAX || revocations_contains(client_id))
        return;
    pthread_rwlock_wrlock(&lock);
    grown = realloc(ids, (size_t)(n_ids + 1) * ID_MAX);
    if (grown != NULL) {
        ids = grown;
        memset(ids[n_ids], 0, ID_MAX);
        memcpy(ids[n_ids], client_id, strlen(client_id));
        n_ids++;
        qsort(ids, (size_t)n_ids, ID_MAX, cmp);
    }
    pthread_rwlock_unlock(&lock);
}

/* Replace the set with PostgreSQL's; false when it could not be read. */
static bool refresh(PGconn *pg)
{
    PGresult *res = api_clients_revoked_recently(pg);
    char(*fresh)[ID_MAX] = NULL;
    int n = 0, rows;

    if (res == NULL)
        return false;
    rows = PQntuples(res);
    if (rows > 0)
        fresh = calloc((size_t)rows, ID_MAX);
    for (int i = 0; fresh != NULL && i < rows; i++)
        if (strlen(PQgetvalue(res, i, 0)) < ID_MAX)
            memcpy(fresh[n++], PQgetvalue(res, i, 0), strlen(PQgetvalue(res, i, 0)));
    PQclear(res);
    if (rows > 0 && fresh == NULL)
        return false;
    if (n > 1)
        qsort(fresh, (size_t)n, ID_MAX, cmp);
    pthread_rwlock_wrlock(&lock);
    free(ids);
    ids = fresh;
    n_ids = n;
    pthread_rwlock_unlock(&lock);
    return true;
}

static void *follow(void *arg)
{
    PGconn *pg = NULL;

    (void)arg;
    pthread_mutex_lock(&stop_lock);
    while (!stopping) {
        struct timespec until;

        pthread_mutex_unlock(&stop_lock);
        if (!db_ok(pg)) {
            if (pg != NULL)
                PQfinish(pg);
            pg = db_connect(&g_config, 2000);
        }
        if (pg != NULL && !refresh(pg)) {
            PQfinish(pg);
            pg = NULL;
        }
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += FOLLOW_MS % 1000 * 1000000L;
        until.tv_sec += FOLLOW_MS / 1000 + until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_mutex_lock(&stop_lock);
        if (!stopping)
            pthread_cond_timedwait(&stop_cond, &stop_lock, &until);
    }
    pthread_mutex_unlock(&stop_lock);
    if (pg != NULL)
        PQfinish(pg);
    return NULL;
}

int revocations_start(void)
{
    if (pthread_create(&tid, NULL, follow, NULL) != 0)
        return -1;
    started = true;
    return 0;
}

void revocations_stop(void)
{
    if (!thread_stop(&started, tid, &stop_lock, &stop_cond, &stopping))
        return;
    pthread_rwlock_wrlock(&lock);
    free(ids);
    ids = NULL;
    n_ids = 0;
    pthread_rwlock_unlock(&lock);
}
