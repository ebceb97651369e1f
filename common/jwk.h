/*
 * jwk.h — the public keys of an OpenID provider: a JSON Web Key Set (RFC 7517)
 * as published at the provider's jwks_uri, turned into OpenSSL keys.
 *
 * Only what SPEC §13 accepts is kept: RSA keys of 2048 to 8192 bits (for
 * RS256) and EC keys on P-256 (for ES256), each with a "kid". Every other key
 * of the set — another type or curve, a key for encryption ("use":"enc"), an
 * "alg" other than RS256/ES256, no "kid", a point not on the curve — is skipped
 * without failing the set, so that a provider publishing keys for other uses
 * still works. A "kid" seen twice keeps its first key only.
 *
 * Pure logic, no I/O; a parsed set is immutable and may be read by many
 * threads at once.
 */
#ifndef EPART_JWK_H
#define EPART_JWK_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>

#define JWKS_MAX_KEYS 32       /* keys kept from one set */
#define JWKS_MAX_TEXT 262144   /* bytes: a larger document is refused */
#define JWK_KID_MAX 128        /* bytes of a "kid" */

enum jwk_alg { JWK_RS256, JWK_ES256 };

struct jwk {
    char kid[JWK_KID_MAX + 1];
    enum jwk_alg alg; /* the only algorithm this key verifies */
    EVP_PKEY *key;
};

struct jwks {
    int n;
    struct jwk keys[JWKS_MAX_KEYS];
};

/* Parse text (len bytes, need not be NUL-terminated) as {"keys":[…]} into *out.
 * Returns the number of keys kept (0 is possible), or -1 when the text is not
 * a JSON object with a "keys" array (or is over JWKS_MAX_TEXT): *out is then
 * empty. err (may be NULL) gets a short reason for the logs. Free with
 * jwks_free, whatever the result. */
int jwks_parse(const char *text, size_t len, struct jwks *out, char *err, size_t errlen);

/* Release the keys of set (which may be empty or zeroed). */
void jwks_free(struct jwks *set);

/* The key named kid, or NULL. */
const struct jwk *jwks_find(const struct jwks *set, const char *kid);

/* Verify sig (sig_len bytes, JOSE form: PKCS #1 v1.5 for RS256, the 64 bytes
 * R || S for ES256) of data with key, SHA-256. */
bool jwk_verify(const struct jwk *key, const unsigned char *data, size_t data_len,
                const unsigned char *sig, size_t sig_len);

#endif
