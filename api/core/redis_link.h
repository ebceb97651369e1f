/*
 * redis_link.h — one HTTP thread's asynchronous connection to Redis.
 *
 * Commands are pipelined on a single hiredis async context attached to the
 * thread's event base, so that many ingest requests share one fsync of the
 * append-only file. The link reconnects by itself; while it is down commands
 * are refused at once (the API answers 503, nothing half-done). A command that
 * gets no answer within REDIS_LINK_TIMEOUT_MS drops the connection, which fails
 * every command still waiting on it.
 */
#ifndef EPART_API_REDIS_LINK_H
#define EPART_API_REDIS_LINK_H

#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>

#define REDIS_LINK_TIMEOUT_MS 2000

struct redis_link;

/* Called once per command with its reply, or with NULL when the connection was
 * lost before the reply. The reply is freed by hiredis after the callback. */
typedef void (*redis_link_cb)(redisReply *reply, void *priv);

/* Create the link and start connecting. */
struct redis_link *redis_link_new(struct event_base *base, const char *host, int port);

/* Disconnect (pending callbacks get NULL) and free. */
void redis_link_free(struct redis_link *l);

/* True when connected. */
bool redis_link_up(const struct redis_link *l);

/* Commands sent and not yet answered. */
int redis_link_inflight(const struct redis_link *l);

/* Send a command given as argv. Returns 0 when sent (cb will be called exactly
 * once), -1 when the link is down (cb is not called). */
int redis_link_command(struct redis_link *l, redis_link_cb cb, void *priv, int argc,
                       const char **argv, const size_t *lens);

#endif
