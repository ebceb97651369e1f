/*
 * redis_primary.h — where the Redis primary is, for every connection of a
 * process (the API's event loops and database threads, the workers' threads,
 * the test clock's follower).
 *
 * Single node (EPART_REDIS_SENTINELS unset): the primary is EPART_REDIS_HOST /
 * EPART_REDIS_PORT, nothing is watched, no WAIT is asked for — exactly the
 * behaviour of one node (SPEC §11).
 *
 * With Sentinels: one thread per process asks the Sentinels in turn where the
 * primary of EPART_REDIS_MASTER_NAME is and how many of its replicas are
 * healthy, stays subscribed to +switch-master on one of them, and looks again
 * every second and whenever a client reports a lost primary. Each change of
 * address bumps a generation: a connection opened under an older generation
 * is stale and its replies acknowledge nothing (the fence of the durability
 * rule, docs/high-availability.md).
 */
#ifndef EPART_REDIS_PRIMARY_H
#define EPART_REDIS_PRIMARY_H

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "hostlist.h"

struct config;

/* Learn the configuration; with Sentinels, ask them once (bounded: about half
 * a second per Sentinel) and start the watching thread. Returns 0, or -1 when
 * the thread cannot start (an unknown primary is not an error: connections
 * fail until one is known). */
int primary_start(const struct config *c);

/* The configuration given to primary_start() (its Redis credentials are
 * those of every connection, common/redis_conn.h); NULL before. */
const struct config *primary_config(void);

/* Stop the watching thread (if any). */
void primary_stop(void);

/* True when Sentinels are configured. */
bool primary_clustered(void);

/* The primary's address now and its generation; false while it is unknown. */
bool primary_current(struct hostport *hp, uint64_t *gen);

/* True when the primary changed since generation gen was read. */
bool primary_stale(uint64_t gen);

/* The replica acknowledgements a write must get (WAIT) before epart tells a
 * client it is kept: 0 on a single node, else sentinel_required_acks() of the
 * replicas the Sentinels last saw healthy. */
int primary_required_acks(void);

/* A client saw its primary fail (connection lost, -READONLY…): look again
 * now rather than at the next second. */
void primary_suspect(void);

/* A blocking connection to the primary, with tv as connect and command
 * timeout; with Sentinels, checked with ROLE to be a primary. *gen (may be
 * NULL) receives the generation it was opened under. NULL when none can be
 * reached now. */
redisContext *primary_connect(struct timeval tv, uint64_t *gen);

/* How long, in milliseconds, a WAIT for replica acknowledgements may block. */
#define PRIMARY_WAIT_MS 1000

#endif
