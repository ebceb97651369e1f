/*
 * webhook_sign.c — Standard Webhooks signatures and the retry schedule.
 */
#include "webhook_sign.h"

#include <inttypes.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "secret_hash.h"

int webhook_signature(const char *secret, const char *msg_id, int64_t timestamp,
                      const char *body, size_t body_len, char *out, size_t out_size)
{
    size_t plen = strlen(WEBHOOK_SECRET_PREFIX), slen, id_len, head_len;
    unsigned char key[128];
    char head[256], mac[64];
    char *msg = NULL;
    long klen;
    int rc = -1;

    if (out_size > 0)
        out[0] = '\0';
    if (secret == NULL || msg_id == NULL || (body == NULL && body_len > 0) ||
        out_size < WEBHOOK_SIGNATURE_LEN)
        return -1;
    slen = strlen(secret);
    if (slen <= plen || strncmp(secret, WEBHOOK_SECRET_PREFIX, plen) != 0)
        return -1;
    klen = b64_decode(secret + plen, slen - plen, B64_STD, key, sizeof(key));
    if (klen <= 0)
        return -1;
    id_len = strlen(msg_id);
    if (id_len > 200)
        goto done;
    head_len = (size_t)snprintf(head, sizeof(head), "%s.%" PRId64 ".", msg_id, timestamp);
    msg = malloc(head_len + body_len + 1);
    if (msg == NULL)
        goto done;
    memcpy(msg, head, head_len);
    if (body_len > 0)
        memcpy(msg + head_len, body, body_len);
    if (hmac_sha256_b64(key, (size_t)klen, msg, head_len + body_len, mac, sizeof(mac)) < 0)
        goto done;
    snprintf(out, out_size, "v1,%s", mac);
    rc = 0;
done:
    OPENSSL_cleanse(key, sizeof(key));
    free(msg);
    return rc;
}

int64_t webhook_retry_step(int attempt)
{
    static const int64_t steps[] = {1, 4, 20, 60, 240, 480, 720, 960};
    int n = (int)(sizeof(steps) / sizeof(steps[0]));

    if (attempt < 1)
        attempt = 1;
    return attempt > n ? steps[n - 1] : steps[attempt - 1];
}

int64_t webhook_retry_delay_ms(int attempt, int64_t base_ms, double u)
{
    int64_t step = webhook_retry_step(attempt) * base_ms;

    if (u < 0 || u >= 1)
        u = 0;
    return step + (int64_t)(u * (double)step / 2.0);
}
