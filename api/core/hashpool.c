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

static struct call_queue queue = CALL_QUEUE_INIT;
static pthread_t *pool;
static int pool_n;

static void *thread_main(void *arg)
{
    (void)arg;
    /* the hashing yields to the threads serving requests */
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10) < 0)
        log_warn("hashpool: setpriority failed");
    for (struct call *c; (c = call_queue_pop(&queue)) != NULL;) {
        void (*fn)(struct call *) = c->job->hash_fn;

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
    queue.max = queue_max;
    pool_n = nthreads;
    for (int i = 0; i < nthreads; i++)
        if (pthread_create(&pool[i], NULL, thread_main, NULL) != 0)
            return -1;
    return 0;
}

void hashpool_stop(void)
{
    call_queue_stop(&queue);
    for (int i = 0; i < pool_n; i++)
        pthread_join(pool[i], NULL);
    free(pool);
    pool = NULL;
    pool_n = 0;
}

bool hashpool_submit(struct call *c, void (*fn)(struct call *c))
{
    c->job->hash_fn = fn;
    if (call_queue_push(&queue, c))
        return true;
    c->job->hash_fn = NULL;
    return false;
}
