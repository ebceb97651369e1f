/*
 * tokencache.h — tokens already verified by this HTTP thread.
 *
 * Partner software sends the same token with every request until it expires;
 * verifying it each time (base64, HMAC, two JSON documents) was a large share
 * of the ingest path's CPU. A token whose exact bytes were verified before is
 * accepted from here, its expiry and not-before still checked against the real
 * clock on every use (its not-before had passed when it was verified). One small table per HTTP thread: no lock. Slots are
 * chosen by a keyed hash and tokens compared in constant time, so the table
 * tells an attacker nothing about the tokens it holds.
 */
#ifndef EPART_API_TOKENCACHE_H
#define EPART_API_TOKENCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "token.h"

struct token_cache;

/* A new, empty cache (NULL when out of memory). */
struct token_cache *token_cache_new(void);

/* Free the cache. */
void token_cache_free(struct token_cache *tc);

/* Verify token as token_verify() does, using the cache: a token seen before is
 * valid while now is within its validity window. */
enum token_error token_cache_verify(struct token_cache *tc, const char *token, size_t len,
                                    const unsigned char *secret, size_t secret_len, time_t now,
                                    struct identity *out);

#endif
