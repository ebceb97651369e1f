/*
 * dbpool.c — a fixed set of threads running database jobs for the HTTP threads.
 *
 * Ownership: a call submitted here stays owned by its HTTP thread; the queue only
 * borrows it (core/call_job.h). Its job's state moves QUEUED -> RUNNING (a
 * database thread took it) or QUEUED -> CANCELLED (the HTTP thread's deadline
 * fired first and answered 503). Either way the call comes back once through
 * server_complete(), and only the HTTP thread sends replies and frees calls.
 */
#include "core/dbpool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/time.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "clock.h"
#include "log.h"
#include "redis_primary.h"
#include "core/call_job.h"

struct dbthread {
    pthread_t tid;
    struct db db;
    int64_t last_fail_us;
};

static struct call_queue queue = CALL_QUEUE_INIT;
static struct dbthread *pool;
static int pool_n;
static atomic_int pg_up = 1;
static atomic_bool pg_logged_down;

int dbpool_pg_up(void)
{
    return atomic_load(&pg_up);
}

redisContext *db_redis(struct db *db)
{
    struct timeval tv = {1, 0};

    if (db->redis != NULL && db->redis->err == 0 && !primary_stale(db->redis_gen))
        return db->redis;
    if (db->redis != NULL)
        redisFree(db->redis);
    db->redis = primary_connect(tv, &db->redis_gen);
    return db->redis;
}

/* A usable connection, or NULL. After a failure, do not hammer a PostgreSQL
 * that is down: for 250 ms, answer 503 without trying. */
static PGconn *ensure_pg(struct dbthread *t)
{
    if (db_ok(t->db.pg))
        return t->db.pg;
    if (t->db.pg != NULL) {
        PQfinish(t->db.pg);
        t->db.pg = NULL;
    }
    if (clock_real_us() - t->last_fail_us < 250000)
        return NULL;
    t->db.pg = db_connect(&g_config, 5000);
    if (t->db.pg == NULL) {
        t->last_fail_us = clock_real_us();
        atomic_store(&pg_up, 0);
        if (!atomic_exchange(&pg_logged_down, true))
            log_warn("db: PostgreSQL unreachable at %s:%d", g_config.pg_host, g_config.pg_port);
        return NULL;
    }
    if (atomic_exchange(&pg_logged_down, false))
        log_info("db: PostgreSQL reachable again");
    atomic_store(&pg_up, 1);
    return t->db.pg;
}

static void run_job(struct dbthread *t, struct call *c)
{
    struct call_job *j = c->job;
    int expected = CALL_JOB_QUEUED;

    if (!atomic_compare_exchange_strong(&j->state, &expected, CALL_JOB_RUNNING)) {
        server_complete(c); /* cancelled: its 503 is already sent */
        return;
    }
    if (ensure_pg(t) == NULL && !j->db_optional) {
        call_set_unavailable(c, "La base de données");
    } else if (t->db.pg == NULL) {
        j->db_fn(c, &t->db);
    } else {
        j->db_fn(c, &t->db);
        /* a handler never leaves a transaction open for the next call's */
        if (PQstatus(t->db.pg) == CONNECTION_OK &&
            PQtransactionStatus(t->db.pg) != PQTRANS_IDLE) {
            log_error("db: %s %s left a transaction open; rolled back", c->method, c->path);
            db_rollback(t->db.pg);
        }
        /* a statement that failed because the connection died is an outage */
        if (PQstatus(t->db.pg) != CONNECTION_OK) {
            PQfinish(t->db.pg);
            t->db.pg = NULL;
            t->last_fail_us = clock_real_us();
            atomic_store(&pg_up, 0);
            if (c->status == 0 || c->status == 500)
                call_set_unavailable(c, "La base de données");
        }
    }
    server_complete(c);
}

static void *thread_main(void *arg)
{
    struct dbthread *t = arg;

    /* Connect now rather than on the first request: establishing a session
     * (fork, SCRAM exchange) on a loaded machine can take most of
     * connect_timeout, and the first caller would pay it or get a 503. */
    ensure_pg(t);
    for (struct call *c; (c = call_queue_pop(&queue)) != NULL;)
        run_job(t, c);
    if (t->db.pg != NULL)
        PQfinish(t->db.pg);
    if (t->db.redis != NULL)
        redisFree(t->db.redis);
    return NULL;
}

int dbpool_start(int nthreads)
{
    pool = calloc((size_t)nthreads, sizeof(*pool));
    if (pool == NULL)
        return -1;
    pool_n = nthreads;
    for (int i = 0; i < nthreads; i++) {
        pool[i].db.index = i;
        if (pthread_create(&pool[i].tid, NULL, thread_main, &pool[i]) != 0)
            return -1;
    }
    return 0;
}

void dbpool_stop(void)
{
    call_queue_stop(&queue);
    for (int i = 0; i < pool_n; i++)
        pthread_join(pool[i].tid, NULL);
    free(pool);
    pool = NULL;
    pool_n = 0;
}

static void on_db_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct call *c = arg;
    int expected = CALL_JOB_QUEUED;

    (void)fd;
    (void)what;
    if (atomic_compare_exchange_strong(&c->job->state, &expected, CALL_JOB_CANCELLED)) {
        /* Answer now; the call itself comes back through the queue later. */
        c->retry_after = 1;
        call_set_problem(c, 503, "Service indisponible",
                         "La base de données ne répond pas ; réessayez dans quelques secondes.",
                         NULL);
        call_reply_early(c);
    }
}

static void submit(struct call *c, void (*fn)(struct call *c, struct db *db), bool optional)
{
    struct call_job *j = c->job;
    struct timeval tv = {g_config.db_timeout_ms / 1000, (g_config.db_timeout_ms % 1000) * 1000};

    j->db_fn = fn;
    j->db_optional = optional;
    atomic_store(&j->state, CALL_JOB_QUEUED);
    if (j->deadline == NULL)
        j->deadline = evtimer_new(c->thr->base, on_db_timeout, c);
    if (j->deadline != NULL)
        evtimer_add(j->deadline, &tv);
    call_queue_push(&queue, c); /* unbounded: the deadline bounds the wait */
}

bool dbpool_begin(struct call *c, struct db *db)
{
    if (db_begin(db->pg) == 0)
        return true;
    call_set_unavailable(c, "La base de données");
    return false;
}

void dbpool_abort(struct call *c, struct db *db)
{
    db_rollback(db->pg);
    call_set_unavailable(c, "La base de données");
}

void dbpool_submit(struct call *c, void (*fn)(struct call *c, struct db *db))
{
    submit(c, fn, false);
}

void dbpool_submit_optional(struct call *c, void (*fn)(struct call *c, struct db *db))
{
    submit(c, fn, true);
}
