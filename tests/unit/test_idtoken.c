/*
 * test_idtoken.c — JSON Web Key Sets (jwk.h) and OpenID Connect ID tokens
 * (idtoken.h): keys made here with OpenSSL, tokens signed here, and every
 * defect of SPEC §13 refused.
 */
#include "errassert.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include "idtoken.h"
#include "jwk.h"
#include "secret_hash.h"

#define ISS "https://idp.example.org/realms/cpam"
#define CLIENT "epart"

static EVP_PKEY *rsa_key, *rsa_other, *ec_key, *rsa_weak;

static char *b64(const unsigned char *d, size_t n)
{
    static char bufs[8][2048];
    static int k;
    char *out = bufs[k++ % 8];

    assert_true(b64_encode(d, n, B64_URL, out, 2048) != (size_t)-1);
    return out;
}

static const char *bn_b64(EVP_PKEY *key, const char *param, size_t pad)
{
    BIGNUM *bn = NULL;
    unsigned char buf[1024];
    int n;

    assert_int_equal(EVP_PKEY_get_bn_param(key, param, &bn), 1);
    n = pad ? BN_bn2binpad(bn, buf, (int)pad) : BN_bn2bin(bn, buf);
    BN_free(bn);
    return b64(buf, (size_t)n);
}

static json_t *jwk_of(EVP_PKEY *key, const char *kid)
{
    if (EVP_PKEY_is_a(key, "RSA"))
        return json_pack("{s:s, s:s, s:s, s:s, s:s}", "kty", "RSA", "kid", kid, "use", "sig",
                         "n", bn_b64(key, OSSL_PKEY_PARAM_RSA_N, 0), "e",
                         bn_b64(key, OSSL_PKEY_PARAM_RSA_E, 0));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "kid", kid, "crv", "P-256",
                     "alg", "ES256", "x", bn_b64(key, OSSL_PKEY_PARAM_EC_PUB_X, 32), "y",
                     bn_b64(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32));
}

/* A set of the test's keys: rsa-1 (RS256) and ec-1 (ES256). */
static void load_set(struct jwks *set)
{
    json_t *doc = json_pack("{s:[o,o]}", "keys", jwk_of(rsa_key, "rsa-1"), jwk_of(ec_key, "ec-1"));
    char *text = json_dumps(doc, 0);

    assert_int_equal(jwks_parse(text, strlen(text), set, NULL, 0), 2);
    free(text);
    json_decref(doc);
}

/* header.claims signed with key (RS256 or ES256 by its type), or HS256 with hs. */
static char *sign(const char *header, json_t *claims, EVP_PKEY *key, const char *hs)
{
    char *payload = json_dumps(claims, JSON_COMPACT);
    char input[8192], *tok;
    unsigned char sig[1024];
    size_t sig_len = sizeof(sig);

    snprintf(input, sizeof(input), "%s.%s", b64((const unsigned char *)header, strlen(header)),
             b64((const unsigned char *)payload, strlen(payload)));
    free(payload);
    json_decref(claims);
    if (hs != NULL) {
        unsigned int n = 0;

        HMAC(EVP_sha256(), hs, (int)strlen(hs), (unsigned char *)input, strlen(input), sig, &n);
        sig_len = n;
    } else if (key != NULL) {
        EVP_MD_CTX *md = EVP_MD_CTX_new();

        assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
        assert_int_equal(EVP_DigestSign(md, sig, &sig_len, (unsigned char *)input, strlen(input)),
                         1);
        EVP_MD_CTX_free(md);
        if (EVP_PKEY_is_a(key, "EC")) {
            const unsigned char *p = sig;
            ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)sig_len);

            BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32);
            BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32);
            sig_len = 64;
            ECDSA_SIG_free(es);
        }
    } else {
        sig_len = 0;
    }
    tok = malloc(strlen(input) + 2 + 1400);
    sprintf(tok, "%s.%s", input, sig_len ? b64(sig, sig_len) : "");
    return tok;
}

static json_t *claims(time_t now)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:b, s:s}", "iss", ISS, "aud", CLIENT, "sub",
                     "agent-248", "iat", (json_int_t)now, "exp", (json_int_t)now + 300, "email",
                     "ines@cpam-171.fr", "email_verified", 1, "nonce", "n-0S6_WzA2Mj");
}

static enum idtoken_error check(char *tok, const char *nonce, struct idtoken_claims *out)
{
    struct jwks set;
    struct idtoken_expect x = {ISS, CLIENT, nonce, time(NULL)};
    struct idtoken_claims tmp;
    enum idtoken_error e;

    load_set(&set);
    e = idtoken_verify(tok, strlen(tok), &set, &x, out ? out : &tmp);
    jwks_free(&set);
    free(tok);
    return e;
}

#define RS "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"typ\":\"JWT\"}"
#define ES "{\"alg\":\"ES256\",\"kid\":\"ec-1\"}"

static json_t *with(json_t *c, const char *key, json_t *v)
{
    if (v == NULL)
        json_object_del(c, key);
    else
        json_object_set_new(c, key, v);
    return c;
}

static void test_valid_tokens(void **state)
{
    struct idtoken_claims out;
    time_t now = time(NULL);

    (void)state;
    assert_int_equal(check(sign(RS, claims(now), rsa_key, NULL), "n-0S6_WzA2Mj", &out), IDTOKEN_OK);
    assert_string_equal(out.sub, "agent-248");
    assert_string_equal(out.email, "ines@cpam-171.fr");
    assert_string_equal(out.nonce, "n-0S6_WzA2Mj");
    assert_string_equal(out.kid, "rsa-1");
    assert_int_equal(check(sign(ES, claims(now), ec_key, NULL), NULL, &out), IDTOKEN_OK);
    assert_string_equal(out.kid, "ec-1");
    /* aud as an array with azp, and within the leeway */
    assert_int_equal(check(sign(RS, with(with(claims(now), "aud", json_pack("[s,s]", CLIENT, "x")),
                                         "azp", json_string(CLIENT)),
                                rsa_key, NULL),
                           NULL, NULL),
                     IDTOKEN_OK);
    assert_int_equal(check(sign(RS, with(claims(now), "exp", json_integer(now - 20)), rsa_key,
                                NULL), NULL, NULL),
                     IDTOKEN_OK);
    /* an unverified e-mail is not kept (it would be matched on a first sign-in) */
    assert_int_equal(check(sign(RS, with(claims(now), "email_verified", json_false()), rsa_key,
                                NULL), NULL, &out),
                     IDTOKEN_OK);
    assert_string_equal(out.email, "");
    assert_int_equal(check(sign(RS, with(claims(now), "email", json_string("pas une adresse")),
                                rsa_key, NULL), NULL, &out),
                     IDTOKEN_OK);
    assert_string_equal(out.email, "");
}

static void test_header_defects(void **state)
{
    struct idtoken_claims out;
    time_t now = time(NULL);

    (void)state;
    assert_int_equal(check(sign("{\"alg\":\"none\",\"kid\":\"rsa-1\"}", claims(now), NULL, NULL),
                           NULL, NULL), IDTOKEN_ERR_ALG);
    assert_int_equal(check(sign("{\"kid\":\"rsa-1\"}", claims(now), rsa_key, NULL), NULL, NULL),
                     IDTOKEN_ERR_ALG);
    assert_int_equal(check(sign("{\"alg\":\"HS256\",\"kid\":\"rsa-1\"}", claims(now), NULL,
                                "secret-secret-secret-secret-1234"), NULL, NULL),
                     IDTOKEN_ERR_ALG);
    assert_int_equal(check(sign("{\"alg\":\"RS384\",\"kid\":\"rsa-1\"}", claims(now), rsa_key,
                                NULL), NULL, NULL), IDTOKEN_ERR_ALG);
    assert_int_equal(check(sign("{\"alg\":\"rs256\",\"kid\":\"rsa-1\"}", claims(now), rsa_key,
                                NULL), NULL, NULL), IDTOKEN_ERR_ALG);
    assert_int_equal(check(sign("{\"alg\":\"RS256\"}", claims(now), rsa_key, NULL), NULL, NULL),
                     IDTOKEN_ERR_KID);
    assert_int_equal(check(sign("{\"alg\":\"RS256\",\"kid\":7}", claims(now), rsa_key, NULL), NULL,
                           NULL), IDTOKEN_ERR_KID);
    assert_int_equal(check(sign("{\"alg\":\"RS256\",\"kid\":\"\"}", claims(now), rsa_key, NULL),
                           NULL, NULL), IDTOKEN_ERR_KID);
    assert_int_equal(check(sign("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"typ\":\"at+jwt\"}",
                                claims(now), rsa_key, NULL), NULL, NULL), IDTOKEN_ERR_TYP);
    assert_int_equal(check(sign("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"crit\":[\"x\"]}",
                                claims(now), rsa_key, NULL), NULL, NULL), IDTOKEN_ERR_CRIT);
    assert_int_equal(check(sign("{\"alg\":\"RS256\",\"kid\":\"rsa-9\"}", claims(now), rsa_key,
                                NULL), NULL, &out), IDTOKEN_ERR_UNKNOWN_KID);
    assert_string_equal(out.kid, "rsa-9"); /* so that the caller may refresh the set */
    /* the key of a kid verifies its own algorithm only */
    assert_int_equal(check(sign("{\"alg\":\"ES256\",\"kid\":\"rsa-1\"}", claims(now), ec_key,
                                NULL), NULL, NULL), IDTOKEN_ERR_KEY_ALG);
    assert_int_equal(check(sign("{\"alg\":\"RS256\",\"kid\":\"ec-1\"}", claims(now), rsa_key,
                                NULL), NULL, NULL), IDTOKEN_ERR_KEY_ALG);
    assert_int_equal(check(sign("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"alg\":\"none\"}",
                                claims(now), rsa_key, NULL), NULL, NULL), IDTOKEN_ERR_HEADER);
}

static void test_signature_defects(void **state)
{
    time_t now = time(NULL);
    char *tok;

    (void)state;
    assert_int_equal(check(sign(RS, claims(now), rsa_other, NULL), NULL, NULL),
                     IDTOKEN_ERR_SIGNATURE);
    assert_int_equal(check(sign(RS, claims(now), NULL, NULL), NULL, NULL), IDTOKEN_ERR_SIGNATURE);
    /* the claims changed after signing */
    tok = sign(RS, claims(now), rsa_key, NULL);
    {
        char *dot = strchr(tok, '.') + 1;

        dot[3] = dot[3] == 'A' ? 'B' : 'A';
    }
    assert_true(check(tok, NULL, NULL) == IDTOKEN_ERR_SIGNATURE);
    /* an ES256 signature must be exactly 64 bytes */
    tok = sign(ES, claims(now), ec_key, NULL);
    tok[strlen(tok) - 4] = '\0';
    assert_true(check(tok, NULL, NULL) != IDTOKEN_OK);
}

static void test_claim_defects(void **state)
{
    time_t now = time(NULL);
    struct {
        const char *key;
        json_t *value;
        enum idtoken_error want;
    } cases[] = {
        {"iss", json_string(ISS "/"), IDTOKEN_ERR_ISS},
        {"iss", NULL, IDTOKEN_ERR_ISS},
        {"aud", json_string("other"), IDTOKEN_ERR_AUD},
        {"aud", json_pack("[s]", "other"), IDTOKEN_ERR_AUD},
        {"aud", json_pack("[s,s]", CLIENT, "other"), IDTOKEN_ERR_AZP},
        {"aud", json_pack("[s,i]", CLIENT, 3), IDTOKEN_ERR_AUD},
        {"azp", json_string("other"), IDTOKEN_ERR_AZP},
        {"sub", json_string(""), IDTOKEN_ERR_SUB},
        {"sub", json_integer(5), IDTOKEN_ERR_SUB},
        {"sub", json_string("a\nb"), IDTOKEN_ERR_SUB},
        {"sub", NULL, IDTOKEN_ERR_SUB},
        {"exp", json_string("9999999999"), IDTOKEN_ERR_EXP},
        {"exp", json_real(1e10), IDTOKEN_ERR_EXP},
        {"exp", NULL, IDTOKEN_ERR_EXP},
        {"iat", NULL, IDTOKEN_ERR_IAT},
        {"nbf", json_string("0"), IDTOKEN_ERR_NBF},
        {"exp", json_integer(now - 31), IDTOKEN_ERR_EXPIRED},
        {"iat", json_integer(now + 120), IDTOKEN_ERR_IAT_FUTURE},
        {"iat", json_integer(now - IDTOKEN_MAX_AGE - 60), IDTOKEN_ERR_TOO_OLD},
        {"nbf", json_integer(now + 120), IDTOKEN_ERR_NOT_YET_VALID},
        {"nonce", json_integer(1), IDTOKEN_ERR_NONCE},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum idtoken_error e =
            check(sign(RS, with(claims(now), cases[i].key, cases[i].value), rsa_key, NULL), NULL,
                  NULL);

        if (e != cases[i].want)
            fail_msg("cas %zu (%s) : %s au lieu de %s", i, cases[i].key, idtoken_error_name(e),
                     idtoken_error_name(cases[i].want));
    }
    /* nonce: expected and different, expected and absent */
    assert_int_equal(check(sign(RS, claims(now), rsa_key, NULL), "autre", NULL), IDTOKEN_ERR_NONCE);
    assert_int_equal(check(sign(RS, with(claims(now), "nonce", NULL), rsa_key, NULL), "n", NULL),
                     IDTOKEN_ERR_NONCE);
    /* without an expected nonce, the token's own nonce is fine */
    assert_int_equal(check(sign(RS, claims(now), rsa_key, NULL), NULL, NULL), IDTOKEN_OK);
}

static void test_format_defects(void **state)
{
    const char *bad[] = {"", "abc", "a.b", "a.b.c.d", ".b.c", "a..c", "e30.e30.", "!!.e30.AA",
                         "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS0xIn0.e30=.AAAA",
                         "W10.e30.AAAA" /* header [] */};
    struct jwks set;
    struct idtoken_expect x = {ISS, CLIENT, NULL, time(NULL)};
    struct idtoken_claims out;
    static char big[IDTOKEN_MAX_LEN + 2];

    (void)state;
    load_set(&set);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_not_equal(idtoken_verify(bad[i], strlen(bad[i]), &set, &x, &out), IDTOKEN_OK);
    memset(big, 'a', sizeof(big) - 1);
    assert_int_equal(idtoken_verify(big, strlen(big), &set, &x, &out), IDTOKEN_ERR_TOO_LONG);
    assert_int_equal(idtoken_verify(NULL, 0, &set, &x, &out), IDTOKEN_ERR_EMPTY);
    assert_int_equal(idtoken_verify("a.b\0c.d", 7, &set, &x, &out), IDTOKEN_ERR_FORMAT);
    /* no key set at all: the kid is unknown, whatever it names */
    {
        char *tok = sign(RS, claims(time(NULL)), rsa_key, NULL);

        assert_int_equal(idtoken_verify(tok, strlen(tok), NULL, &x, &out),
                         IDTOKEN_ERR_UNKNOWN_KID);
        free(tok);
    }
    jwks_free(&set);
    for (int e = IDTOKEN_OK; e <= IDTOKEN_ERR_INTERNAL; e++) {
        assert_true(strlen(idtoken_error_str((enum idtoken_error)e)) > 0);
        assert_true(strlen(idtoken_error_name((enum idtoken_error)e)) > 0);
    }
}

static int parse(const char *text, struct jwks *set)
{
    return jwks_parse(text, strlen(text), set, NULL, 0);
}

static void test_jwks_parsing(void **state)
{
    struct jwks set;
    json_t *k;
    char *text;
    char err[128];

    (void)state;
    assert_int_equal(parse("", &set), -1);
    assert_int_equal(parse("[]", &set), -1);
    assert_int_equal(parse("{\"keys\":{}}", &set), -1);
    assert_int_equal(jwks_parse("{\"keys\":[]}", 11, &set, err, sizeof(err)), 0);
    assert_true(strlen(err) > 0);
    /* skipped: encryption keys, other algorithms, weak RSA, other curves, no kid,
     * a point off the curve, a duplicate kid, private-only garbage */
    k = json_pack("{s:[o,o,o,o,o,o,o,o,{s:s,s:s,s:s,s:s,s:s}]}", "keys",
                  with(jwk_of(rsa_key, "enc"), "use", json_string("enc")),
                  with(jwk_of(rsa_key, "ps"), "alg", json_string("PS256")),
                  jwk_of(rsa_weak, "weak"),
                  with(jwk_of(ec_key, "p384"), "crv", json_string("P-384")),
                  with(jwk_of(rsa_key, "x"), "kid", NULL),
                  with(jwk_of(ec_key, "off"), "y", json_string(b64((unsigned char[32]){1}, 32))),
                  jwk_of(rsa_key, "rsa-1"), jwk_of(rsa_other, "rsa-1"), "kty", "oct", "kid",
                  "hmac", "k", "c2VjcmV0", "alg", "HS256", "use", "sig");
    text = json_dumps(k, 0);
    assert_int_equal(parse(text, &set), 1);
    assert_non_null(jwks_find(&set, "rsa-1"));
    assert_null(jwks_find(&set, "hmac"));
    assert_null(jwks_find(&set, NULL));
    jwks_free(&set);
    free(text);
    json_decref(k);
    /* at most JWKS_MAX_KEYS are kept */
    k = json_pack("{s:[]}", "keys");
    for (int i = 0; i < JWKS_MAX_KEYS + 5; i++) {
        char kid[16];

        snprintf(kid, sizeof(kid), "k%d", i);
        json_array_append_new(json_object_get(k, "keys"), jwk_of(ec_key, kid));
    }
    text = json_dumps(k, 0);
    assert_int_equal(parse(text, &set), JWKS_MAX_KEYS);
    jwks_free(&set);
    free(text);
    json_decref(k);
}

static int setup(void **state)
{
    (void)state;
    rsa_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    rsa_other = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    rsa_weak = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    ec_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    return rsa_key && rsa_other && rsa_weak && ec_key ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    EVP_PKEY_free(rsa_key);
    EVP_PKEY_free(rsa_other);
    EVP_PKEY_free(rsa_weak);
    EVP_PKEY_free(ec_key);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_tokens),     cmocka_unit_test(test_header_defects),
        cmocka_unit_test(test_signature_defects), cmocka_unit_test(test_claim_defects),
        cmocka_unit_test(test_format_defects),   cmocka_unit_test(test_jwks_parsing),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
