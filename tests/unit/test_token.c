/*
 * test_token.c — every way a bearer token can be wrong, and the tokens we sign.
 *
 * Test tokens are forged by hand: a base64url encoder and an HMAC-SHA256 written
 * here (with OpenSSL's HMAC), independent of the code under test, so that each
 * defect — a header, a claim, a signature — can be produced on its own while
 * everything else stays right.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "token.h"

#define NOW ((time_t)1795000000) /* 2026-11-19T09:06:40Z */
#define ORG "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"

static const unsigned char SECRET[] = "epart-test-secret-0123456789-abcdef-XYZ";
static const unsigned char OTHER[] = "another-secret-of-enough-length-0123456789";
#define SECRET_LEN (sizeof(SECRET) - 1)
#define OTHER_LEN  (sizeof(OTHER) - 1)

static const char HS256_JWT[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

/* ---- forging ------------------------------------------------------------------ */

static void b64url(const unsigned char *in, size_t n, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0, i = 0;

    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

        out[o++] = a[v >> 18 & 63];
        out[o++] = a[v >> 12 & 63];
        out[o++] = a[v >> 6 & 63];
        out[o++] = a[v & 63];
    }
    if (n - i == 1) {
        out[o++] = a[in[i] >> 2];
        out[o++] = a[(in[i] & 3) << 4];
    } else if (n - i == 2) {
        out[o++] = a[in[i] >> 2];
        out[o++] = a[((in[i] & 3) << 4) | in[i + 1] >> 4];
        out[o++] = a[(in[i + 1] & 15) << 2];
    }
    out[o] = '\0';
}

/* "b64(header).b64(payload)" then, unless key is NULL, "." and the base64url of
 * HMAC(md, key, that). With key NULL the token ends at the payload: the caller
 * appends what it wants. */
static char *forge_md(const char *header, const char *payload, const EVP_MD *md,
                      const unsigned char *key, size_t key_len)
{
    size_t hl = strlen(header), pl = strlen(payload);
    char *t = malloc((hl + pl) * 2 + 200);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    size_t n;

    assert_non_null(t);
    b64url((const unsigned char *)header, hl, t);
    n = strlen(t);
    t[n++] = '.';
    b64url((const unsigned char *)payload, pl, t + n);
    n = strlen(t);
    if (key != NULL) {
        assert_non_null(HMAC(md, key, (int)key_len, (unsigned char *)t, n, mac, &mac_len));
        t[n++] = '.';
        b64url(mac, mac_len, t + n);
    }
    return t;
}

static char *forge(const char *header, const char *payload)
{
    return forge_md(header, payload, EVP_sha256(), SECRET, SECRET_LEN);
}

/* Claims valid at NOW for role, to be edited by each test. */
static json_t *claims_for(const char *role)
{
    json_t *c = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "iss", "epart", "aud", "epart-api",
                          "sub", "agent-42", "iat", (json_int_t)NOW - 10, "exp",
                          (json_int_t)NOW + 300, "role", role);

    assert_non_null(c);
    if (strcmp(role, "partner") == 0)
        json_object_set_new(c, "org", json_string(ORG));
    else if (strcmp(role, "instructor") == 0)
        json_object_set_new(c, "caisse", json_string("171"));
    return c;
}

/* Sign claims (consumed) under header with the test secret. */
static char *sign_with(const char *header, json_t *claims)
{
    char *payload = json_dumps(claims, JSON_COMPACT);
    char *t;

    assert_non_null(payload);
    t = forge(header, payload);
    free(payload);
    json_decref(claims);
    return t;
}

static char *sign(json_t *claims)
{
    return sign_with(HS256_JWT, claims);
}

static enum token_error verify_at(const char *t, time_t now, struct identity *id)
{
    return token_verify(t, strlen(t), SECRET, SECRET_LEN, now, id);
}

/* Verify t at NOW, free it, and return the verdict. */
static enum token_error check(char *t)
{
    struct identity id;
    enum token_error e = verify_at(t, NOW, &id);

    free(t);
    return e;
}

static enum token_error check_claims(json_t *claims)
{
    return check(sign(claims));
}

/* Verdict on a token with claims valid but for one member set to the JSON text val
 * (or removed when val is NULL). */
static enum token_error with_claim(const char *role, const char *name, const char *val)
{
    json_t *c = claims_for(role);

    if (val == NULL) {
        json_object_del(c, name);
    } else {
        json_t *v = json_loads(val, JSON_DECODE_ANY, NULL);

        assert_non_null(v);
        json_object_set_new(c, name, v);
    }
    return check_claims(c);
}

static enum token_error with_header(const char *header)
{
    return check(sign_with(header, claims_for("admin")));
}

/* ---- accepted tokens ------------------------------------------------------------- */

static void test_valid_partner(void **state)
{
    struct identity id;
    char *t = sign(claims_for("partner"));

    (void)state;
    assert_int_equal(verify_at(t, NOW, &id), TOKEN_OK);
    assert_int_equal(id.role, ROLE_PARTNER);
    assert_string_equal(id.sub, "agent-42");
    assert_string_equal(id.org, ORG);
    assert_string_equal(id.caisse, "");
    assert_int_equal(id.exp, NOW + 300);
    free(t);
}

static void test_valid_instructor_and_admin(void **state)
{
    struct identity id;
    char *t = sign(claims_for("instructor"));

    (void)state;
    assert_int_equal(verify_at(t, NOW, &id), TOKEN_OK);
    assert_int_equal(id.role, ROLE_INSTRUCTOR);
    assert_string_equal(id.caisse, "171");
    assert_string_equal(id.org, "");
    free(t);

    t = sign(claims_for("admin"));
    assert_int_equal(verify_at(t, NOW, &id), TOKEN_OK);
    assert_int_equal(id.role, ROLE_ADMIN);
    assert_string_equal(id.org, "");
    assert_string_equal(id.caisse, "");
    free(t);
}

static void test_org_upper_case_is_normalised(void **state)
{
    struct identity id;
    json_t *c = claims_for("partner");
    char *t;

    (void)state;
    json_object_set_new(c, "org", json_string("3F2B8C1E-5D4A-4E6F-9A7B-1C2D3E4F5A6B"));
    t = sign(c);
    assert_int_equal(verify_at(t, NOW, &id), TOKEN_OK);
    assert_string_equal(id.org, ORG);
    free(t);
}

static void test_claims_of_other_roles_are_ignored(void **state)
{
    struct identity id;
    json_t *c = claims_for("admin");
    char *t;

    (void)state;
    json_object_set_new(c, "org", json_string("not-a-uuid"));
    json_object_set_new(c, "caisse", json_integer(12));
    json_object_set_new(c, "scope", json_string("everything"));
    t = sign(c);
    assert_int_equal(verify_at(t, NOW, &id), TOKEN_OK);
    assert_string_equal(id.org, "");
    assert_string_equal(id.caisse, "");
    free(t);

    c = claims_for("partner");
    json_object_set_new(c, "caisse", json_string("not digits"));
    assert_int_equal(check_claims(c), TOKEN_OK);
}

static void test_typ_is_optional(void **state)
{
    (void)state;
    assert_int_equal(with_header("{\"alg\":\"HS256\"}"), TOKEN_OK);
    assert_int_equal(with_header("{\"typ\":\"JWT\",\"alg\":\"HS256\"}"), TOKEN_OK);
    assert_int_equal(with_header(" { \"alg\" : \"HS256\" } "), TOKEN_OK);
}

static void test_kid_jku_and_friends_ignored(void **state)
{
    static const char hdr[] =
        "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"../../../../etc/passwd\","
        "\"jku\":\"http://169.254.169.254/keys\",\"x5u\":\"https://evil.example/x5\","
        "\"jwk\":{\"kty\":\"oct\",\"k\":\"AAAA\"},\"cty\":\"JWT\",\"zip\":\"DEF\"}";
    json_t *c = claims_for("admin");
    char *payload = json_dumps(c, JSON_COMPACT);

    (void)state;
    /* Accepted with our secret: the members change nothing... */
    assert_int_equal(with_header(hdr), TOKEN_OK);
    /* ...and no key they name is ever used: signed with the "jwk" key or another
     * secret, the token is refused. */
    assert_int_equal(check(forge_md(hdr, payload, EVP_sha256(), (const unsigned char *)"\0\0\0",
                                    3)),
                     TOKEN_ERR_SIGNATURE);
    assert_int_equal(check(forge_md(hdr, payload, EVP_sha256(), OTHER, OTHER_LEN)),
                     TOKEN_ERR_SIGNATURE);
    free(payload);
    json_decref(c);
}

static void test_not_nul_terminated(void **state)
{
    struct identity id;
    char *t = sign(claims_for("admin"));
    size_t n = strlen(t);
    char *buf = malloc(n + 8);

    (void)state;
    assert_non_null(buf);
    memcpy(buf, t, n);
    memcpy(buf + n, " junk!!", 8);
    assert_int_equal(token_verify(buf, n, SECRET, SECRET_LEN, NOW, &id), TOKEN_OK);
    assert_int_equal(token_verify(buf, n + 1, SECRET, SECRET_LEN, NOW, &id), TOKEN_ERR_BASE64);
    free(buf);
    free(t);
}

static void test_out_is_optional(void **state)
{
    char *t = sign(claims_for("admin"));

    (void)state;
    assert_int_equal(token_verify(t, strlen(t), SECRET, SECRET_LEN, NOW, NULL), TOKEN_OK);
    free(t);
}

/* ---- alg ------------------------------------------------------------------------- */

static void test_alg_none(void **state)
{
    json_t *c = claims_for("admin");
    char *payload = json_dumps(c, JSON_COMPACT);
    char *t;
    size_t n;

    (void)state;
    /* Unsigned: "header.payload." */
    t = forge_md("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, NULL, NULL, 0);
    n = strlen(t);
    t[n] = '.';
    t[n + 1] = '\0';
    assert_int_equal(check(t), TOKEN_ERR_ALG);
    /* Without the trailing dot either. */
    assert_int_equal(check(forge_md("{\"alg\":\"none\"}", payload, NULL, NULL, 0)),
                     TOKEN_ERR_FORMAT);
    /* With a signature that would be right under HS256. */
    assert_int_equal(check(forge("{\"alg\":\"none\"}", payload)), TOKEN_ERR_ALG);
    assert_int_equal(check(forge("{\"alg\":\"None\"}", payload)), TOKEN_ERR_ALG);
    assert_int_equal(check(forge("{\"alg\":\"NONE\"}", payload)), TOKEN_ERR_ALG);
    assert_int_equal(check(forge("{\"alg\":\"\"}", payload)), TOKEN_ERR_ALG);
    free(payload);
    json_decref(c);
}

static void test_alg_other_than_hs256(void **state)
{
    json_t *c = claims_for("admin");
    char *payload = json_dumps(c, JSON_COMPACT);

    (void)state;
    /* Correctly signed HS512 and HS384 with our secret: still refused. */
    assert_int_equal(check(forge_md("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", payload, EVP_sha512(),
                                    SECRET, SECRET_LEN)),
                     TOKEN_ERR_ALG);
    assert_int_equal(check(forge_md("{\"alg\":\"HS384\"}", payload, EVP_sha384(), SECRET,
                                    SECRET_LEN)),
                     TOKEN_ERR_ALG);
    /* RS256 with an HMAC under the secret (the classic key-confusion forgery). */
    assert_int_equal(check(forge("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", payload)), TOKEN_ERR_ALG);
    assert_int_equal(check(forge("{\"alg\":\"ES256\"}", payload)), TOKEN_ERR_ALG);
    assert_int_equal(check(forge("{\"alg\":\"PS256\"}", payload)), TOKEN_ERR_ALG);
    /* Near misses of the one accepted spelling. */
    assert_int_equal(check(forge("{\"alg\":\"hs256\"}", payload)), TOKEN_ERR_ALG);
    assert_int_equal(check(forge("{\"alg\":\"Hs256\"}", payload)), TOKEN_ERR_ALG);
    assert_int_equal(check(forge("{\"alg\":\"HS256 \"}", payload)), TOKEN_ERR_ALG);
    assert_int_equal(check(forge("{\"alg\":\" HS256\"}", payload)), TOKEN_ERR_ALG);
    assert_int_equal(check(forge("{\"alg\":\"HS2560\"}", payload)), TOKEN_ERR_ALG);
    assert_int_equal(check(forge("{\"alg\":\"HS25\"}", payload)), TOKEN_ERR_ALG);
    /* Missing, or not a string. */
    assert_int_equal(check(forge("{\"typ\":\"JWT\"}", payload)), TOKEN_ERR_ALG);
    assert_int_equal(check(forge("{}", payload)), TOKEN_ERR_ALG);
    assert_int_equal(check(forge("{\"alg\":null}", payload)), TOKEN_ERR_ALG);
    assert_int_equal(check(forge("{\"alg\":256}", payload)), TOKEN_ERR_ALG);
    assert_int_equal(check(forge("{\"alg\":true}", payload)), TOKEN_ERR_ALG);
    assert_int_equal(check(forge("{\"alg\":[\"HS256\"]}", payload)), TOKEN_ERR_ALG);
    assert_int_equal(check(forge("{\"alg\":{\"name\":\"HS256\"}}", payload)), TOKEN_ERR_ALG);
    assert_int_equal(check(forge("{\"ALG\":\"HS256\"}", payload)), TOKEN_ERR_ALG);
    free(payload);
    json_decref(c);
}

/* The alg check comes before the secret is even looked at: a wrong alg is reported
 * as such whatever the verifier's configuration. */
static void test_alg_checked_before_anything_else(void **state)
{
    json_t *c = claims_for("admin");
    char *payload = json_dumps(c, JSON_COMPACT);
    char *t = forge("{\"alg\":\"none\"}", payload);
    struct identity id;

    (void)state;
    assert_int_equal(token_verify(t, strlen(t), NULL, 0, NOW, &id), TOKEN_ERR_ALG);
    free(t);
    free(payload);
    json_decref(c);
}

/* ---- header -------------------------------------------------------------------- */

static void test_header_not_json(void **state)
{
    (void)state;
    assert_int_equal(with_header("not json"), TOKEN_ERR_HEADER);
    assert_int_equal(with_header("{\"alg\":\"HS256\""), TOKEN_ERR_HEADER);
    assert_int_equal(with_header("{\"alg\":\"HS256\"}x"), TOKEN_ERR_HEADER);
    assert_int_equal(with_header("[\"HS256\"]"), TOKEN_ERR_HEADER);
    assert_int_equal(with_header("\"HS256\""), TOKEN_ERR_HEADER);
    assert_int_equal(with_header("null"), TOKEN_ERR_HEADER);
    assert_int_equal(with_header("{\"alg\":\"HS256\",}"), TOKEN_ERR_HEADER);
    /* One member twice: two readers could see two algorithms. */
    assert_int_equal(with_header("{\"alg\":\"HS256\",\"alg\":\"none\"}"), TOKEN_ERR_HEADER);
    assert_int_equal(with_header("{\"alg\":\"none\",\"alg\":\"HS256\"}"), TOKEN_ERR_HEADER);
    /* A NUL inside a string. */
    assert_int_equal(with_header("{\"alg\":\"HS256\\u0000none\"}"), TOKEN_ERR_HEADER);
    /* Invalid UTF-8. */
    assert_int_equal(with_header("{\"alg\":\"HS256\",\"kid\":\"\xff\"}"), TOKEN_ERR_HEADER);
}

/* Deep nesting in an ignored member must neither crash nor be followed: Jansson
 * caps the depth (2048), so such a header is refused as unreadable. */
static void test_header_deeply_nested(void **state)
{
    enum { DEPTH = 2500 };
    char *h = malloc(2 * DEPTH + 64);
    size_t n;

    (void)state;
    assert_non_null(h);
    strcpy(h, "{\"alg\":\"HS256\",\"x\":");
    n = strlen(h);
    memset(h + n, '[', DEPTH);
    memset(h + n + DEPTH, ']', DEPTH);
    strcpy(h + n + 2 * DEPTH, "}");
    assert_int_equal(with_header(h), TOKEN_ERR_HEADER);
    free(h);
}

static void test_typ_and_crit(void **state)
{
    (void)state;
    assert_int_equal(with_header("{\"alg\":\"HS256\",\"typ\":\"jwt\"}"), TOKEN_ERR_TYP);
    assert_int_equal(with_header("{\"alg\":\"HS256\",\"typ\":\"JWS\"}"), TOKEN_ERR_TYP);
    assert_int_equal(with_header("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}"), TOKEN_ERR_TYP);
    assert_int_equal(with_header("{\"alg\":\"HS256\",\"typ\":\"\"}"), TOKEN_ERR_TYP);
    assert_int_equal(with_header("{\"alg\":\"HS256\",\"typ\":null}"), TOKEN_ERR_TYP);
    assert_int_equal(with_header("{\"alg\":\"HS256\",\"typ\":1}"), TOKEN_ERR_TYP);
    assert_int_equal(with_header("{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1}"),
                     TOKEN_ERR_CRIT);
    assert_int_equal(with_header("{\"alg\":\"HS256\",\"crit\":[]}"), TOKEN_ERR_CRIT);
    assert_int_equal(with_header("{\"alg\":\"HS256\",\"crit\":null}"), TOKEN_ERR_CRIT);
    assert_int_equal(with_header("{\"alg\":\"HS256\",\"b64\":false,\"crit\":[\"b64\"]}"),
                     TOKEN_ERR_CRIT);
}

/* ---- shape and base64url ---------------------------------------------------------- */

static enum token_error raw(const char *t)
{
    struct identity id;

    return token_verify(t, t == NULL ? 0 : strlen(t), SECRET, SECRET_LEN, NOW, &id);
}

/* Verdict on the valid admin token edited by f. */
static enum token_error edited(void (*f)(char *t, size_t n))
{
    char *t = sign(claims_for("admin"));
    char *buf = malloc(strlen(t) + 16);

    assert_non_null(buf);
    strcpy(buf, t);
    free(t);
    f(buf, strlen(buf));
    return check(buf);
}

static void drop_signature(char *t, size_t n)
{
    (void)n;
    strrchr(t, '.')[0] = '\0';
}

static void add_segment(char *t, size_t n)
{
    strcpy(t + n, ".e30");
}

static void add_dot(char *t, size_t n)
{
    strcpy(t + n, ".");
}

static void empty_header(char *t, size_t n)
{
    char *dot = strchr(t, '.');

    memmove(t, dot, strlen(dot) + 1);
    (void)n;
}

static void empty_payload(char *t, size_t n)
{
    char *d1 = strchr(t, '.'), *d2 = strrchr(t, '.');

    memmove(d1 + 1, d2, strlen(d2) + 1);
    (void)n;
}

static void empty_signature(char *t, size_t n)
{
    (void)n;
    strrchr(t, '.')[1] = '\0';
}

static void plus_in_signature(char *t, size_t n)
{
    t[n - 5] = '+';
}

static void slash_in_payload(char *t, size_t n)
{
    (void)n;
    strchr(t, '.')[3] = '/';
}

static void pad_signature(char *t, size_t n)
{
    strcpy(t + n, "=");
}

static void pad_header(char *t, size_t n)
{
    char *dot = strchr(t, '.');

    memmove(dot + 1, dot, n - (size_t)(dot - t) + 1);
    *dot = '=';
}

static void space_in_token(char *t, size_t n)
{
    t[n / 2] = ' ';
}

static void non_ascii(char *t, size_t n)
{
    t[n / 3] = (char)0xc3;
}

static void header_one_char_more(char *t, size_t n)
{
    /* The header's base64url is 36 characters; 37 cannot be base64. */
    char *dot = strchr(t, '.');

    memmove(dot + 1, dot, n - (size_t)(dot - t) + 1);
    *dot = 'A';
}

static void test_segments(void **state)
{
    (void)state;
    assert_int_equal(raw(NULL), TOKEN_ERR_EMPTY);
    assert_int_equal(raw(""), TOKEN_ERR_EMPTY);
    assert_int_equal(raw("."), TOKEN_ERR_FORMAT);
    assert_int_equal(raw(".."), TOKEN_ERR_FORMAT);
    assert_int_equal(raw("..."), TOKEN_ERR_FORMAT);
    assert_int_equal(raw("abc"), TOKEN_ERR_FORMAT);
    assert_int_equal(edited(drop_signature), TOKEN_ERR_FORMAT);
    assert_int_equal(edited(add_segment), TOKEN_ERR_FORMAT);
    assert_int_equal(edited(add_dot), TOKEN_ERR_FORMAT);
    assert_int_equal(edited(empty_header), TOKEN_ERR_FORMAT);
    assert_int_equal(edited(empty_payload), TOKEN_ERR_FORMAT);
    assert_int_equal(edited(empty_signature), TOKEN_ERR_SIGNATURE);
}

static void test_base64url(void **state)
{
    (void)state;
    assert_int_equal(edited(plus_in_signature), TOKEN_ERR_BASE64);
    assert_int_equal(edited(slash_in_payload), TOKEN_ERR_BASE64);
    assert_int_equal(edited(pad_signature), TOKEN_ERR_BASE64);
    assert_int_equal(edited(pad_header), TOKEN_ERR_BASE64);
    assert_int_equal(edited(space_in_token), TOKEN_ERR_BASE64);
    assert_int_equal(edited(non_ascii), TOKEN_ERR_BASE64);
    assert_int_equal(edited(header_one_char_more), TOKEN_ERR_BASE64);
    /* eyJhbGciOiJIUzI1NiJ9IA is {"alg":"HS256"} and a space; re-spelt ...IB it has
     * non-zero unused bits and would decode to the same bytes under a lax decoder. */
    assert_int_equal(raw("eyJhbGciOiJIUzI1NiJ9IA.e30.AAAA"), TOKEN_ERR_SIGNATURE);
    assert_int_equal(raw("eyJhbGciOiJIUzI1NiJ9IB.e30.AAAA"), TOKEN_ERR_BASE64);
    assert_int_equal(raw("eyJhbGciOiJIUzI1NiJ9\n.e30.AAAA"), TOKEN_ERR_BASE64);
}

/* ---- signature ------------------------------------------------------------------- */

static void test_signature_other_secret(void **state)
{
    json_t *c = claims_for("admin");
    char *payload = json_dumps(c, JSON_COMPACT);

    (void)state;
    assert_int_equal(check(forge_md(HS256_JWT, payload, EVP_sha256(), OTHER, OTHER_LEN)),
                     TOKEN_ERR_SIGNATURE);
    /* A prefix of our secret is another key. */
    assert_int_equal(check(forge_md(HS256_JWT, payload, EVP_sha256(), SECRET, SECRET_LEN - 1)),
                     TOKEN_ERR_SIGNATURE);
    free(payload);
    json_decref(c);
}

static void test_signature_truncated_or_extended(void **state)
{
    char *t = sign(claims_for("admin"));
    size_t n = strlen(t);
    char *buf = malloc(n + 2);

    (void)state;
    assert_non_null(buf);
    assert_int_equal(verify_at(t, NOW, NULL), TOKEN_OK);
    /* One character less: 31 bytes. */
    memcpy(buf, t, n - 1);
    buf[n - 1] = '\0';
    assert_int_equal(raw(buf), TOKEN_ERR_SIGNATURE);
    /* One character more. */
    memcpy(buf, t, n);
    buf[n] = 'A';
    buf[n + 1] = '\0';
    assert_int_equal(raw(buf), TOKEN_ERR_SIGNATURE);
    /* Four more: 35 bytes, a valid base64url length. */
    free(buf);
    buf = malloc(n + 5);
    assert_non_null(buf);
    memcpy(buf, t, n);
    memcpy(buf + n, "AAAA", 5);
    assert_int_equal(raw(buf), TOKEN_ERR_SIGNATURE);
    free(buf);
    free(t);
}

static void test_signature_every_bit_flipped(void **state)
{
    json_t *c = claims_for("admin");
    char *payload = json_dumps(c, JSON_COMPACT);
    char *base = forge_md(HS256_JWT, payload, NULL, NULL, 0);
    unsigned char mac[32];
    unsigned int mac_len = 0;
    size_t n = strlen(base);
    char *t = malloc(n + 64);

    (void)state;
    assert_non_null(t);
    assert_non_null(HMAC(EVP_sha256(), SECRET, SECRET_LEN, (unsigned char *)base, n, mac,
                         &mac_len));
    for (int bit = 0; bit < 256; bit++) {
        mac[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        memcpy(t, base, n);
        t[n] = '.';
        b64url(mac, 32, t + n + 1);
        assert_int_equal(raw(t), TOKEN_ERR_SIGNATURE);
        mac[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    }
    /* And unflipped it is right. */
    memcpy(t, base, n);
    t[n] = '.';
    b64url(mac, 32, t + n + 1);
    assert_int_equal(raw(t), TOKEN_OK);
    free(t);
    free(base);
    free(payload);
    json_decref(c);
}

static void test_signature_over_other_content(void **state)
{
    char *partner = sign(claims_for("partner"));
    char *admin = sign(claims_for("admin"));
    char *mix = malloc(strlen(partner) + strlen(admin));
    const char *admin_payload = strchr(admin, '.');
    const char *partner_sig = strrchr(partner, '.');

    (void)state;
    assert_non_null(mix);
    /* Partner's header and signature around the admin's claims. */
    strcpy(mix, partner);
    strcpy(strchr(mix, '.'), admin_payload);
    strcpy(strrchr(mix, '.'), partner_sig);
    assert_int_equal(raw(mix), TOKEN_ERR_SIGNATURE);
    /* The same token with another (still HS256) header. */
    free(mix);
    mix = malloc(strlen(admin) + 64);
    assert_non_null(mix);
    b64url((const unsigned char *)"{\"alg\":\"HS256\"}", 15, mix);
    strcat(mix, admin_payload);
    assert_int_equal(raw(mix), TOKEN_ERR_SIGNATURE);
    free(mix);
    free(partner);
    free(admin);
}

static void test_verifier_secret(void **state)
{
    char *t = sign(claims_for("admin"));
    struct identity id;

    (void)state;
    assert_int_equal(token_verify(t, strlen(t), NULL, 0, NOW, &id), TOKEN_ERR_SECRET);
    assert_int_equal(token_verify(t, strlen(t), SECRET, 0, NOW, &id), TOKEN_ERR_SECRET);
    assert_int_equal(token_verify(t, strlen(t), SECRET, 31, NOW, &id), TOKEN_ERR_SECRET);
    assert_int_equal(token_verify(t, strlen(t), SECRET, 32, NOW, &id), TOKEN_ERR_SIGNATURE);
    free(t);
}

/* ---- claims ----------------------------------------------------------------------- */

static void test_payload_not_an_object(void **state)
{
    (void)state;
    assert_int_equal(check(forge(HS256_JWT, "not json")), TOKEN_ERR_PAYLOAD);
    assert_int_equal(check(forge(HS256_JWT, "{\"iss\":\"epart\"")), TOKEN_ERR_PAYLOAD);
    assert_int_equal(check(forge(HS256_JWT, "[{\"iss\":\"epart\"}]")), TOKEN_ERR_PAYLOAD);
    assert_int_equal(check(forge(HS256_JWT, "[]")), TOKEN_ERR_PAYLOAD);
    assert_int_equal(check(forge(HS256_JWT, "\"epart\"")), TOKEN_ERR_PAYLOAD);
    assert_int_equal(check(forge(HS256_JWT, "42")), TOKEN_ERR_PAYLOAD);
    assert_int_equal(check(forge(HS256_JWT, "null")), TOKEN_ERR_PAYLOAD);
    assert_int_equal(check(forge(HS256_JWT, "{}")), TOKEN_ERR_ISS);
    /* One claim twice. */
    assert_int_equal(check(forge(HS256_JWT,
                                 "{\"iss\":\"epart\",\"aud\":\"epart-api\",\"sub\":\"x\","
                                 "\"iat\":1795000000,\"exp\":1795000300,\"role\":\"partner\","
                                 "\"role\":\"admin\"}")),
                     TOKEN_ERR_PAYLOAD);
}

static void test_every_required_claim_missing(void **state)
{
    static const struct {
        const char *name;
        enum token_error want;
    } req[] = {
        {"iss", TOKEN_ERR_ISS}, {"aud", TOKEN_ERR_AUD}, {"sub", TOKEN_ERR_SUB},
        {"exp", TOKEN_ERR_EXP}, {"iat", TOKEN_ERR_IAT}, {"role", TOKEN_ERR_ROLE},
    };
    static const char *const roles[] = {"partner", "instructor", "admin"};

    (void)state;
    for (size_t r = 0; r < 3; r++) {
        for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++)
            assert_int_equal(with_claim(roles[r], req[i].name, NULL), req[i].want);
        assert_int_equal(with_claim(roles[r], "nbf", NULL), TOKEN_OK);
    }
    assert_int_equal(with_claim("partner", "org", NULL), TOKEN_ERR_ORG);
    assert_int_equal(with_claim("instructor", "caisse", NULL), TOKEN_ERR_CAISSE);
}

static void test_iss(void **state)
{
    (void)state;
    assert_int_equal(with_claim("admin", "iss", "\"other\""), TOKEN_ERR_ISS);
    assert_int_equal(with_claim("admin", "iss", "\"Epart\""), TOKEN_ERR_ISS);
    assert_int_equal(with_claim("admin", "iss", "\"epart \""), TOKEN_ERR_ISS);
    assert_int_equal(with_claim("admin", "iss", "\"\""), TOKEN_ERR_ISS);
    assert_int_equal(with_claim("admin", "iss", "[\"epart\"]"), TOKEN_ERR_ISS);
    assert_int_equal(with_claim("admin", "iss", "null"), TOKEN_ERR_ISS);
    assert_int_equal(with_claim("admin", "iss", "1"), TOKEN_ERR_ISS);
}

static void test_aud(void **state)
{
    (void)state;
    assert_int_equal(with_claim("admin", "aud", "\"other-api\""), TOKEN_ERR_AUD);
    assert_int_equal(with_claim("admin", "aud", "\"epart\""), TOKEN_ERR_AUD);
    assert_int_equal(with_claim("admin", "aud", "\"EPART-API\""), TOKEN_ERR_AUD);
    assert_int_equal(with_claim("admin", "aud", "[\"epart-api\"]"), TOKEN_OK);
    assert_int_equal(with_claim("admin", "aud", "[\"other\",\"epart-api\"]"), TOKEN_OK);
    assert_int_equal(with_claim("admin", "aud", "[\"other\"]"), TOKEN_ERR_AUD);
    assert_int_equal(with_claim("admin", "aud", "[]"), TOKEN_ERR_AUD);
    assert_int_equal(with_claim("admin", "aud", "[\"epart-api\",3]"), TOKEN_ERR_AUD);
    assert_int_equal(with_claim("admin", "aud", "[[\"epart-api\"]]"), TOKEN_ERR_AUD);
    assert_int_equal(with_claim("admin", "aud", "{\"aud\":\"epart-api\"}"), TOKEN_ERR_AUD);
    assert_int_equal(with_claim("admin", "aud", "null"), TOKEN_ERR_AUD);
}

static void test_sub(void **state)
{
    char big[TOKEN_SUB_MAX + 4];

    (void)state;
    assert_int_equal(with_claim("admin", "sub", "\"\""), TOKEN_ERR_SUB);
    assert_int_equal(with_claim("admin", "sub", "42"), TOKEN_ERR_SUB);
    assert_int_equal(with_claim("admin", "sub", "null"), TOKEN_ERR_SUB);
    assert_int_equal(with_claim("admin", "sub", "\"a\\nINFO forged line\""), TOKEN_ERR_SUB);
    assert_int_equal(with_claim("admin", "sub", "\"tab\\there\""), TOKEN_ERR_SUB);
    assert_int_equal(with_claim("admin", "sub", "\"del\\u007f\""), TOKEN_ERR_SUB);
    assert_int_equal(with_claim("admin", "sub", "\"Agent Dupré\""), TOKEN_OK);
    /* 128 bytes accepted, 129 refused. */
    big[0] = '"';
    memset(big + 1, 'x', TOKEN_SUB_MAX);
    strcpy(big + 1 + TOKEN_SUB_MAX, "\"");
    assert_int_equal(with_claim("admin", "sub", big), TOKEN_OK);
    strcpy(big + 1 + TOKEN_SUB_MAX, "x\"");
    assert_int_equal(with_claim("admin", "sub", big), TOKEN_ERR_SUB);
}

static void test_numeric_dates_types(void **state)
{
    (void)state;
    assert_int_equal(with_claim("admin", "exp", "\"1795000300\""), TOKEN_ERR_EXP);
    assert_int_equal(with_claim("admin", "exp", "1795000300.0"), TOKEN_ERR_EXP);
    assert_int_equal(with_claim("admin", "exp", "1.7950003e9"), TOKEN_ERR_EXP);
    assert_int_equal(with_claim("admin", "exp", "true"), TOKEN_ERR_EXP);
    assert_int_equal(with_claim("admin", "exp", "null"), TOKEN_ERR_EXP);
    assert_int_equal(with_claim("admin", "exp", "[1795000300]"), TOKEN_ERR_EXP);
    assert_int_equal(with_claim("admin", "exp", "-1"), TOKEN_ERR_EXP);
    assert_int_equal(with_claim("admin", "iat", "\"1795000000\""), TOKEN_ERR_IAT);
    assert_int_equal(with_claim("admin", "iat", "1794999990.5"), TOKEN_ERR_IAT);
    assert_int_equal(with_claim("admin", "iat", "-5"), TOKEN_ERR_IAT);
    assert_int_equal(with_claim("admin", "iat", "false"), TOKEN_ERR_IAT);
    assert_int_equal(with_claim("admin", "nbf", "\"1795000000\""), TOKEN_ERR_NBF);
    assert_int_equal(with_claim("admin", "nbf", "null"), TOKEN_ERR_NBF);
    assert_int_equal(with_claim("admin", "nbf", "1.5"), TOKEN_ERR_NBF);
    /* An integer too large for 64 bits is not a JSON number Jansson takes. */
    assert_int_equal(check(forge(HS256_JWT, "{\"iss\":\"epart\",\"aud\":\"epart-api\","
                                            "\"sub\":\"x\",\"iat\":1795000000,"
                                            "\"exp\":99999999999999999999,\"role\":\"admin\"}")),
                     TOKEN_ERR_PAYLOAD);
}

static void test_expiry_leeway(void **state)
{
    char v[32];

    (void)state;
    snprintf(v, sizeof(v), "%lld", (long long)NOW);
    assert_int_equal(with_claim("admin", "exp", v), TOKEN_OK);
    snprintf(v, sizeof(v), "%lld", (long long)NOW - 30);
    assert_int_equal(with_claim("admin", "exp", v), TOKEN_OK); /* exactly the leeway */
    snprintf(v, sizeof(v), "%lld", (long long)NOW - 31);
    assert_int_equal(with_claim("admin", "exp", v), TOKEN_ERR_EXPIRED);
    snprintf(v, sizeof(v), "%lld", (long long)NOW - 86400);
    assert_int_equal(with_claim("admin", "exp", v), TOKEN_ERR_EXPIRED);
    assert_int_equal(with_claim("admin", "exp", "0"), TOKEN_ERR_EXPIRED);
    /* No overflow near the top of the range (the sanitizers watch this). */
    assert_int_equal(with_claim("admin", "exp", "9223372036854775807"), TOKEN_OK);
    assert_int_equal(with_claim("admin", "exp", "9223372036854775790"), TOKEN_OK);
}

static void test_expiry_against_given_now(void **state)
{
    char *t = sign(claims_for("admin")); /* exp = NOW + 300 */

    (void)state;
    assert_int_equal(verify_at(t, NOW + 330, NULL), TOKEN_OK);
    assert_int_equal(verify_at(t, NOW + 331, NULL), TOKEN_ERR_EXPIRED);
    free(t);
}

static void test_nbf(void **state)
{
    char v[32];

    (void)state;
    snprintf(v, sizeof(v), "%lld", (long long)NOW - 100);
    assert_int_equal(with_claim("admin", "nbf", v), TOKEN_OK);
    snprintf(v, sizeof(v), "%lld", (long long)NOW + 30);
    assert_int_equal(with_claim("admin", "nbf", v), TOKEN_OK); /* exactly the leeway */
    snprintf(v, sizeof(v), "%lld", (long long)NOW + 31);
    assert_int_equal(with_claim("admin", "nbf", v), TOKEN_ERR_NOT_YET_VALID);
    snprintf(v, sizeof(v), "%lld", (long long)NOW + 3600);
    assert_int_equal(with_claim("admin", "nbf", v), TOKEN_ERR_NOT_YET_VALID);
    assert_int_equal(with_claim("admin", "nbf", "9223372036854775807"), TOKEN_ERR_NOT_YET_VALID);
}

static void test_iat_in_the_future(void **state)
{
    char v[32];

    (void)state;
    snprintf(v, sizeof(v), "%lld", (long long)NOW + 30);
    assert_int_equal(with_claim("admin", "iat", v), TOKEN_OK);
    snprintf(v, sizeof(v), "%lld", (long long)NOW + 31);
    assert_int_equal(with_claim("admin", "iat", v), TOKEN_ERR_IAT_FUTURE);
    snprintf(v, sizeof(v), "%lld", (long long)NOW + 86400 * 365);
    assert_int_equal(with_claim("admin", "iat", v), TOKEN_ERR_IAT_FUTURE);
    assert_int_equal(with_claim("admin", "iat", "9223372036854775807"), TOKEN_ERR_IAT_FUTURE);
    assert_int_equal(with_claim("admin", "iat", "0"), TOKEN_OK);
}

static void test_role(void **state)
{
    (void)state;
    assert_int_equal(with_claim("admin", "role", "\"superadmin\""), TOKEN_ERR_ROLE);
    assert_int_equal(with_claim("admin", "role", "\"Admin\""), TOKEN_ERR_ROLE);
    assert_int_equal(with_claim("admin", "role", "\"admin \""), TOKEN_ERR_ROLE);
    assert_int_equal(with_claim("admin", "role", "\"\""), TOKEN_ERR_ROLE);
    assert_int_equal(with_claim("admin", "role", "2"), TOKEN_ERR_ROLE);
    assert_int_equal(with_claim("admin", "role", "[\"admin\"]"), TOKEN_ERR_ROLE);
    assert_int_equal(with_claim("admin", "role", "null"), TOKEN_ERR_ROLE);
}

static void test_partner_org(void **state)
{
    (void)state;
    assert_int_equal(with_claim("partner", "org", "\"not-a-uuid\""), TOKEN_ERR_ORG);
    assert_int_equal(with_claim("partner", "org", "\"\""), TOKEN_ERR_ORG);
    assert_int_equal(with_claim("partner", "org", "\"3f2b8c1e5d4a4e6f9a7b1c2d3e4f5a6b\""),
                     TOKEN_ERR_ORG);
    assert_int_equal(with_claim("partner", "org", "\"{3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b}\""),
                     TOKEN_ERR_ORG);
    assert_int_equal(with_claim("partner", "org", "\"3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6bb\""),
                     TOKEN_ERR_ORG);
    assert_int_equal(with_claim("partner", "org", "\"3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6\""),
                     TOKEN_ERR_ORG);
    assert_int_equal(with_claim("partner", "org", "\"3f2b8c1g-5d4a-4e6f-9a7b-1c2d3e4f5a6b\""),
                     TOKEN_ERR_ORG);
    assert_int_equal(with_claim("partner", "org", "\"3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b\\n\""),
                     TOKEN_ERR_ORG);
    assert_int_equal(with_claim("partner", "org", "42"), TOKEN_ERR_ORG);
    assert_int_equal(with_claim("partner", "org", "null"), TOKEN_ERR_ORG);
    assert_int_equal(with_claim("partner", "org", "[\"" ORG "\"]"), TOKEN_ERR_ORG);
    /* Any version: the nil UUID and a v7 are UUIDs. */
    assert_int_equal(with_claim("partner", "org", "\"00000000-0000-0000-0000-000000000000\""),
                     TOKEN_OK);
    assert_int_equal(with_claim("partner", "org", "\"01890a5d-ac96-774b-bcce-b302099a8057\""),
                     TOKEN_OK);
}

static void test_instructor_caisse(void **state)
{
    (void)state;
    assert_int_equal(with_claim("instructor", "caisse", "\"\""), TOKEN_ERR_CAISSE);
    assert_int_equal(with_claim("instructor", "caisse", "171"), TOKEN_ERR_CAISSE);
    assert_int_equal(with_claim("instructor", "caisse", "\"17A\""), TOKEN_ERR_CAISSE);
    assert_int_equal(with_claim("instructor", "caisse", "\" 171\""), TOKEN_ERR_CAISSE);
    assert_int_equal(with_claim("instructor", "caisse", "\"-171\""), TOKEN_ERR_CAISSE);
    assert_int_equal(with_claim("instructor", "caisse", "null"), TOKEN_ERR_CAISSE);
    assert_int_equal(with_claim("instructor", "caisse", "\"1234567890123456\""), TOKEN_OK);
    assert_int_equal(with_claim("instructor", "caisse", "\"12345678901234567\""),
                     TOKEN_ERR_CAISSE);
    assert_int_equal(with_claim("instructor", "caisse", "\"0\""), TOKEN_OK);
}

/* ---- size ------------------------------------------------------------------------ */

/* A valid admin token under header, with a "pad" claim of pad characters. */
static char *padded(const char *header, size_t pad)
{
    json_t *c = claims_for("admin");
    char *filler = malloc(pad + 1);

    assert_non_null(filler);
    memset(filler, 'p', pad);
    filler[pad] = '\0';
    json_object_set_new(c, "pad", json_string(filler));
    free(filler);
    return sign_with(header, c);
}

/* A valid admin token of exactly len characters. Base64url lengths are never 1
 * modulo 4, so both the header (through "kid") and the claims (through "pad") are
 * stretched until the sum lands on len. */
static char *token_of_length(size_t len)
{
    for (int kid = 0; kid < 4; kid++) {
        char header[64];
        char *t = NULL;
        size_t base, guess;

        snprintf(header, sizeof(header), "{\"alg\":\"HS256\",\"kid\":\"%.*s\"}", kid, "kkkk");
        t = padded(header, 0);
        base = strlen(t);
        free(t);
        guess = (len - base) * 3 / 4;
        for (size_t pad = guess > 8 ? guess - 8 : 0; pad < guess + 8; pad++) {
            t = padded(header, pad);
            if (strlen(t) == len)
                return t;
            free(t);
        }
    }
    fail_msg("no token of length %zu", len);
    return NULL;
}

static void test_huge_token(void **state)
{
    char *t;
    char *huge = malloc(1u << 20);

    (void)state;
    /* The largest accepted size is accepted... */
    t = token_of_length(TOKEN_MAX_LEN);
    assert_int_equal(raw(t), TOKEN_OK);
    free(t);
    /* ...one more is refused before anything is decoded, valid or not. */
    t = token_of_length(TOKEN_MAX_LEN + 1);
    assert_int_equal(raw(t), TOKEN_ERR_TOO_LONG);
    free(t);
    assert_non_null(huge);
    memset(huge, 'A', (1u << 20) - 1);
    huge[(1u << 20) - 1] = '\0';
    huge[10] = '.';
    huge[20] = '.';
    assert_int_equal(raw(huge), TOKEN_ERR_TOO_LONG);
    free(huge);
}

/* ---- signing with libjwt --------------------------------------------------------- */

static void test_sign_roundtrip_each_role(void **state)
{
    struct identity in, out;
    char *t;

    (void)state;
    memset(&in, 0, sizeof(in));
    in.role = ROLE_PARTNER;
    strcpy(in.sub, "client-7");
    strcpy(in.org, ORG);
    t = token_sign(&in, SECRET, SECRET_LEN, NOW, 900);
    assert_non_null(t);
    assert_int_equal(verify_at(t, NOW, &out), TOKEN_OK);
    assert_int_equal(out.role, ROLE_PARTNER);
    assert_string_equal(out.sub, "client-7");
    assert_string_equal(out.org, ORG);
    assert_int_equal(out.exp, NOW + 900);
    assert_int_equal(verify_at(t, NOW + 930, NULL), TOKEN_OK);
    assert_int_equal(verify_at(t, NOW + 931, NULL), TOKEN_ERR_EXPIRED);
    assert_int_equal(verify_at(t, NOW - 30, NULL), TOKEN_OK);
    assert_int_equal(verify_at(t, NOW - 31, NULL), TOKEN_ERR_IAT_FUTURE);
    assert_int_equal(token_verify(t, strlen(t), OTHER, OTHER_LEN, NOW, NULL),
                     TOKEN_ERR_SIGNATURE);
    free(t);

    memset(&in, 0, sizeof(in));
    in.role = ROLE_INSTRUCTOR;
    strcpy(in.sub, "instructeur.171");
    strcpy(in.caisse, "171");
    t = token_sign(&in, SECRET, SECRET_LEN, NOW, 60);
    assert_non_null(t);
    assert_int_equal(verify_at(t, NOW, &out), TOKEN_OK);
    assert_int_equal(out.role, ROLE_INSTRUCTOR);
    assert_string_equal(out.caisse, "171");
    free(t);

    memset(&in, 0, sizeof(in));
    in.role = ROLE_ADMIN;
    strcpy(in.sub, "admin");
    strcpy(in.org, "ignored");
    t = token_sign(&in, SECRET, SECRET_LEN, NOW, 60);
    assert_non_null(t);
    assert_int_equal(verify_at(t, NOW, &out), TOKEN_OK);
    assert_int_equal(out.role, ROLE_ADMIN);
    assert_string_equal(out.org, "");
    free(t);
}

static json_t *decode_segment(const char *seg, size_t len)
{
    unsigned char buf[4096];
    int n;
    char *text = malloc(len + 4);

    assert_non_null(text);
    /* base64url -> base64 with padding, then OpenSSL's decoder. */
    for (size_t i = 0; i < len; i++)
        text[i] = seg[i] == '-' ? '+' : seg[i] == '_' ? '/' : seg[i];
    while (len % 4)
        text[len++] = '=';
    n = EVP_DecodeBlock(buf, (unsigned char *)text, (int)len);
    assert_true(n > 0);
    while (text[--len] == '=')
        n--;
    free(text);
    return json_loadb((char *)buf, (size_t)n, 0, NULL);
}

static void test_sign_produces_expected_header_and_claims(void **state)
{
    struct identity in;
    char *t, *d1, *d2;
    json_t *h, *c;

    (void)state;
    memset(&in, 0, sizeof(in));
    in.role = ROLE_PARTNER;
    strcpy(in.sub, "client-7");
    strcpy(in.org, "3F2B8C1E-5D4A-4E6F-9A7B-1C2D3E4F5A6B");
    t = token_sign(&in, SECRET, SECRET_LEN, NOW, 900);
    assert_non_null(t);
    d1 = strchr(t, '.');
    d2 = strrchr(t, '.');
    assert_true(d1 != d2);

    /* libjwt's header: exactly {"alg":"HS256","typ":"JWT"}, which we accept. */
    h = decode_segment(t, (size_t)(d1 - t));
    assert_non_null(h);
    assert_int_equal(json_object_size(h), 2);
    assert_string_equal(json_string_value(json_object_get(h, "alg")), "HS256");
    assert_string_equal(json_string_value(json_object_get(h, "typ")), "JWT");
    json_decref(h);

    c = decode_segment(d1 + 1, (size_t)(d2 - d1 - 1));
    assert_non_null(c);
    assert_string_equal(json_string_value(json_object_get(c, "iss")), "epart");
    assert_string_equal(json_string_value(json_object_get(c, "aud")), "epart-api");
    assert_string_equal(json_string_value(json_object_get(c, "sub")), "client-7");
    assert_string_equal(json_string_value(json_object_get(c, "role")), "partner");
    assert_string_equal(json_string_value(json_object_get(c, "org")), ORG); /* lower-cased */
    assert_null(json_object_get(c, "caisse"));
    assert_int_equal(json_integer_value(json_object_get(c, "iat")), NOW);
    assert_int_equal(json_integer_value(json_object_get(c, "exp")), NOW + 900);
    json_decref(c);
    free(t);
}

static void test_sign_refuses_invalid_input(void **state)
{
    struct identity in;
    char *t;

    (void)state;
    memset(&in, 0, sizeof(in));
    in.role = ROLE_ADMIN;
    strcpy(in.sub, "admin");
    t = token_sign(&in, SECRET, SECRET_LEN, NOW, 60);
    assert_non_null(t);
    free(t);

    assert_null(token_sign(NULL, SECRET, SECRET_LEN, NOW, 60));
    assert_null(token_sign(&in, NULL, SECRET_LEN, NOW, 60));
    assert_null(token_sign(&in, SECRET, 31, NOW, 60)); /* short secret */
    assert_null(token_sign(&in, SECRET, SECRET_LEN, NOW, 0));
    assert_null(token_sign(&in, SECRET, SECRET_LEN, NOW, -5));
    assert_null(token_sign(&in, SECRET, SECRET_LEN, -1, 60));

    in.sub[0] = '\0';
    assert_null(token_sign(&in, SECRET, SECRET_LEN, NOW, 60));
    strcpy(in.sub, "a\nb");
    assert_null(token_sign(&in, SECRET, SECRET_LEN, NOW, 60));
    strcpy(in.sub, "admin");
    in.role = (enum role)7;
    assert_null(token_sign(&in, SECRET, SECRET_LEN, NOW, 60));

    in.role = ROLE_PARTNER;
    assert_null(token_sign(&in, SECRET, SECRET_LEN, NOW, 60)); /* no org */
    strcpy(in.org, "nope");
    assert_null(token_sign(&in, SECRET, SECRET_LEN, NOW, 60));

    in.role = ROLE_INSTRUCTOR;
    assert_null(token_sign(&in, SECRET, SECRET_LEN, NOW, 60)); /* no caisse */
    strcpy(in.caisse, "17B");
    assert_null(token_sign(&in, SECRET, SECRET_LEN, NOW, 60));
}

/* ---- helpers ---------------------------------------------------------------------- */

static void test_out_cleared_on_error(void **state)
{
    struct identity id;
    char *t = sign(claims_for("partner"));

    (void)state;
    memset(&id, 0x41, sizeof(id));
    assert_int_equal(token_verify(t, strlen(t), OTHER, OTHER_LEN, NOW, &id),
                     TOKEN_ERR_SIGNATURE);
    assert_string_equal(id.sub, "");
    assert_string_equal(id.org, "");
    assert_string_equal(id.caisse, "");
    assert_int_equal(id.exp, 0);
    free(t);
    /* Even when the failure is found after the claims were partly read. */
    t = sign(claims_for("partner"));
    memset(&id, 0x41, sizeof(id));
    assert_int_equal(verify_at(t, NOW + 100000, &id), TOKEN_ERR_EXPIRED);
    assert_string_equal(id.org, "");
    free(t);
}

static void test_error_strings(void **state)
{
    (void)state;
    for (int i = TOKEN_OK; i <= TOKEN_ERR_INTERNAL; i++) {
        const char *s = token_error_str((enum token_error)i);
        const char *n = token_error_name((enum token_error)i);

        assert_non_null(s);
        assert_non_null(n);
        assert_true(strlen(s) > 5);
        assert_true(strlen(n) > 1);
        for (int j = TOKEN_OK; j < i; j++) {
            assert_string_not_equal(token_error_str((enum token_error)j), s);
            assert_string_not_equal(token_error_name((enum token_error)j), n);
        }
    }
    assert_string_equal(token_error_name(TOKEN_ERR_EXPIRED), "expired");
    assert_string_equal(token_error_str((enum token_error)999),
                        token_error_str(TOKEN_ERR_INTERNAL));
}

static void test_bearer(void **state)
{
    size_t len = 99;
    const char *p;

    (void)state;
    p = token_from_bearer("Bearer abc.def.ghi", &len);
    assert_non_null(p);
    assert_int_equal(len, 11);
    assert_memory_equal(p, "abc.def.ghi", 11);
    p = token_from_bearer("bearer abc", &len);
    assert_non_null(p);
    assert_int_equal(len, 3);
    p = token_from_bearer("BEARER    abc  \t", &len);
    assert_non_null(p);
    assert_int_equal(len, 3);
    assert_memory_equal(p, "abc", 3);
    p = token_from_bearer("  Bearer x", &len);
    assert_non_null(p);
    assert_int_equal(len, 1);

    assert_null(token_from_bearer(NULL, &len));
    assert_int_equal(len, 0);
    len = 5;
    assert_null(token_from_bearer("", &len));
    assert_int_equal(len, 0);
    assert_null(token_from_bearer("Bearer", &len));
    assert_null(token_from_bearer("Bearer ", &len));
    assert_null(token_from_bearer("Bearer    \t ", &len));
    assert_null(token_from_bearer("Bearerabc", &len));
    assert_null(token_from_bearer("Bearer\tabc", &len));
    assert_null(token_from_bearer("Basic YWJjOmRlZg==", &len));
    assert_null(token_from_bearer("Bear abc", &len));
    assert_null(token_from_bearer("abc.def.ghi", &len));
    assert_null(token_from_bearer("Bearer abc def", &len));
    assert_null(token_from_bearer("Bearer abc\r\n", &len));
    assert_int_equal(len, 0);
}

static void test_secret_length_rule(void **state)
{
    (void)state;
    assert_false(token_secret_ok(0));
    assert_false(token_secret_ok(16));
    assert_false(token_secret_ok(31));
    assert_true(token_secret_ok(32));
    assert_true(token_secret_ok(64));
}

static void test_roles_names(void **state)
{
    enum role r = ROLE_ADMIN;

    (void)state;
    assert_string_equal(role_str(ROLE_PARTNER), "partner");
    assert_string_equal(role_str(ROLE_INSTRUCTOR), "instructor");
    assert_string_equal(role_str(ROLE_ADMIN), "admin");
    assert_string_equal(role_str((enum role)3), "");
    assert_true(role_parse("partner", &r));
    assert_int_equal(r, ROLE_PARTNER);
    assert_true(role_parse("instructor", &r));
    assert_int_equal(r, ROLE_INSTRUCTOR);
    assert_false(role_parse("Partner", &r));
    assert_false(role_parse("", &r));
    assert_false(role_parse(NULL, &r));
    assert_int_equal(r, ROLE_INSTRUCTOR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_partner),
        cmocka_unit_test(test_valid_instructor_and_admin),
        cmocka_unit_test(test_org_upper_case_is_normalised),
        cmocka_unit_test(test_claims_of_other_roles_are_ignored),
        cmocka_unit_test(test_typ_is_optional),
        cmocka_unit_test(test_kid_jku_and_friends_ignored),
        cmocka_unit_test(test_not_nul_terminated),
        cmocka_unit_test(test_out_is_optional),
        cmocka_unit_test(test_alg_none),
        cmocka_unit_test(test_alg_other_than_hs256),
        cmocka_unit_test(test_alg_checked_before_anything_else),
        cmocka_unit_test(test_header_not_json),
        cmocka_unit_test(test_header_deeply_nested),
        cmocka_unit_test(test_typ_and_crit),
        cmocka_unit_test(test_segments),
        cmocka_unit_test(test_base64url),
        cmocka_unit_test(test_signature_other_secret),
        cmocka_unit_test(test_signature_truncated_or_extended),
        cmocka_unit_test(test_signature_every_bit_flipped),
        cmocka_unit_test(test_signature_over_other_content),
        cmocka_unit_test(test_verifier_secret),
        cmocka_unit_test(test_payload_not_an_object),
        cmocka_unit_test(test_every_required_claim_missing),
        cmocka_unit_test(test_iss),
        cmocka_unit_test(test_aud),
        cmocka_unit_test(test_sub),
        cmocka_unit_test(test_numeric_dates_types),
        cmocka_unit_test(test_expiry_leeway),
        cmocka_unit_test(test_expiry_against_given_now),
        cmocka_unit_test(test_nbf),
        cmocka_unit_test(test_iat_in_the_future),
        cmocka_unit_test(test_role),
        cmocka_unit_test(test_partner_org),
        cmocka_unit_test(test_instructor_caisse),
        cmocka_unit_test(test_huge_token),
        cmocka_unit_test(test_sign_roundtrip_each_role),
        cmocka_unit_test(test_sign_produces_expected_header_and_claims),
        cmocka_unit_test(test_sign_refuses_invalid_input),
        cmocka_unit_test(test_out_cleared_on_error),
        cmocka_unit_test(test_error_strings),
        cmocka_unit_test(test_bearer),
        cmocka_unit_test(test_secret_length_rule),
        cmocka_unit_test(test_roles_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
