/*
 * hashpool.c — a fixed set of low-priority threads and a bounded queue.
 *
 * Ownership: as with the database threads, a queued call stays owned by its
 * HTTP thread; the queue borrows it and gives it back once, through
 * server_complete().
 */
#include "core/hashpool.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "core/call_job.h"

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cond = PTHREAD_COND_INITIALIZER;
static struct call *q_head, *q_tail;
static int q_len, q_max;
static bool q_stop;
static pthread_t *pool;
static int pool_n;

static void *thread_main(void *arg)
{
    (void)arg;
    /* the hashing yields to the threads serving requests */
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10) < 0)
        log_warn("hashpool: setpriority failed");
    for (;;) {
        struct call *c;
        void (*fn)(struct call *c);

        pthread_mutex_lock(&q_lock);
        while (q_head == NULL && !q_stop)
            pthread_cond_wait(&q_cond, &q_lock);
        if (q_head == NULL) {
            pthread_mutex_unlock(&q_lock);
            break;
        }
        c = q_head;
        q_head = c->job->next;
        if (q_head == NULL)
            q_tail = NULL;
        q_len--;
        pthread_mutex_unlock(&q_lock);
        fn = c->job->hash_fn;
        c->job->hash_fn = NULL;
        fn(c);
        server_complete(c);
    }
    return NULL;
}

int hashpool_start(int nthreads, int queue_max)
{
    pool = calloc((size_t)nthreads, sizeof(*pool));
    if (pool == NULL)
        return -1;
    q_max = queue_max;
    pool_n = nthreads;
    for (int i = 0; i < nthreads; i++)
        if (pthread_create(&pool[i], NULL, thread_main, NULL) != 0)
            return -1;
    return 0;
}

void hashpool_stop(void)
{
    pthread_mutex_lock(&q_lock);
    q_stop = true;
    pthread_cond_broadcast(&q_cond);
    pthread_mutex_unlock(&q_lock);
    for (int i = 0; i < pool_n; i++)
        pthread_join(pool[i], NULL);
    free(pool);
    pool = NULL;
    pool_n = 0;
}

bool hashpool_submit(struct call *c, void (*fn)(struct call *c))
{
    bool ok;

    c->job->next = NULL;
    c->job->hash_fn = fn;
    pthread_mutex_lock(&q_lock);
    ok = !q_stop && q_len < q_max;
    if (ok) {
        if (q_tail != NULL)
            q_tail->job->next = c;
        else
            q_head = c;
        q_tail = c;
        q_len++;
        pthread_cond_signal(&q_cond);
    }
    pthread_mutex_unlock(&q_lock);
    if (!ok)
        c->job->hash_fn = NULL;
    return ok;
}
