/*
 * resolver.h — host names resolved within a deadline, without a blocked thread
 * (SPEC §6: resolving a webhook's host is bounded and never runs on the threads
 * that serve other requests).
 *
 * getaddrinfo() blocks its thread for the resolver's whole timeout (5 s per
 * try, two tries, per search domain) when a name's DNS server never answers:
 * a partner could hold every database thread of the API that way. This module
 * resolves with libevent's asynchronous evdns instead, on an event loop, with
 * its own deadline (EPART_DNS_TIMEOUT_MS, at most 2 s): a resolution in flight
 * costs a few hundred bytes and no thread.
 *
 * The servers are read from EPART_RESOLV_CONF (default /etc/resolv.conf, the
 * "nameserver ip[:port]", "search" and "options" lines), names from /etc/hosts
 * first. Numeric hosts (including the forms libc reads as IPv4, "2130706433",
 * "0x7f.1") never reach DNS.
 */
#ifndef EPART_RESOLVER_H
#define EPART_RESOLVER_H

#include <stdbool.h>
#include <sys/socket.h>

struct event_base;
struct evdns_base;

#define RESOLVE_MAX_ADDRS 16

enum resolve_status {
    RESOLVE_OK = 0,
    RESOLVE_NOT_FOUND, /* the name does not exist or has no address */
    RESOLVE_TIMEOUT,   /* no answer within the deadline */
    RESOLVE_FAILED     /* any other failure (out of memory, no server) */
};

struct resolve_result {
    enum resolve_status status;
    bool numeric;                                 /* the host was an IP literal */
    int n;                                        /* addresses, when RESOLVE_OK */
    struct sockaddr_storage addrs[RESOLVE_MAX_ADDRS];
};

typedef void (*resolve_cb)(const struct resolve_result *r, void *arg);

/* A resolver on base reading its servers from resolv_conf (NULL when out of
 * memory). Free it with resolver_free() before base. */
struct evdns_base *resolver_new(struct event_base *base, const char *resolv_conf);

/* Free a resolver; its pending resolutions are answered RESOLVE_FAILED. */
void resolver_free(struct evdns_base *dns);

/* Resolve host (a name or an IP literal, without brackets) with dns, made by
 * resolver_new() on base. cb(result, arg) runs exactly once on that loop,
 * never from inside this call, at the latest timeout_ms after it. Returns
 * false (and never calls cb) when the resolution cannot start. */
bool resolver_start(struct event_base *base, struct evdns_base *dns, const char *host,
                    int timeout_ms, resolve_cb cb, void *arg);

/* Resolve host from a thread without an event loop of its own (the worker's
 * webhook senders): runs a private loop of the calling thread until the answer
 * or timeout_ms. */
void resolver_lookup(const char *resolv_conf, const char *host, int timeout_ms,
                     struct resolve_result *out);

/* "a.b.c.d" or "x:y::z" of an address (for CURLOPT_RESOLVE); false for other
 * families. */
bool resolver_addr_text(const struct sockaddr_storage *ss, char *buf, size_t len);

#endif
