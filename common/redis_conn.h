/*
 * redis_conn.h — the authentication of every connection of an epart process
 * to a Redis data node (SPEC §11).
 *
 * Redis requires its ACL user (deploy/redis-acl.sh lists what that user may
 * run): each connection to the primary, blocking (redis_primary.c,
 * primary_connect) or asynchronous (api/core/redis_link.c), authenticates as the
 * user of the configuration before its first command. With no password
 * configured nothing is sent: a Redis without ACL accepts the commands, one
 * with ACL answers NOAUTH, which callers treat as Redis being unavailable.
 * Sentinels are not data nodes and are not authenticated here.
 */
#ifndef EPART_REDIS_CONN_H
#define EPART_REDIS_CONN_H

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdbool.h>

#include "config.h"

/* AUTH on a fresh blocking connection; false when Redis refuses (logged once
 * per call, without the password) or does not answer. */
bool redis_auth(redisContext *rc, const struct config *c);

/* Queue AUTH as the first command of a fresh asynchronous connection (before
 * any other command is queued): commands queued after it run authenticated.
 * A refused AUTH is logged and drops the connection. 0, or -1 when the
 * command cannot be queued. */
int redis_auth_async(redisAsyncContext *ac, const struct config *c);

#endif
