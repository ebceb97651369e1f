/*
 * metrics_access.h — who may read GET /metrics (SPEC §11).
 *
 * The metrics tell the load and the error rates of the service: they answer
 * loopback clients (a Prometheus on the same host, an operator's curl) and,
 * from anywhere else, only callers presenting EPART_METRICS_TOKEN as
 * "Authorization: Bearer <token>". The client address is the TCP peer's, never
 * a header: behind a proxy, X-Forwarded-For is anyone's to write, so a proxy on
 * the same host makes every caller loopback and must itself restrict /metrics
 * or the token must be used.
 */
#ifndef EPART_METRICS_ACCESS_H
#define EPART_METRICS_ACCESS_H

#include <stdbool.h>

enum metrics_access {
    METRICS_ALLOWED,       /* loopback peer, or the right token */
    METRICS_NEED_TOKEN,    /* not loopback, a token is configured: none or a wrong one given */
    METRICS_LOOPBACK_ONLY, /* not loopback, and no token is configured */
};

/* True for 127.0.0.0/8, ::1 and IPv4-mapped 127.0.0.0/8, written as evhttp
 * gives a peer address. */
bool metrics_peer_is_loopback(const char *addr);

/* The decision for a peer address, the request's Authorization header (NULL
 * when absent) and the configured token ("" when none). The token comparison
 * takes the same time whatever is wrong with the given one. */
enum metrics_access metrics_access_check(const char *peer, const char *authorization,
                                         const char *token);

#endif
