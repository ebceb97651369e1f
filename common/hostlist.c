/*
 * hostlist.c — parsing address lists.
 */
#include "hostlist.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Host names, IPv4 and (bracketed) IPv6 literals: letters, digits, - . _ :
 * Anything else (a space inside, a comma, a quote, '=') could change the
 * meaning of the libpq connection string the PostgreSQL hosts end up in. */
static bool host_char_ok(unsigned char ch)
{
    return isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == ':';
}

static int parse_item(const char *s, size_t n, struct hostport *hp, char *err, size_t errlen)
{
    const char *colon, *host = s;
    size_t hlen;
    char *end;
    char port[8];
    long p;

    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
        host = s;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0) {
        snprintf(err, errlen, "empty address in the list");
        return -1;
    }
    if (s[0] == '[') {
        const char *close = memchr(s, ']', n);

        if (close == NULL || (size_t)(close - s) + 1 >= n || close[1] != ':') {
            snprintf(err, errlen, "'%.*s': expected [address]:port", (int)n, s);
            return -1;
        }
        host = s + 1;
        hlen = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = NULL;
        for (size_t i = 0; i < n; i++)
            if (s[i] == ':')
                colon = s + i;
        if (colon == NULL) {
            snprintf(err, errlen, "'%.*s': expected host:port", (int)n, s);
            return -1;
        }
        hlen = (size_t)(colon - s);
        if (memchr(s, ':', hlen) != NULL) {
            snprintf(err, errlen, "'%.*s': an IPv6 address goes in brackets", (int)n, s);
            return -1;
        }
    }
    if (hlen == 0 || hlen >= sizeof(hp->host)) {
        snprintf(err, errlen, "'%.*s': missing or overlong host", (int)n, s);
        return -1;
    }
    for (size_t i = 0; i < hlen; i++)
        if (!host_char_ok((unsigned char)host[i])) {
            snprintf(err, errlen, "'%.*s': invalid character in the host", (int)n, s);
            return -1;
        }
    n -= (size_t)(colon + 1 - s);
    if (n == 0 || n >= sizeof(port)) {
        snprintf(err, errlen, "'%.*s': expected a port", (int)hlen, host);
        return -1;
    }
    memcpy(port, colon + 1, n);
    port[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)port[i])) {
            snprintf(err, errlen, "'%s': the port is not a number", port);
            return -1;
        }
    p = strtol(port, &end, 10);
    if (p < 1 || p > 65535) {
        snprintf(err, errlen, "'%s': a port is between 1 and 65535", port);
        return -1;
    }
    memcpy(hp->host, host, hlen);
    hp->host[hlen] = '\0';
    hp->port = (int)p;
    return 0;
}

int hostlist_parse(const char *s, struct hostlist *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (s == NULL || s[0] == '\0')
        return 0;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);

        if (out->n == HOSTLIST_MAX) {
            snprintf(err, errlen, "more than %d addresses", HOSTLIST_MAX);
            return -1;
        }
        if (parse_item(s, n, &out->a[out->n], err, errlen) < 0)
            return -1;
        out->n++;
        if (comma == NULL)
            return 0;
        s = comma + 1;
    }
}

bool hostport_equal(const struct hostport *a, const struct hostport *b)
{
    return a->port == b->port && strcmp(a->host, b->host) == 0;
}
