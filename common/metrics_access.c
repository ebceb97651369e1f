/*
 * metrics_access.c — the loopback and token rule of GET /metrics.
 */
#include "metrics_access.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>

#include "token.h"

bool metrics_peer_is_loopback(const char *addr)
{
    struct in_addr v4;
    struct in6_addr v6;

    if (addr == NULL)
        return false;
    if (inet_pton(AF_INET, addr, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, addr, &v6) != 1)
        return false;
    if (IN6_IS_ADDR_LOOPBACK(&v6))
        return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

enum metrics_access metrics_access_check(const char *peer, const char *authorization,
                                         const char *token)
{
    unsigned char want[SHA256_DIGEST_LENGTH], got[SHA256_DIGEST_LENGTH];
    const char *given;
    size_t len = 0;

    if (metrics_peer_is_loopback(peer))
        return METRICS_ALLOWED;
    if (token == NULL || token[0] == '\0')
        return METRICS_LOOPBACK_ONLY;
    given = token_from_bearer(authorization, &len);
    if (given == NULL)
        return METRICS_NEED_TOKEN;
    /* digests of both, so that neither the length nor a prefix leaks */
    SHA256((const unsigned char *)token, strlen(token), want);
    SHA256((const unsigned char *)given, len, got);
    return CRYPTO_memcmp(want, got, sizeof(want)) == 0 ? METRICS_ALLOWED : METRICS_NEED_TOKEN;
}
