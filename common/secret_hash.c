/*
 * secret_hash.c — PBKDF2 hashes of client secrets, random tokens, UUIDs, base64.
 *
 * Encoding uses OpenSSL's EVP_EncodeBlock. Decoding is written here because
 * OpenSSL's decoders are lenient (they skip whitespace, accept missing padding
 * in places and ignore non-zero trailing bits), and the callers — JWT segments,
 * stored hashes, webhook secrets — want exactly one accepted spelling per value.
 */
#include "secret_hash.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define HASH_PREFIX      "pbkdf2-sha256$"
#define HASH_SALT_MIN    8  /* bytes: what we accept in a stored string */
#define HASH_SALT_MAX    64
#define HASH_STORED_MAX  256
#define B64_CHUNK        (3u * 65536u) /* input bytes per EVP_EncodeBlock call: fits an int */

/* ---- base64 ---------------------------------------------------------------- */

size_t b64_encoded_len(size_t n, enum b64_variant v)
{
    if (n > (SIZE_MAX - 3) / 4 - 1)
        return SIZE_MAX;
    if (v == B64_STD)
        return (n + 2) / 3 * 4;
    return (n * 4 + 2) / 3;
}

size_t b64_encode(const unsigned char *in, size_t in_len, enum b64_variant v, char *out,
                  size_t out_size)
{
    size_t need = b64_encoded_len(in_len, v);
    size_t full = in_len - in_len % 3;
    size_t pos = 0, i = 0;

    if (out == NULL || need == SIZE_MAX || out_size < need + 1 || (in == NULL && in_len > 0)) {
        if (out != NULL && out_size > 0)
            out[0] = '\0';
        return (size_t)-1;
    }
    while (i < full) {
        size_t chunk = full - i < B64_CHUNK ? full - i : B64_CHUNK;

        pos += (size_t)EVP_EncodeBlock((unsigned char *)out + pos, in + i, (int)chunk);
        i += chunk;
    }
    if (i < in_len) {
        /* The tail goes through a scratch buffer: EVP_EncodeBlock always pads, and
         * the unpadded variant's buffer has no room for the padding. */
        unsigned char tail[5];
        size_t rem = in_len - i;
        size_t keep = v == B64_STD ? 4 : rem + 1;

        EVP_EncodeBlock(tail, in + i, (int)rem);
        memcpy(out + pos, tail, keep);
        pos += keep;
    }
    out[pos] = '\0';
    if (v == B64_URL) {
        for (size_t k = 0; k < pos; k++) {
            if (out[k] == '+')
                out[k] = '-';
            else if (out[k] == '/')
                out[k] = '_';
        }
    }
    return pos;
}

static int b64_value(unsigned char c, enum b64_variant v)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (v == B64_URL ? '-' : '+'))
        return 62;
    if (c == (v == B64_URL ? '_' : '/'))
        return 63;
    return -1;
}

long b64_decode(const char *in, size_t in_len, enum b64_variant v, unsigned char *out,
                size_t out_size)
{
    size_t len = in_len, n, o = 0;
    uint32_t acc = 0;
    int bits = 0;

    if (in == NULL && in_len > 0)
        return -1;
    if (v == B64_STD) {
        if (len % 4 != 0)
            return -1;
        /* At most two '=' and only at the end; a third one fails the alphabet below. */
        if (len > 0 && in[len - 1] == '=')
            len--;
        if (len > 0 && in[len - 1] == '=' && len % 4 == 3)
            len--;
    }
    if (len % 4 == 1)
        return -1;
    n = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
    if (n > out_size || n > (size_t)LONG_MAX || (out == NULL && n > 0))
        return -1;
    for (size_t i = 0; i < len; i++) {
        int d = b64_value((unsigned char)in[i], v);

        if (d < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
        acc &= (1u << bits) - 1;
    }
    /* Non-zero leftover bits would let several texts decode to the same bytes. */
    if (acc != 0)
        return -1;
    return (long)o;
}

/* ---- PBKDF2 ------------------------------------------------------------------ */

static bool derive(const char *secret, size_t secret_len, const unsigned char *salt,
                   size_t salt_len, unsigned iterations, unsigned char key[SECRET_HASH_LEN])
{
    return PKCS5_PBKDF2_HMAC(secret, (int)secret_len, salt, (int)salt_len, (int)iterations,
                             EVP_sha256(), SECRET_HASH_LEN, key) == 1;
}

/* Split a stored string into its parts; false for anything we did not write. */
static bool parse_stored(const char *stored, unsigned *iterations, unsigned char *salt,
                         size_t *salt_len, unsigned char hash[SECRET_HASH_LEN])
{
    const char *p, *dollar;
    unsigned long iter = 0;
    long n;

    if (stored == NULL || strnlen(stored, HASH_STORED_MAX) >= HASH_STORED_MAX)
        return false;
    if (strncmp(stored, HASH_PREFIX, strlen(HASH_PREFIX)) != 0)
        return false;
    p = stored + strlen(HASH_PREFIX);

    /* Iterations: plain decimal, no sign, no leading zero, at most 8 digits. */
    if (*p < '1' || *p > '9')
        return false;
    for (int digits = 0; *p >= '0' && *p <= '9'; p++) {
        if (++digits > 8)
            return false;
        iter = iter * 10 + (unsigned long)(*p - '0');
    }
    if (*p++ != '$' || iter < SECRET_HASH_MIN_ITERATIONS || iter > SECRET_HASH_MAX_ITERATIONS)
        return false;

    dollar = strchr(p, '$');
    if (dollar == NULL)
        return false;
    n = b64_decode(p, (size_t)(dollar - p), B64_STD, salt, HASH_SALT_MAX);
    if (n < HASH_SALT_MIN)
        return false;
    *salt_len = (size_t)n;

    p = dollar + 1;
    if (b64_decode(p, strlen(p), B64_STD, hash, SECRET_HASH_LEN) != SECRET_HASH_LEN)
        return false;
    *iterations = (unsigned)iter;
    return true;
}

bool secret_hash(const char *secret, size_t secret_len, unsigned iterations, char *out,
                 size_t out_size)
{
    unsigned char salt[SECRET_HASH_SALT_LEN], key[SECRET_HASH_LEN];
    size_t pos;
    bool ok = false;

    if (out == NULL || out_size < SECRET_HASH_MAX_LEN)
        goto fail;
    out[0] = '\0';
    if (secret == NULL || secret_len == 0 || secret_len > SECRET_MAX_LEN ||
        iterations < SECRET_HASH_MIN_ITERATIONS || iterations > SECRET_HASH_MAX_ITERATIONS)
        goto fail;
    if (RAND_bytes(salt, sizeof(salt)) != 1 || !derive(secret, secret_len, salt, sizeof(salt),
                                                       iterations, key))
        goto done;

    pos = (size_t)snprintf(out, out_size, HASH_PREFIX "%u$", iterations);
    pos += b64_encode(salt, sizeof(salt), B64_STD, out + pos, out_size - pos);
    out[pos++] = '$';
    b64_encode(key, sizeof(key), B64_STD, out + pos, out_size - pos);
    ok = true;
done:
    OPENSSL_cleanse(key, sizeof(key));
    if (!ok)
        out[0] = '\0';
    return ok;
fail:
    if (out != NULL && out_size > 0)
        out[0] = '\0';
    return false;
}

bool secret_verify(const char *secret, size_t secret_len, const char *stored)
{
    unsigned char salt[HASH_SALT_MAX], want[SECRET_HASH_LEN], got[SECRET_HASH_LEN];
    size_t salt_len = 0;
    unsigned iterations = 0;
    bool ok;

    if (secret == NULL || secret_len > SECRET_MAX_LEN)
        return false;
    if (!parse_stored(stored, &iterations, salt, &salt_len, want))
        return false;
    ok = derive(secret, secret_len, salt, salt_len, iterations, got) &&
         CRYPTO_memcmp(got, want, SECRET_HASH_LEN) == 0;
    OPENSSL_cleanse(got, sizeof(got));
    return ok;
}

bool secret_hash_needs_rehash(const char *stored, unsigned iterations)
{
    unsigned char salt[HASH_SALT_MAX], hash[SECRET_HASH_LEN];
    size_t salt_len = 0;
    unsigned have = 0;

    if (!parse_stored(stored, &have, salt, &salt_len, hash))
        return true;
    return have < iterations || salt_len < SECRET_HASH_SALT_LEN;
}

/* ---- random material ------------------------------------------------------- */

int random_b64(char *out, size_t out_size, size_t nbytes, enum b64_variant v)
{
    unsigned char buf[RANDOM_MAX_BYTES];
    size_t n;

    if (out == NULL)
        return -1;
    if (out_size > 0)
        out[0] = '\0';
    if (nbytes == 0 || nbytes > RANDOM_MAX_BYTES || out_size < b64_encoded_len(nbytes, v) + 1)
        return -1;
    if (RAND_bytes(buf, (int)nbytes) != 1)
        return -1;
    n = b64_encode(buf, nbytes, v, out, out_size);
    OPENSSL_cleanse(buf, nbytes);
    return n == (size_t)-1 ? -1 : (int)n;
}

int random_token(char *out, size_t out_len, size_t nbytes)
{
    return random_b64(out, out_len, nbytes, B64_URL);
}

bool uuid_v4(char out[37])
{
    unsigned char b[16];

    out[0] = '\0';
    /* the kernel's CSPRNG: one syscall, no lock shared by the HTTP threads
     * (OpenSSL's DRBG showed in the ingest profile) */
    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b) && RAND_bytes(b, sizeof(b)) != 1)
        return false;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10xx (RFC 9562) */
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
    return true;
}
