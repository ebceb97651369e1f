/*
 * jws.h — what the two verifiers of compact JWS tokens share: the API's bearer
 * tokens (token.c, HS256) and the OpenID provider's ID tokens (idtoken.c,
 * RS256/ES256). Each keeps its own order of checks and its own reasons; the
 * reading of a segment and of a date claim is written here, once.
 *
 * Pure logic, no I/O, thread-safe.
 */
#ifndef EPART_JWS_H
#define EPART_JWS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* The JSON object held by one base64url segment (header or claims), decoded
 * into buf (size bytes), or NULL. Duplicate members are refused, so that
 * {"alg":"HS256","alg":"none"} cannot mean two things to two readers; so are a
 * value that is not an object and NUL bytes. *bad_base64 (when not NULL) tells
 * a segment that is not base64url (or larger than buf) from one that is but
 * holds no object. The caller json_decref()s the result. */
json_t *jws_segment_json(const char *seg, size_t len, unsigned char *buf, size_t size,
                         bool *bad_base64);

/* A NumericDate claim (exp, iat, nbf) as both verifiers take it: a JSON
 * integer, not negative (no fraction). False, *out untouched, otherwise. */
bool jws_numeric_date(const json_t *j, long long *out);

#endif
