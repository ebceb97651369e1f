/*
 * webhook_url.c — webhook URL syntax and the private address classifier.
 */
#include "webhook_url.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool is_alnum(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* A DNS name (or a dotted IP literal, which reads as one): labels of 1..63
 * letters, digits, '-' or '_', separated by dots, one trailing dot allowed. */
static bool dns_name_ok(const char *h, size_t n)
{
    size_t label = 0;

    if (n == 0 || n > WEBHOOK_HOST_MAX)
        return false;
    if (h[n - 1] == '.')
        n--; /* "example.org." is the same absolute name */
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = h[i];

        if (ch == '.') {
            if (label == 0)
                return false;
            label = 0;
            continue;
        }
        if (!is_alnum(ch) && ch != '-' && ch != '_')
            return false;
        if (++label > 63)
            return false;
    }
    return label > 0;
}

enum webhook_url_error webhook_url_parse(const char *url, struct webhook_url *out)
{
    struct webhook_url u;
    size_t len, i, scheme_len, auth_start, auth_end, host_len;
    const char *host;

    memset(&u, 0, sizeof(u));
    if (url == NULL)
        return WURL_TOO_LONG;
    len = strlen(url);
    if (len == 0 || len > WEBHOOK_URL_MAX)
        return WURL_TOO_LONG;
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)url[i];

        /* Spaces, controls and non-ASCII are read differently by different
         * parsers; a backslash is a slash to some of them. */
        if (ch <= 0x20 || ch >= 0x7f || ch == '\\')
            return WURL_BAD_CHAR;
    }
    for (scheme_len = 0; scheme_len < len && url[scheme_len] != ':'; scheme_len++)
        if (!is_alnum(url[scheme_len]) && url[scheme_len] != '+' && url[scheme_len] != '-' &&
            url[scheme_len] != '.')
            return WURL_MALFORMED;
    if (scheme_len == 0 || scheme_len == len)
        return WURL_MALFORMED;
    if (scheme_len == 4 && strncasecmp(url, "http", 4) == 0)
        u.https = false;
    else if (scheme_len == 5 && strncasecmp(url, "https", 5) == 0)
        u.https = true;
    else
        return WURL_SCHEME;
    if (strncmp(url + scheme_len, "://", 3) != 0)
        return WURL_MALFORMED;
    if (strchr(url, '#') != NULL)
        return WURL_MALFORMED;
    auth_start = scheme_len + 3;
    auth_end = auth_start + strcspn(url + auth_start, "/?");
    if (memchr(url + auth_start, '@', auth_end - auth_start) != NULL)
        return WURL_USERINFO;
    host = url + auth_start;
    if (auth_end == auth_start)
        return WURL_BAD_HOST;
    if (host[0] == '[') {
        const char *close = memchr(host, ']', auth_end - auth_start);
        struct in6_addr a6;

        if (close == NULL)
            return WURL_BAD_HOST;
        host_len = (size_t)(close - host) - 1;
        if (host_len == 0 || host_len >= 64)
            return WURL_BAD_HOST;
        memcpy(u.host, host + 1, host_len);
        u.host[host_len] = '\0';
        if (inet_pton(AF_INET6, u.host, &a6) != 1)
            return WURL_BAD_HOST;
        i = (size_t)(close - url) + 1;
    } else {
        host_len = strcspn(host, ":/?"); /* stops within the authority */
        if (!dns_name_ok(host, host_len))
            return WURL_BAD_HOST;
        memcpy(u.host, host, host_len);
        u.host[host_len] = '\0';
        i = auth_start + host_len;
    }
    if (i < auth_end) {
        long port = 0;
        size_t digits = 0;

        if (url[i] != ':')
            return WURL_BAD_HOST; /* "[::1]x" */
        for (i++; i < auth_end; i++, digits++) {
            if (url[i] < '0' || url[i] > '9' || digits >= 5)
                return WURL_MALFORMED;
            port = port * 10 + (url[i] - '0');
        }
        if (digits == 0 || port < 1 || port > 65535)
            return WURL_MALFORMED;
        u.port = (int)port;
    }
    if (out != NULL)
        *out = u;
    return WURL_OK;
}

const char *webhook_url_code(enum webhook_url_error e)
{
    switch (e) {
    case WURL_OK: return "ok";
    case WURL_TOO_LONG: return "too_long";
    case WURL_SCHEME: return "unsupported_scheme";
    case WURL_USERINFO: return "userinfo_forbidden";
    case WURL_BAD_CHAR:
    case WURL_MALFORMED:
    case WURL_BAD_HOST: return "invalid_url";
    }
    return "invalid_url";
}

const char *webhook_url_message(enum webhook_url_error e)
{
    switch (e) {
    case WURL_OK: return "URL valide.";
    case WURL_TOO_LONG: return "L'URL doit compter de 1 à 2048 caractères.";
    case WURL_BAD_CHAR:
        return "L'URL ne doit contenir ni espace, ni caractère de contrôle, ni caractère non "
               "ASCII, ni barre oblique inversée.";
    case WURL_SCHEME: return "Seuls les schémas http et https sont acceptés.";
    case WURL_MALFORMED:
        return "L'URL doit être absolue (http://hôte[:port]/chemin), sans fragment (#), avec un "
               "port entre 1 et 65535.";
    case WURL_USERINFO:
        return "L'URL ne doit pas contenir d'identifiants (utilisateur:mot de passe@).";
    case WURL_BAD_HOST: return "L'hôte de l'URL est absent ou invalide.";
    }
    return "URL invalide.";
}

/* ---- addresses ------------------------------------------------------------ */

static bool in4(uint32_t a, uint32_t net, int bits)
{
    uint32_t mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);

    return (a & mask) == (net & mask);
}

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

static bool ipv4_private(uint32_t a)
{
    static const struct {
        uint32_t net;
        int bits;
    } ranges[] = {
        {IP4(0, 0, 0, 0), 8},       /* "this network", 0.0.0.0 */
        {IP4(10, 0, 0, 0), 8},      /* private */
        {IP4(100, 64, 0, 0), 10},   /* shared address space (CGNAT) */
        {IP4(127, 0, 0, 0), 8},     /* loopback */
        {IP4(169, 254, 0, 0), 16},  /* link-local, cloud metadata */
        {IP4(172, 16, 0, 0), 12},   /* private */
        {IP4(192, 0, 0, 0), 24},    /* IETF protocol assignments */
        {IP4(192, 0, 2, 0), 24},    /* documentation */
        {IP4(192, 168, 0, 0), 16},  /* private */
        {IP4(198, 18, 0, 0), 15},   /* benchmarking */
        {IP4(198, 51, 100, 0), 24}, /* documentation */
        {IP4(203, 0, 113, 0), 24},  /* documentation */
        {IP4(224, 0, 0, 0), 4},     /* multicast */
        {IP4(240, 0, 0, 0), 4},     /* reserved, 255.255.255.255 broadcast */
    };

    for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
        if (in4(a, ranges[i].net, ranges[i].bits))
            return true;
    return false;
}

static uint32_t be32_at(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* True when the first bits of the 16 bytes a equal those of prefix. */
static bool in6(const unsigned char *a, const unsigned char *prefix, int bits)
{
    int whole = bits / 8, rest = bits % 8;

    if (memcmp(a, prefix, (size_t)whole) != 0)
        return false;
    if (rest == 0)
        return true;
    return ((a[whole] ^ prefix[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static bool ipv6_private(const unsigned char *a)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    static const struct {
        unsigned char prefix[16];
        int bits;
    } ranges[] = {
        {{0x00}, 8},                         /* ::, ::1, IPv4-compatible, reserved */
        {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48}, /* local-use NAT64 */
        {{0x01, 0x00}, 64},                  /* discard-only */
        {{0x20, 0x01, 0x00, 0x00}, 32},      /* Teredo */
        {{0x20, 0x01, 0x0d, 0xb8}, 32},      /* documentation */
        {{0xfc}, 7},                         /* unique local */
        {{0xfe, 0x80}, 10},                  /* link-local */
        {{0xfe, 0xc0}, 10},                  /* site-local (deprecated) */
        {{0xff}, 8},                         /* multicast */
    };

    /* The IPv4 an IPv6 address carries is judged as IPv4: ::ffff:127.0.0.1
     * reaches the loopback, 64:ff9b::a00:1 and 2002:0a00:0001:: reach 10.0.0.1
     * through a translator or a relay. */
    if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
        return ipv4_private(be32_at(a + 12));
    if (a[0] == 0x20 && a[1] == 0x02)
        return ipv4_private(be32_at(a + 2));
    for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
        if (in6(a, ranges[i].prefix, ranges[i].bits))
            return true;
    return false;
}

bool addr_is_private(const struct sockaddr *sa)
{
    if (sa == NULL)
        return true;
    if (sa->sa_family == AF_INET) {
        struct sockaddr_in sin;

        memcpy(&sin, sa, sizeof(sin));
        return ipv4_private(ntohl(sin.sin_addr.s_addr));
    }
    if (sa->sa_family == AF_INET6) {
        struct sockaddr_in6 sin6;

        memcpy(&sin6, sa, sizeof(sin6));
        return ipv6_private(sin6.sin6_addr.s6_addr);
    }
    return true;
}
