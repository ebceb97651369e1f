/*
 * secret_hash.h — random secrets, their slow hashes, and base64.
 *
 * API client secrets are shown once and stored only as a slow hash (SPEC §3):
 * PBKDF2-HMAC-SHA256 with a random 16-byte salt, kept as the self-describing
 * string
 *
 *     pbkdf2-sha256$<iterations>$<base64 salt>$<base64 hash>
 *
 * (standard base64 with padding, hash 32 bytes) so that the iteration count can
 * be raised later without invalidating stored secrets.
 *
 * The same file makes the random material of the product: client secrets
 * (random_token, URL-safe), webhook secrets (the caller prefixes "whsec_" to the
 * standard base64 of random_b64) and UUID v4 identifiers. Randomness comes from
 * OpenSSL's RAND_bytes only; nothing here does other I/O. Thread-safe.
 */
#ifndef EPART_SECRET_HASH_H
#define EPART_SECRET_HASH_H

#include <stdbool.h>
#include <stddef.h>

#define SECRET_HASH_DEFAULT_ITERATIONS 210000u
#define SECRET_HASH_MIN_ITERATIONS     1000u     /* below this a stored hash is refused */
#define SECRET_HASH_MAX_ITERATIONS     10000000u /* bounds the work a stored string can ask for */
#define SECRET_HASH_SALT_LEN           16        /* bytes of salt made by secret_hash */
#define SECRET_HASH_LEN                32        /* bytes of derived key (SHA-256 size) */
#define SECRET_HASH_MAX_LEN            128       /* buffer size for secret_hash output */
#define SECRET_MAX_LEN                 4096      /* longer secrets are refused */
#define RANDOM_MAX_BYTES               1024      /* most random bytes one random_b64 call makes */

/* The two base64 alphabets of RFC 4648. */
enum b64_variant {
    B64_STD, /* "+/" with "=" padding (§4): webhook secrets, stored hashes */
    B64_URL  /* "-_" without padding (§5): JWT segments, client secrets */
};

/* Characters b64_encode writes for n input bytes, without the final NUL. */
size_t b64_encoded_len(size_t n, enum b64_variant v);

/* Encode in_len bytes of in into out (out_size bytes, room for the NUL included).
 * Returns the length written (without the NUL), or (size_t)-1 when out is too
 * small — out is then "" if out_size > 0. */
size_t b64_encode(const unsigned char *in, size_t in_len, enum b64_variant v, char *out,
                  size_t out_size);

/* Decode exactly in_len characters of in, strictly: only the variant's alphabet,
 * padding required for B64_STD and refused for B64_URL, no whitespace, and the
 * unused low bits of the last character zero (one text per byte string, so a
 * signature or hash cannot be re-spelt). Returns the number of bytes written to
 * out, or -1 when the text is invalid or out_size is too small. */
long b64_decode(const char *in, size_t in_len, enum b64_variant v, unsigned char *out,
                size_t out_size);

/* Hash secret (secret_len bytes, 1..SECRET_MAX_LEN) with PBKDF2-HMAC-SHA256 over a
 * fresh random salt and the given iteration count (MIN..MAX_ITERATIONS; pass
 * SECRET_HASH_DEFAULT_ITERATIONS in production) into out, a NUL-terminated string
 * of the format above. Returns false (out = "" when out_size > 0) on bad
 * arguments, out_size < SECRET_HASH_MAX_LEN or a crypto failure. */
bool secret_hash(const char *secret, size_t secret_len, unsigned iterations, char *out,
                 size_t out_size);

/* True when secret hashes to stored (a string made by secret_hash). The final
 * comparison takes constant time. A malformed or out-of-bounds stored string, a
 * NULL argument or a secret over SECRET_MAX_LEN give false. To keep the time of a
 * lookup of an unknown client_id alike, callers may verify against a hash of a
 * dummy secret. */
bool secret_verify(const char *secret, size_t secret_len, const char *stored);

/* True when stored is malformed or uses fewer iterations than wanted: the caller
 * re-hashes the secret after a successful verification. */
bool secret_hash_needs_rehash(const char *stored, unsigned iterations);

/* Write the base64 (variant v) of nbytes (1..RANDOM_MAX_BYTES) random bytes into out
 * (out_size bytes, NUL included). Returns the length written, or -1 on bad
 * arguments, a too small buffer or a RAND_bytes failure (out = "" then). */
int random_b64(char *out, size_t out_size, size_t nbytes, enum b64_variant v);

/* random_b64 with the URL-safe alphabet and no padding: client secrets and other
 * tokens that travel in URLs or headers. Needs out_len >= b64_encoded_len(nbytes,
 * B64_URL) + 1. */
int random_token(char *out, size_t out_len, size_t nbytes);

/* Write a random (version 4, RFC 9562) UUID in lower-case 8-4-4-4-12 form into
 * out. Returns false (out = "") when RAND_bytes fails. */
bool uuid_v4(char out[37]);

#endif
