/*
 * idem_key.c — length-prefixed, hashed names of idempotency records.
 */
#include "idem_key.h"

#include <stdio.h>
#include <string.h>

#include "digest.h"

void idem_key_name(const char *scope_kind, const char *scope_id, const char *key,
                   char out[IDEM_KEY_LEN])
{
    static const char version[] = "epart-idem-2\n";
    const char *parts[3] = {scope_kind, scope_id, key};
    char lens_text[3][24];
    const void *p[7];
    size_t l[7];
    char hex[SHA256_HEX_LEN];
    int n = 0;

    p[n] = version;
    l[n++] = sizeof(version) - 1;
    for (int i = 0; i < 3; i++) {
        size_t len = strlen(parts[i]);

        /* "<length>:" then the part: no part can run into the next */
        snprintf(lens_text[i], sizeof(lens_text[i]), "%zu:", len);
        p[n] = lens_text[i];
        l[n++] = strlen(lens_text[i]);
        p[n] = parts[i];
        l[n++] = len;
    }
    sha256_hex_parts(hex, n, p, l);
    snprintf(out, IDEM_KEY_LEN, IDEM_KEY_PREFIX "%s", hex);
}

bool idem_object_key(const char *object_id, char out[IDEM_OBJECT_KEY_LEN])
{
    size_t len = object_id != NULL ? strlen(object_id) : 0;

    out[0] = '\0';
    if (len == 0 || len > 64)
        return false;
    snprintf(out, IDEM_OBJECT_KEY_LEN, IDEM_OBJECT_PREFIX "%s", object_id);
    return true;
}

void idem_object_id(const char *record_name, const char *request_hash, char out[37])
{
    static const char version[] = "epart-object-id-1\n";
    const void *p[4] = {version, record_name, "\n", request_hash};
    size_t l[4] = {sizeof(version) - 1, strlen(record_name), 1, strlen(request_hash)};
    char hex[SHA256_HEX_LEN];
    static const char digits[] = "0123456789abcdef";
    int variant;

    sha256_hex_parts(hex, 4, p, l);
    hex[12] = '8'; /* version 8 */
    variant = (int)(strchr(digits, hex[16]) - digits);
    hex[16] = digits[(variant & 0x3) | 0x8]; /* variant 10xx */
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}
