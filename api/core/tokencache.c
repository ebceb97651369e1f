/*
 * tokencache.c — a direct-mapped table of verified tokens.
 */
#include "core/tokencache.h"

#include <openssl/crypto.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define SLOTS 256
#define MAX_CACHED_LEN 2048 /* longer tokens are verified every time */

struct slot {
    char *token;
    size_t len;
    struct identity id;
};

struct token_cache {
    uint64_t key[2];
    struct slot slots[SLOTS];
};

struct token_cache *token_cache_new(void)
{
    struct token_cache *tc = calloc(1, sizeof(*tc));

    if (tc != NULL && getrandom(tc->key, sizeof(tc->key), 0) != (ssize_t)sizeof(tc->key)) {
        free(tc);
        return NULL;
    }
    return tc;
}

void token_cache_free(struct token_cache *tc)
{
    if (tc == NULL)
        return;
    for (int i = 0; i < SLOTS; i++)
        free(tc->slots[i].token);
    free(tc);
}

/* FNV-1a mixed with a per-cache random key: slots cannot be aimed at. */
static unsigned slot_of(const struct token_cache *tc, const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL ^ tc->key[0];

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    h ^= tc->key[1];
    h ^= h >> 29;
    return (unsigned)(h % SLOTS);
}

enum token_error token_cache_verify(struct token_cache *tc, const char *token, size_t len,
                                    const unsigned char *secret, size_t secret_len, time_t now,
                                    struct identity *out)
{
    struct slot *sl;
    enum token_error err;

    if (tc == NULL || len > MAX_CACHED_LEN)
        return token_verify(token, len, secret, secret_len, now, out);
    sl = &tc->slots[slot_of(tc, token, len)];
    if (sl->token != NULL && sl->len == len && CRYPTO_memcmp(sl->token, token, len) == 0 &&
        now <= sl->id.exp + TOKEN_LEEWAY) {
        *out = sl->id;
        return TOKEN_OK;
    }
    err = token_verify(token, len, secret, secret_len, now, out);
    if (err != TOKEN_OK)
        return err;
    free(sl->token);
    sl->token = malloc(len);
    if (sl->token == NULL) {
        sl->len = 0;
        return TOKEN_OK;
    }
    memcpy(sl->token, token, len);
    sl->len = len;
    /* nbf and iat passed when it verified, and time only moves on: only the
     * expiry needs checking again */
    sl->id = *out;
    return TOKEN_OK;
}
