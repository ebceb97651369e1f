/*
 * dbpool.h — the API's database threads.
 *
 * PostgreSQL is reached only from these threads, each with its own blocking
 * libpq connection and its own blocking Redis connection, so that no event loop
 * ever waits on the database: the ingest path keeps answering 202 at full speed
 * when PostgreSQL is slow or down. An HTTP thread submits a call with the
 * function to run; the function fills the call's reply (call_set_*), and the call
 * returns to its HTTP thread, which sends the reply.
 *
 * A call still queued after EPART_DB_TIMEOUT_MS is answered 503 and never runs;
 * a call whose connection cannot be (re)established is answered 503 at once.
 */
#ifndef EPART_API_DBPOOL_H
#define EPART_API_DBPOOL_H

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stdint.h>
#include <libpq-fe.h>

#include "core/server.h"

/* What a database job gets: its thread's connections. pg is connected when the
 * job runs (the pool answers 503 otherwise); redis may be NULL when Redis is
 * down. */
struct db {
    PGconn *pg;
    redisContext *redis;
    uint64_t redis_gen; /* redis_primary generation of redis */
    int index;
};

/* Start the database threads. */
int dbpool_start(int nthreads);

/* Stop and join them; queued calls are answered 503. */
void dbpool_stop(void);

/* Run fn(c, db) on a database thread, then send the call's reply from its HTTP
 * thread (or go on with call_then's function). Must be called from the call's
 * HTTP thread. */
void dbpool_submit(struct call *c, void (*fn)(struct call *c, struct db *db));

/* The same, but fn runs even when PostgreSQL cannot be reached (db->pg NULL),
 * to say so itself (/readyz names the dependency that is down). */
void dbpool_submit_optional(struct call *c, void (*fn)(struct call *c, struct db *db));

/* BEGIN a transaction on the job's connection; false after setting c's 503. */
bool dbpool_begin(struct call *c, struct db *db);

/* ROLLBACK it and set c's 503: a statement of the transaction failed. */
void dbpool_abort(struct call *c, struct db *db);

/* True when the last attempt to reach PostgreSQL succeeded (for /readyz). */
int dbpool_pg_up(void);

/* A blocking Redis connection for database jobs, reconnected when lost; NULL
 * when Redis is down. */
redisContext *db_redis(struct db *db);

#endif
