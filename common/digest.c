/*
 * digest.c — hashing with OpenSSL's EVP interfaces.
 */
#include "digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>

#include "secret_hash.h"

void sha256_hex_parts(char out[SHA256_HEX_LEN], int n, const void *const *parts,
                      const size_t *lens)
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    out[0] = '\0';
    if (ctx == NULL)
        return;
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1) {
        for (int i = 0; i < n; i++)
            EVP_DigestUpdate(ctx, parts[i], lens[i]);
        if (EVP_DigestFinal_ex(ctx, md, &mdlen) == 1)
            for (unsigned i = 0; i < mdlen; i++)
                snprintf(out + 2 * i, 3, "%02x", md[i]);
    }
    EVP_MD_CTX_free(ctx);
}

int hmac_sha256_b64(const unsigned char *key, size_t key_len, const void *data, size_t len,
                    char *out, size_t out_size)
{
    unsigned char md[32];
    unsigned int mdlen = 0;

    if (HMAC(EVP_sha256(), key, (int)key_len, data, len, md, &mdlen) == NULL)
        return -1;
    return b64_encode(md, mdlen, B64_STD, out, out_size) == (size_t)-1 ? -1 : 0;
}
