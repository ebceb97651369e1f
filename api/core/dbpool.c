/*
 * dbpool.c — a fixed set of threads running database jobs for the HTTP threads.
 *
 * Ownership: a call submitted here stays owned by its HTTP thread; the queue only
 * borrows it. Its db_state moves QUEUED -> RUNNING (a database thread took it) or
 * QUEUED -> CANCELLED (the HTTP thread's timer fired first and answered 503).
 * Either way the call comes back once through server_complete(), and only the
 * HTTP thread sends replies and frees calls.
 */
#include "core/dbpool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/time.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "db.h"
#include "clock.h"
#include "log.h"
#include "redis_primary.h"

struct dbthread {
    pthread_t tid;
    struct db db;
    int64_t last_fail_us;
};

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cond = PTHREAD_COND_INITIALIZER;
static struct call *q_head, *q_tail;
static bool q_stop;
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
    int expected = CALL_DB_QUEUED;

    if (!atomic_compare_exchange_strong(&c->db_state, &expected, CALL_DB_RUNNING)) {
        server_complete(c); /* cancelled: its 503 is already sent */
        return;
    }
    if (ensure_pg(t) == NULL && !c->db_optional) {
        call_set_unavailable(c, "La base de données");
    } else if (t->db.pg == NULL) {
        c->db_fn(c, &t->db);
    } else {
        c->db_fn(c, &t->db);
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
    for (;;) {
        struct call *c;

        pthread_mutex_lock(&q_lock);
        while (q_head == NULL && !q_stop)
            pthread_cond_wait(&q_cond, &q_lock);
        if (q_head == NULL && q_stop) {
            pthread_mutex_unlock(&q_lock);
            break;
        }
        c = q_head;
        q_head = c->next;
        if (q_head == NULL)
            q_tail = NULL;
        pthread_mutex_unlock(&q_lock);
        run_job(t, c);
    }
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
    pthread_mutex_lock(&q_lock);
    q_stop = true;
    pthread_cond_broadcast(&q_cond);
    pthread_mutex_unlock(&q_lock);
    for (int i = 0; i < pool_n; i++)
        pthread_join(pool[i].tid, NULL);
    free(pool);
    pool = NULL;
    pool_n = 0;
}

static void on_db_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct call *c = arg;
    int expected = CALL_DB_QUEUED;

    (void)fd;
    (void)what;
    if (atomic_compare_exchange_strong(&c->db_state, &expected, CALL_DB_CANCELLED)) {
        /* Answer now; the call itself comes back through the queue later. */
        struct evbuffer *buf = evbuffer_new();
        const char *body = "{\"type\":\"https://epart.fr/problems/503\",\"title\":\"Service "
                           "indisponible\",\"status\":503,\"detail\":\"La base de donn\\u00e9es "
                           "ne r\\u00e9pond pas ; r\\u00e9essayez dans quelques secondes.\"}";
        struct evkeyvalq *h = evhttp_request_get_output_headers(c->req);

        evhttp_add_header(h, "Content-Type", "application/problem+json");
        evhttp_add_header(h, "Retry-After", "1");
        evbuffer_add(buf, body, strlen(body));
        evhttp_send_reply(c->req, 503, "Service Unavailable", buf);
        evbuffer_free(buf);
        c->replied = true;
    }
}

void dbpool_submit(struct call *c, void (*fn)(struct call *c, struct db *db))
{
    struct timeval tv = {g_config.db_timeout_ms / 1000, (g_config.db_timeout_ms % 1000) * 1000};

    c->db_fn = fn;
    atomic_store(&c->db_state, CALL_DB_QUEUED);
    if (c->db_timer == NULL)
        c->db_timer = evtimer_new(c->thr->base, on_db_timeout, c);
    if (c->db_timer != NULL)
        evtimer_add(c->db_timer, &tv);
    c->next = NULL;
    pthread_mutex_lock(&q_lock);
    if (q_tail != NULL)
        q_tail->next = c;
    else
        q_head = c;
    q_tail = c;
    pthread_cond_signal(&q_cond);
    pthread_mutex_unlock(&q_lock);
}

void dbpool_finish(struct call *c)
{
    if (c->db_timer != NULL)
        evtimer_del(c->db_timer);
    atomic_store(&c->db_state, CALL_DB_NONE);
    if (c->after_db != NULL && !c->replied && c->status == 0) {
        void (*next)(struct call *) = c->after_db;

        c->after_db = NULL;
        next(c);
        return;
    }
    call_reply_prepared(c);
}
