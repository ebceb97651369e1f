/*
 * fuzz_webhook_url.c — webhook destinations (common/webhook_url.h), the
 * server-side request forgery guard of SPEC §6. Not in the original list of
 * targets: added because the parser reads untrusted URLs that the worker
 * later hands to libcurl.
 *
 * 1. webhook_url_parse() on the input as a string. An accepted URL has a
 *    non-empty NUL-terminated host of at most WEBHOOK_HOST_MAX bytes, a port
 *    0..65535, and is read the same way by libcurl (the worker's client):
 *    curl accepts it, with the same scheme, the same explicit port and the
 *    same host (IPv6 literals compared as addresses; names that libc would
 *    read as numeric IPv4, such as "0x7f.1", are left out because curl
 *    normalises them, and the worker checks every address it connects to
 *    anyway). webhook_url_code/message are never NULL.
 * 2. addr_is_private() on the input's first 16 bytes as an IPv4 and an IPv6
 *    address: the IPv4 embedded in ::ffff:0:0/96, 64:ff9b::/96 and 2002::/16
 *    is judged exactly as that IPv4 address is, loopback and private ranges
 *    are private, and any other family is refused.
 */
#include "fuzz_common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <strings.h>

#include <curl/curl.h>

#include "webhook_url.h"

static bool v4_private(const unsigned char b[4])
{
    struct sockaddr_in sin;

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    memcpy(&sin.sin_addr, b, 4);
    return addr_is_private((const struct sockaddr *)&sin);
}

static bool v6_private(const unsigned char b[16])
{
    struct sockaddr_in6 sin6;

    memset(&sin6, 0, sizeof(sin6));
    sin6.sin6_family = AF_INET6;
    memcpy(&sin6.sin6_addr, b, 16);
    return addr_is_private((const struct sockaddr *)&sin6);
}

static void address_laws(const uint8_t *data, size_t size)
{
    unsigned char b[16] = {0}, v6[16];
    struct sockaddr_storage other;

    memcpy(b, data, size < 16 ? size : 16);
    (void)v6_private(b);

    /* IPv4-mapped, NAT64 and 6to4 carry an IPv4 judged as such. */
    memset(v6, 0, sizeof(v6));
    v6[10] = v6[11] = 0xff;
    memcpy(v6 + 12, b, 4);
    FZ_ASSERT(v6_private(v6) == v4_private(b));
    memset(v6, 0, sizeof(v6));
    v6[1] = 0x64, v6[2] = 0xff, v6[3] = 0x9b;
    memcpy(v6 + 12, b, 4);
    FZ_ASSERT(v6_private(v6) == v4_private(b));
    memcpy(v6, b, 16);
    v6[0] = 0x20, v6[1] = 0x02;
    memcpy(v6 + 2, b + 4, 4);
    FZ_ASSERT(v6_private(v6) == v4_private(b + 4));

    /* Loopback and the private ranges, whatever the other bytes. */
    memcpy(v6, b, 4);
    v6[0] = 127;
    FZ_ASSERT(v4_private(v6));
    v6[0] = 10;
    FZ_ASSERT(v4_private(v6));
    v6[0] = 192, v6[1] = 168;
    FZ_ASSERT(v4_private(v6));
    v6[0] = 169, v6[1] = 254;
    FZ_ASSERT(v4_private(v6));

    memset(&other, 0, sizeof(other));
    other.ss_family = (sa_family_t)(b[0] == AF_INET || b[0] == AF_INET6 ? AF_UNIX : b[0]);
    FZ_ASSERT(addr_is_private((const struct sockaddr *)&other));
    FZ_ASSERT(addr_is_private(NULL));
}

/* A host that inet_aton would read as an IPv4 address (digits, dots, 0x). */
static bool numeric_host(const char *h)
{
    struct in_addr a;

    return inet_aton(h, &a) != 0 || strspn(h, "0123456789.xX") == strlen(h);
}

static void same_as_curl(const char *url, const struct webhook_url *u)
{
    CURLU *h = curl_url();
    char *host = NULL, *port = NULL, *scheme = NULL;
    CURLUcode rc;

    FZ_ASSERT(h != NULL);
    rc = curl_url_set(h, CURLUPART_URL, url, 0);
    if (rc != CURLUE_OK)
        fprintf(stderr, "fuzz: curl refuses %s: %s\n", url, curl_url_strerror(rc));
    FZ_ASSERT(rc == CURLUE_OK);
    FZ_ASSERT(curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK);
    FZ_ASSERT((strcasecmp(scheme, "https") == 0) == u->https);
    FZ_ASSERT(curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK);
    if (host[0] == '[') {
        unsigned char a[16], b[16];
        char *copy = strdup(host + 1);
        char *close = copy != NULL ? strchr(copy, ']') : NULL;

        FZ_ASSERT(close != NULL);
        *close = '\0';
        FZ_ASSERT(inet_pton(AF_INET6, copy, a) == 1 && inet_pton(AF_INET6, u->host, b) == 1);
        FZ_ASSERT(memcmp(a, b, 16) == 0);
        free(copy);
    } else if (!numeric_host(u->host)) {
        if (strcasecmp(host, u->host) != 0)
            fprintf(stderr, "fuzz: host %s for curl, %s for epart\n", host, u->host);
        FZ_ASSERT(strcasecmp(host, u->host) == 0);
    }
    rc = curl_url_get(h, CURLUPART_PORT, &port, 0);
    if (u->port == 0)
        FZ_ASSERT(rc == CURLUE_NO_PORT);
    else
        FZ_ASSERT(rc == CURLUE_OK && atoi(port) == u->port);
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *url = fz_str(data, size);
    struct webhook_url u;
    enum webhook_url_error e;

    memset(&u, 0x5a, sizeof(u));
    e = webhook_url_parse(url, &u);
    FZ_ASSERT(webhook_url_code(e) != NULL && webhook_url_message(e) != NULL);
    if (e == WURL_OK) {
        size_t n = strnlen(u.host, sizeof(u.host));

        FZ_ASSERT(n > 0 && n < sizeof(u.host));
        FZ_ASSERT(u.port >= 0 && u.port <= 65535);
        FZ_ASSERT(strchr(u.host, '@') == NULL && strchr(u.host, '/') == NULL);
        same_as_curl(url, &u);
    }
    address_laws(data, size);
    free(url);
    return 0;
}
