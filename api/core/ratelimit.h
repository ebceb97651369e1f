/*
 * ratelimit.h — token buckets (SPEC §2: 429 with Retry-After).
 *
 * One bucket per organisation, shared by all HTTP threads, refilled at
 * EPART_RATE_LIMIT requests per second up to EPART_RATE_BURST; one per
 * instructor or administrator, at EPART_RATE_LIMIT_AGENT up to
 * EPART_RATE_BURST_AGENT (api/core/auth.c).
 * For POST /v1/auth/token: one per client address ("addr:<ip>") and one per
 * client_id ("client:<id>", SPEC §3). The table stays bounded whatever keys
 * callers choose (ratelimit.c).
 */
#ifndef EPART_API_RATELIMIT_H
#define EPART_API_RATELIMIT_H

#include <stdbool.h>

/* The longest key kept whole (a longer one is cut). */
#define RATELIMIT_KEY_MAX 80

/* Take one token from key's bucket. Returns true when allowed; otherwise sets
 * *retry_after to the whole seconds until a token is available (at least 1).
 * rate <= 0 disables limiting. */
bool ratelimit_take(const char *key, double rate, double burst, int *retry_after);

#endif
