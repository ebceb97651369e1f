/*
 * sentinel.h — the pure half of epart's Redis Sentinel client.
 *
 * hiredis 0.14 knows nothing of Sentinel, so epart follows the "Sentinel
 * client spec" of redis.io itself: ask each Sentinel in turn for the address
 * of the primary (SENTINEL get-master-addr-by-name), check with ROLE that the
 * node reached is a primary, follow +switch-master, and look again after a
 * lost connection or a -READONLY / -UNBLOCKED answer. This file reads the
 * replies and states the durability rule's count; redis_primary.c does the
 * talking. No I/O: unit-tested in tests/unit/test_sentinel.c from raw RESP.
 */
#ifndef EPART_SENTINEL_H
#define EPART_SENTINEL_H

#include <hiredis/hiredis.h>
#include <stdbool.h>

#include "hostlist.h"

/* The primary's address from a SENTINEL get-master-addr-by-name reply
 * (["ip", "port"]); false for a nil (unknown name), an error or anything else. */
bool sentinel_master_addr(const redisReply *r, struct hostport *out);

/* How many replicas of a SENTINEL replicas reply (an array of flat
 * field/value arrays) are healthy: flags without s_down, o_down or
 * disconnected, and master-link-status "ok". -1 when the reply is not such a
 * list (an error: the count must not be guessed). */
int sentinel_healthy_replicas(const redisReply *r);

/* The replica acknowledgements (WAIT) a write needs before epart may answer
 * 202: every replica the Sentinels see healthy, and never fewer than one.
 * Why all and not one: a primary paused past down-after-milliseconds and then
 * resumed still has its *other* replica attached until Sentinel re-points it
 * (≈ 1 s); WAIT 1 counted that replica's acknowledgement and 1 230 writes were
 * lost when it resynchronised from the new primary (research/high-availability).
 * A promoted replica is no longer attached to the old primary, so the old one
 * can never gather every replica the Sentinels knew healthy. A replica the
 * Sentinels see down is not waited for, so one lost node leaves service. */
int sentinel_required_acks(int healthy);

/* From a pub/sub message ["message", "+switch-master", "<name> <old-ip>
 * <old-port> <new-ip> <new-port>"] of the master called name: the new
 * primary's address. False for other channels, other names, malformed text. */
bool sentinel_switch_master(const redisReply *msg, const char *name, struct hostport *to);

/* True when a ROLE reply says "master". */
bool sentinel_role_is_master(const redisReply *r);

/* True when an error reply means "this connection is not (or no longer) on a
 * writable primary": look the primary up again and reconnect. READONLY (a
 * replica), UNBLOCKED (Sentinel demoted the node under a blocked command),
 * MASTERDOWN (a replica that lost its primary), LOADING (restarting),
 * NOREPLICAS (min-replicas-to-write refused: the node is cut off). */
bool sentinel_error_rediscover(const char *err);

#endif
