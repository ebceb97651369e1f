/*
 * call_job.h — how a call leaves its HTTP thread for another thread and comes
 * back (core only: server.c, dbpool.c, hashpool.c, auth.c; handlers see none
 * of it).
 *
 * A call handed to the database threads, the hash threads or the OpenID
 * provider's thread stays owned by its HTTP thread: the other thread borrows
 * it, runs its job and gives it back once with server_complete(). Back on its
 * HTTP thread the call continues with its `then` function when the job left no
 * reply (status 0) and nothing was sent meanwhile, else its reply is sent.
 *
 * A database job has a deadline. Its state moves QUEUED -> RUNNING (a database
 * thread took it) or QUEUED -> CANCELLED (the deadline passed first: the 503 is
 * sent at once by call_reply_early, and the call still comes back, unrun,
 * before it is freed). The compare-and-swap on `state` decides which.
 */
#ifndef EPART_API_CALL_JOB_H
#define EPART_API_CALL_JOB_H

#include <event2/event.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "core/server.h"

enum call_job_state { CALL_JOB_NONE = 0, CALL_JOB_QUEUED, CALL_JOB_RUNNING, CALL_JOB_CANCELLED };

struct call_job {
    void (*db_fn)(struct call *c, struct db *db); /* a job of the database threads */
    bool db_optional;            /* run db_fn even without a connection (db->pg NULL) */
    void (*hash_fn)(struct call *c); /* a job of the hash threads */
    _Atomic int state;           /* enum call_job_state, for database jobs */
    struct event *deadline;      /* a database job's EPART_DB_TIMEOUT_MS */
    void (*then)(struct call *c); /* continue on the HTTP thread instead of replying */
    void (*admitted)(struct call *c); /* what runs once auth.c admitted a partner */
    struct call *next;           /* link of whichever queue holds the call */
};

/* A queue of calls waiting for a pool's threads (the database threads, the
 * hash threads): FIFO, bounded by max (0: unbounded), linked through each
 * call's job. Stopping lets the threads drain what is queued, then return. */
struct call_queue {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct call *head, *tail;
    int len, max;
    bool stop;
};
#define CALL_QUEUE_INIT {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0, 0, false}

/* Append c; false (nothing queued) when the queue is full or stopping. */
bool call_queue_push(struct call_queue *q, struct call *c);

/* The oldest call, waiting for one; NULL once stopping and empty. */
struct call *call_queue_pop(struct call_queue *q);

/* Stop: wake every thread waiting in call_queue_pop. */
void call_queue_stop(struct call_queue *q);

/* Send the reply recorded in c now (the same headers and metrics as
 * call_reply_prepared), while another thread still borrows the call: the call
 * is freed when it comes back. For a database job whose deadline passed. */
void call_reply_early(struct call *c);

#endif
