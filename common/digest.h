/*
 * digest.h — SHA-256 and HMAC-SHA256 helpers over OpenSSL.
 */
#ifndef EPART_DIGEST_H
#define EPART_DIGEST_H

#include <stddef.h>

#define SHA256_HEX_LEN 65 /* 64 hex digits and NUL */

/* Lower-case hex SHA-256 of the concatenation of n (pointer, length) parts. */
void sha256_hex_parts(char out[SHA256_HEX_LEN], int n, const void *const *parts,
                      const size_t *lens);

/* Base64 (standard alphabet, padded) HMAC-SHA256 of data under key into out
 * (at least 45 bytes). Returns 0, or -1 on a crypto failure. */
int hmac_sha256_b64(const unsigned char *key, size_t key_len, const void *data, size_t len,
                    char *out, size_t out_size);

#endif
