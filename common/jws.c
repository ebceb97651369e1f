/*
 * jws.c — the segments and dates of compact JWS tokens (see jws.h).
 */
#include "jws.h"

#include "secret_hash.h"

json_t *jws_segment_json(const char *seg, size_t len, unsigned char *buf, size_t size,
                         bool *bad_base64)
{
    long n = b64_decode(seg, len, B64_URL, buf, size);
    json_t *j;

    if (bad_base64 != NULL)
        *bad_base64 = n < 0;
    if (n < 0)
        return NULL;
    /* No JSON_DECODE_ANY: only an object or array parses; NUL bytes are refused
     * because JSON_ALLOW_NUL is not given. */
    j = json_loadb((const char *)buf, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
    if (j != NULL && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

bool jws_numeric_date(const json_t *j, long long *out)
{
    if (!json_is_integer(j) || json_integer_value(j) < 0)
        return false;
    *out = json_integer_value(j);
    return true;
}
