/*
 * retention.h — the SQL of the retention purge (SPEC §10,
 * docs/donnees-personnelles.md), run by the worker (worker/retention.c): the
 * purge of closed dossiers and requests, which reaches many tables in one
 * statement each (epart_purge_dossiers, epart_purge_requests of
 * sql/functions/10_retention.sql), and the table redis_purge_queue, where
 * that purge queues the ids whose copies in Redis are to go. The
 * conventions of store/ are at the top of store/deadlines.h.
 */
#ifndef EPART_STORE_RETENTION_H
#define EPART_STORE_RETENTION_H

#include <libpq-fe.h>

/* Purge at most limit closed dossiers whose last change is before cutoff, as
 * purged at instant at: how many were, with *messages their messages purged;
 * -1 on failure. */
long long retention_purge_dossiers(PGconn *pg, const char *cutoff, const char *at, int limit,
                                   long long *messages);

/* The same for closed requests (signalements, rendez-vous, document
 * requests). */
long long retention_purge_requests(PGconn *pg, const char *cutoff, const char *at, int limit);

/* At most limit ids of redis_purge_queue, oldest first, one a row (column 0,
 * a uuid text), or NULL on failure; the caller PQclear()s the rows. */
PGresult *redis_purge_queue_take(PGconn *pg, int limit);

/* Take the ids of ids (a uuid[] literal, "{…}") off the queue: their copies
 * in Redis are gone. */
int redis_purge_queue_remove(PGconn *pg, const char *ids);

#endif
