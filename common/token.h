/*
 * token.h — the bearer tokens of the API: HS256 JWTs (SPEC §3).
 *
 * Every request carries "Authorization: Bearer <JWT>". This module turns that
 * header into a verified identity (role, subject, organisation or caisse) or a
 * precise reason for the 401, and signs the tokens that POST /v1/auth/token and
 * the epart-token tool hand out.
 *
 * Verification is done here by hand, not by libjwt: libjwt 1.10 trusts the
 * token's own "alg" and compares signatures with strcmp, so the header is
 * checked first (exactly "HS256", nothing else) and the HMAC-SHA256 is computed
 * with OpenSSL and compared in constant time. Signing uses libjwt.
 *
 * The key is the raw bytes of the configured secret (EPART_JWT_SECRET taken as
 * a byte string, not decoded from hex or base64); it must be at least 32 bytes.
 *
 * Token times (exp, iat, nbf) are checked against the real clock with a 30 s
 * leeway, never against the test clock of SPEC §6: callers pass time(NULL).
 *
 * Pure logic, no I/O, thread-safe. Nothing here logs; callers must never log a
 * token or a secret.
 */
#ifndef EPART_TOKEN_H
#define EPART_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define TOKEN_ISSUER     "epart"     /* required value of "iss" */
#define TOKEN_AUDIENCE   "epart-api" /* required value (or member) of "aud" */
#define TOKEN_ALG        "HS256"     /* the only accepted "alg" */
#define TOKEN_LEEWAY     30          /* seconds of clock skew tolerated on exp, nbf, iat */
#define TOKEN_MAX_LEN    8192        /* longer tokens are refused before any decoding */
#define TOKEN_SECRET_MIN 32          /* bytes: 256 bits, the HMAC-SHA256 output size */
#define TOKEN_SUB_MAX    128         /* bytes of "sub" */
#define TOKEN_CAISSE_MAX 16          /* digits of "caisse" */

/* The three roles of SPEC §3. */
enum role {
    ROLE_PARTNER,    /* a partner organisation's software or agent: scope is identity.org */
    ROLE_INSTRUCTOR, /* a CPAM instructor: scope is the organisations of identity.caisse */
    ROLE_ADMIN       /* manages organisations, clients, webhooks; reads everything */
};

/* Who is calling, as proven by a verified token. */
struct identity {
    enum role role;
    char sub[TOKEN_SUB_MAX + 1];       /* "sub": 1..128 bytes, no control characters */
    char org[37];                      /* partner: organisation UUID, lower case; else "" */
    char caisse[TOKEN_CAISSE_MAX + 1]; /* instructor: CPAM code, 1..16 digits; else "" */
    time_t exp;                        /* "exp" of the token (unix seconds) */
};

/* Why a token was refused. Every value but TOKEN_OK and TOKEN_ERR_SECRET is a 401;
 * TOKEN_ERR_SECRET and TOKEN_ERR_INTERNAL are the server's fault (500). The values
 * are listed in the order the checks run. */
enum token_error {
    TOKEN_OK = 0,
    TOKEN_ERR_EMPTY,          /* NULL or zero-length token */
    TOKEN_ERR_TOO_LONG,       /* over TOKEN_MAX_LEN bytes */
    TOKEN_ERR_FORMAT,         /* not three dot-separated segments, or header/claims empty */
    TOKEN_ERR_BASE64,         /* a segment is not canonical unpadded base64url */
    TOKEN_ERR_HEADER,         /* header is not a JSON object (or repeats a member) */
    TOKEN_ERR_ALG,            /* "alg" missing, not a string, or not exactly "HS256" */
    TOKEN_ERR_TYP,            /* "typ" present but not exactly "JWT" */
    TOKEN_ERR_CRIT,           /* "crit" present: no extension is understood */
    TOKEN_ERR_SECRET,         /* the verifier's secret is shorter than TOKEN_SECRET_MIN */
    TOKEN_ERR_SIGNATURE,      /* HMAC-SHA256 does not match (or is empty, or not 32 bytes) */
    TOKEN_ERR_PAYLOAD,        /* claims are not a JSON object (or repeat a member) */
    TOKEN_ERR_ISS,            /* "iss" missing or not "epart" */
    TOKEN_ERR_AUD,            /* "aud" missing, or neither "epart-api" nor an array holding it */
    TOKEN_ERR_SUB,            /* "sub" missing, empty, over 128 bytes or with control chars */
    TOKEN_ERR_EXP,            /* "exp" missing or not a non-negative integer */
    TOKEN_ERR_IAT,            /* "iat" missing or not a non-negative integer */
    TOKEN_ERR_NBF,            /* "nbf" present but not a non-negative integer */
    TOKEN_ERR_ROLE,           /* "role" missing or not partner, instructor or admin */
    TOKEN_ERR_ORG,            /* partner without "org", or "org" not a UUID */
    TOKEN_ERR_CAISSE,         /* instructor without "caisse", or not 1..16 digits */
    TOKEN_ERR_EXPIRED,        /* now > exp + leeway */
    TOKEN_ERR_NOT_YET_VALID,  /* now + leeway < nbf */
    TOKEN_ERR_IAT_FUTURE,     /* iat > now + leeway: issued in the future */
    TOKEN_ERR_INTERNAL        /* out of memory or a crypto library failure */
};

/* Verify token (token_len bytes, need not be NUL-terminated) signed with HMAC-SHA256
 * under secret, at the real instant now. On TOKEN_OK fills *out; on any error *out
 * is zeroed and must not be used.
 *
 * Accepted: header {"alg":"HS256"} with optional "typ":"JWT" and any other member
 * ignored (kid, jku, x5u… are never followed); claims iss = "epart"; aud =
 * "epart-api" or an array of strings containing it; sub; integer exp and iat; an
 * optional integer nbf; role; org (UUID, either case, stored lower case) for a
 * partner; caisse (digits) for an instructor. Claims not needed by the role are
 * ignored. Numeric dates must be JSON integers (no fractions). */
enum token_error token_verify(const char *token, size_t token_len, const unsigned char *secret,
                              size_t secret_len, time_t now, struct identity *out);

/* A short French sentence for the problem+json "detail" of a refused token. Never
 * NULL; never contains anything from the token itself. */
const char *token_error_str(enum token_error err);

/* A stable ASCII name of the error ("expired", "bad_signature"…) for logs and metrics. */
const char *token_error_name(enum token_error err);

/* Sign a token for id: HS256 with iss, aud (a string), sub, role, iat = now,
 * exp = now + ttl_seconds, plus org for a partner or caisse for an instructor.
 * Returns a malloc'd NUL-terminated string (free() it), or NULL when id is not a
 * valid identity (same rules as token_verify), ttl_seconds <= 0, the secret is
 * too short (token_secret_ok) or memory runs out. id->exp is ignored. */
char *token_sign(const struct identity *id, const unsigned char *secret, size_t secret_len,
                 time_t now, long ttl_seconds);

/* True when a signing secret of secret_len bytes is long enough (>= 256 bits). The
 * API and the tool refuse to start otherwise (SPEC security requirements). */
bool token_secret_ok(size_t secret_len);

/* The token inside an Authorization header value "Bearer <token>": the scheme is
 * matched case-insensitively and followed by one or more spaces; leading and
 * trailing spaces/tabs are ignored. Returns a pointer into header and stores the
 * token's length in *len, or returns NULL (and *len = 0) when header is NULL, of
 * another scheme, or the token is empty or contains whitespace. */
const char *token_from_bearer(const char *header, size_t *len);

/* "partner", "instructor" or "admin" ("" for an out-of-range value). */
const char *role_str(enum role role);

/* Parse a role name exactly as written in tokens (lower case). Returns false,
 * leaving *out untouched, for anything else; s may be NULL. */
bool role_parse(const char *s, enum role *out);

#endif
