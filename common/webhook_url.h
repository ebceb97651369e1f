/*
 * webhook_url.h — what a webhook destination may be (SPEC §6).
 *
 * Two checks, both pure:
 *
 * - webhook_url_parse() accepts only absolute http/https URLs that every
 *   parser reads the same way: ASCII without whitespace, control characters or
 *   backslashes, at most WEBHOOK_URL_MAX bytes, a scheme of "http" or "https"
 *   (any case), a host (a DNS name or an IP literal, IPv6 in brackets without a
 *   zone), an optional port 1..65535, then an optional path and query. User
 *   information ("user:pass@") and fragments are refused: the first is the
 *   classic way to make a URL name another host than the one it seems to, and
 *   neither has any use in a webhook.
 *
 * - addr_is_private() tells whether an address resolved for that host is one a
 *   server must not be made to call (server-side request forgery): anything
 *   that is not public unicast. IPv4: 0/8 (unspecified, "this network"), 10/8,
 *   100.64/10 (CGNAT), 127/8, 169.254/16 (link-local, cloud metadata),
 *   172.16/12, 192.0.0/24, 192.0.2/24, 192.168/16, 198.18/15, 198.51.100/24,
 *   203.0.113/24, 224/4 (multicast), 240/4 (reserved, broadcast). IPv6: ::/8
 *   (unspecified, loopback, IPv4-compatible), 100::/64, 2001::/32 (Teredo),
 *   2001:db8::/32, fc00::/7 (unique local), fe80::/10 (link-local), fec0::/10,
 *   ff00::/8 (multicast), 64:ff9b:1::/48; and the IPv4 embedded in
 *   ::ffff:0:0/96 (IPv4-mapped), 64:ff9b::/96 (NAT64) and 2002::/16 (6to4) is
 *   judged as IPv4. Other families are private (refused).
 *
 * The API applies both at creation; the worker applies the address check again
 * to every address it connects to, so a name that resolves elsewhere later (DNS
 * rebinding) is still refused. Thread-safe, no I/O.
 */
#ifndef EPART_WEBHOOK_URL_H
#define EPART_WEBHOOK_URL_H

#include <stdbool.h>
#include <sys/socket.h>

#define WEBHOOK_URL_MAX 2048
#define WEBHOOK_HOST_MAX 253

enum webhook_url_error {
    WURL_OK = 0,
    WURL_TOO_LONG,  /* empty or longer than WEBHOOK_URL_MAX */
    WURL_BAD_CHAR,  /* whitespace, control, non-ASCII or backslash */
    WURL_SCHEME,    /* a scheme other than http/https */
    WURL_MALFORMED, /* no "scheme://", a fragment, a bad port */
    WURL_USERINFO,  /* "user:pass@host" */
    WURL_BAD_HOST   /* no host, or not a DNS name or an IP literal */
};

struct webhook_url {
    bool https;
    char host[WEBHOOK_HOST_MAX + 1]; /* without brackets for IPv6 */
    int port;                        /* the explicit port, or 0 */
};

/* Parse and check url (NUL-terminated, may be NULL). Fills out (when not NULL)
 * on success. */
enum webhook_url_error webhook_url_parse(const char *url, struct webhook_url *out);

/* The 422 code of an error ("invalid_url", "unsupported_scheme",
 * "userinfo_forbidden", "too_long") and its French message. */
const char *webhook_url_code(enum webhook_url_error e);
const char *webhook_url_message(enum webhook_url_error e);

/* True when sa (AF_INET or AF_INET6) must not be called: see above. NULL or
 * another family is true. */
bool addr_is_private(const struct sockaddr *sa);

#endif
