/*
 * conn.h — what one HTTP connection may hold, before evhttp sees its bytes
 * (SPEC §2 resource limits; issue 9, finding 6).
 *
 * evhttp restarts its timeout on every byte, reads a whole body before anyone
 * looks at it, and accepts every connection: a client sending a header line
 * every few seconds, or 40 clients sending big bodies one byte at a time,
 * held connections and memory without a token. Each connection of the API is
 * therefore given to evhttp through a bufferevent filter (evhttp_set_bevcb)
 * that reads the bytes first:
 *
 * - caps: at most EPART_MAX_CONNECTIONS open in all and
 *   EPART_MAX_CONNECTIONS_PER_ADDR per client address; the excess is answered
 *   503 and closed at once;
 * - an absolute deadline: a request must arrive whole within
 *   EPART_HTTP_TIMEOUT seconds of its first byte, else 408 and closed;
 * - the head of each request is read before any of its body is accepted: a
 *   Content-Length over EPART_BODY_LIMIT is a 413, a body that would be read
 *   for a route needing a token without a valid one is a 401 — both answered
 *   before the body is read, which is then discarded (never buffered) until
 *   its end or the deadline; a chunked body (no length to check) is a 411;
 *   headers over 32 KiB are a 431.
 *
 * What is refused never reaches evhttp, so a connection buffers at most one
 * body of at most the limit, and only with a valid token (or for the public
 * token endpoint).
 */
#ifndef EPART_API_CONN_H
#define EPART_API_CONN_H

#include <event2/bufferevent.h>
#include <event2/http.h>

#include "core/server.h"

/* The bufferevent callback of evhttp_set_bevcb(); arg is the http_thread. */
struct bufferevent *conn_new(struct event_base *base, void *arg);

/* The request has arrived whole (evhttp dispatched it): its deadline is met.
 * Call from the request's HTTP thread. */
void conn_request_whole(struct evhttp_request *req);

/* Connections open now, in all. */
int conn_open_count(void);

#endif
