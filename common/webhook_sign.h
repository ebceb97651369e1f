/*
 * webhook_sign.h — the Standard Webhooks signature and the retry schedule of
 * webhook deliveries (SPEC §6, docs/webhooks.md).
 *
 * Signature (standardwebhooks.com): the secret is "whsec_" followed by the
 * standard base64 of the key; a delivery carries
 *
 *     webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>
 *
 * where id is the webhook-id header and timestamp the webhook-timestamp header
 * (unix seconds). Receivers verify it with the specification's libraries.
 *
 * Retry schedule: after try n fails, the next comes after step(n) plus a
 * uniformly random extra of up to half of it. The steps are multiples of a
 * base (30 s in production): 1, 4, 20, 60, 240, 480, 720, then 960 for every
 * later try — 30 s, 2 min, 10 min, 30 min, 2 h, 4 h, 6 h, then 8 h. The jitter
 * only lengthens a step, so the first 8 tries always span at least 12 h 42 min
 * 30 s (SPEC: at least 8 tries over at least 12 hours), and retries after an
 * outage spread out instead of arriving together.
 *
 * Pure logic, no I/O, thread-safe.
 */
#ifndef EPART_WEBHOOK_SIGN_H
#define EPART_WEBHOOK_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define WEBHOOK_SECRET_PREFIX "whsec_"
#define WEBHOOK_SECRET_BYTES 32   /* random bytes of a new secret */
#define WEBHOOK_SIGNATURE_LEN 48  /* "v1," + 44 base64 characters + NUL */

/* Write "v1,<signature>" of (msg_id, timestamp, body) under secret (a
 * "whsec_<base64>" string) into out (at least WEBHOOK_SIGNATURE_LEN bytes).
 * Returns 0, or -1 when the secret is malformed or out too small. */
int webhook_signature(const char *secret, const char *msg_id, int64_t timestamp,
                      const char *body, size_t body_len, char *out, size_t out_size);

/* The delay in milliseconds before the try that follows try number attempt
 * (1 for the first), for a schedule whose first step is base_ms; u in [0, 1)
 * draws the jitter. */
int64_t webhook_retry_delay_ms(int attempt, int64_t base_ms, double u);

/* The step of the schedule after try attempt, without jitter, in units of the
 * base (1, 4, 20, ...). */
int64_t webhook_retry_step(int attempt);

#endif
