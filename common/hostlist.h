/*
 * hostlist.h — lists of "host:port,host:port" addresses, as the cluster's
 * configuration gives them (EPART_REDIS_SENTINELS, EPART_PG_HOSTS).
 *
 * Pure: no I/O, unit-tested (tests/unit/test_sentinel.c).
 */
#ifndef EPART_HOSTLIST_H
#define EPART_HOSTLIST_H

#include <stdbool.h>
#include <stddef.h>

#define HOSTLIST_MAX 9
#define HOSTLIST_HOST_LEN 256

struct hostport {
    char host[HOSTLIST_HOST_LEN];
    int port;
};

struct hostlist {
    int n;
    struct hostport a[HOSTLIST_MAX];
};

/* Parse s ("h:p,h:p", spaces around items allowed, an IPv6 address in
 * brackets "[::1]:p") into out. An empty or NULL s gives an empty list. Returns
 * 0, or -1 with a French-free operator message in err for an item without a
 * port, a port outside 1–65535, a host with characters a host name cannot hold
 * or more than HOSTLIST_MAX items. */
int hostlist_parse(const char *s, struct hostlist *out, char *err, size_t errlen);

/* True when a and b name the same address (host compared as text). */
bool hostport_equal(const struct hostport *a, const struct hostport *b);

#endif
