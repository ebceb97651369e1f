/*
 * idtoken.h — verification of an OpenID Connect ID token (SPEC §13, OpenID
 * Connect Core §3.1.3.7) against the provider's keys (jwk.h).
 *
 * Why by hand: Debian's libjwt 1.10 takes the algorithm from the token's own
 * header (so "none" or HS256 keyed with a public key would pass a careless
 * caller), compares with strcmp and validates no claim. Here the header is
 * checked first — "alg" exactly RS256 or ES256, a "kid" naming a key of the
 * set whose own algorithm is that one, no "crit" — the signature is verified
 * with OpenSSL (jwk_verify), and only then are the claims read:
 * - iss: exactly the configured issuer;
 * - aud: the client id, or an array holding it; with several audiences, azp
 *   must be present; azp, when present, must be the client id;
 * - sub: 1..255 bytes without control characters;
 * - exp, iat: JSON integers; now ≤ exp + leeway; iat ≤ now + leeway, and
 *   iat ≥ now − IDTOKEN_MAX_AGE − leeway (an ID token is exchanged at once);
 *   nbf, when present, ≤ now + leeway;
 * - nonce: when the caller expects one, present and equal (constant time);
 *   when the token has one, a string of at most 255 bytes;
 * - email (optional): kept only when it is a valid address (vfield.h) and
 *   email_verified is not false, since it is what a first sign-in matches.
 * Times are the real clock's, never the test clock of SPEC §6.
 *
 * Pure logic, no I/O, thread-safe.
 */
#ifndef EPART_IDTOKEN_H
#define EPART_IDTOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "jwk.h"

#define IDTOKEN_MAX_LEN 16384 /* bytes: a longer token is refused before decoding */
#define IDTOKEN_LEEWAY 30     /* seconds of clock skew tolerated */
#define IDTOKEN_MAX_AGE 600   /* seconds: an older iat is refused */
#define IDTOKEN_SUB_MAX 255
#define IDTOKEN_NONCE_MAX 255

/* What the token must say. */
struct idtoken_expect {
    const char *issuer;    /* the configured EPART_OIDC_ISSUER */
    const char *client_id; /* EPART_OIDC_CLIENT_ID */
    const char *nonce;     /* the nonce the caller sent, or NULL */
    time_t now;            /* the real clock */
};

/* What a verified token says. */
struct idtoken_claims {
    char sub[IDTOKEN_SUB_MAX + 1];
    char email[256];             /* "" when absent, invalid or not verified */
    char name[201];              /* given/usual name when sent, for the journal of sign-ins */
    char nonce[IDTOKEN_NONCE_MAX + 1]; /* "" when absent */
    char kid[JWK_KID_MAX + 1];
    time_t exp;
    time_t iat;
};

/* Why a token was refused, in the order of the checks. */
enum idtoken_error {
    IDTOKEN_OK = 0,
    IDTOKEN_ERR_EMPTY,
    IDTOKEN_ERR_TOO_LONG,
    IDTOKEN_ERR_FORMAT,      /* not three segments of base64url */
    IDTOKEN_ERR_HEADER,      /* header not a JSON object */
    IDTOKEN_ERR_ALG,         /* alg not RS256 or ES256 ("none", HS256…) */
    IDTOKEN_ERR_TYP,         /* typ present and not "JWT" */
    IDTOKEN_ERR_CRIT,        /* crit present */
    IDTOKEN_ERR_KID,         /* kid missing or not a string of ≤ 128 bytes */
    IDTOKEN_ERR_UNKNOWN_KID, /* no key of the set has this kid: the set may be refreshed */
    IDTOKEN_ERR_KEY_ALG,     /* the key of this kid is for the other algorithm */
    IDTOKEN_ERR_SIGNATURE,
    IDTOKEN_ERR_PAYLOAD,     /* claims not a JSON object */
    IDTOKEN_ERR_ISS,
    IDTOKEN_ERR_AUD,
    IDTOKEN_ERR_AZP,
    IDTOKEN_ERR_SUB,
    IDTOKEN_ERR_EXP,         /* exp missing or not an integer */
    IDTOKEN_ERR_IAT,         /* iat missing or not an integer */
    IDTOKEN_ERR_NBF,         /* nbf not an integer */
    IDTOKEN_ERR_EXPIRED,
    IDTOKEN_ERR_IAT_FUTURE,
    IDTOKEN_ERR_TOO_OLD,
    IDTOKEN_ERR_NOT_YET_VALID,
    IDTOKEN_ERR_NONCE,       /* expected and missing or different, or malformed */
    IDTOKEN_ERR_INTERNAL
};

/* Verify token (len bytes) with the keys of set against expect. On IDTOKEN_OK
 * fills *out. On IDTOKEN_ERR_UNKNOWN_KID out->kid names the kid asked for;
 * otherwise *out is zeroed on error. */
enum idtoken_error idtoken_verify(const char *token, size_t len, const struct jwks *set,
                                  const struct idtoken_expect *expect,
                                  struct idtoken_claims *out);

/* A French sentence for the problem's detail (never anything from the token). */
const char *idtoken_error_str(enum idtoken_error err);

/* A stable ASCII name ("bad_signature", "expired"…) for the journal and logs. */
const char *idtoken_error_name(enum idtoken_error err);

#endif
