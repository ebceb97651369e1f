/*
 * jwk.c — JSON Web Key Sets into OpenSSL keys (see jwk.h).
 *
 * Keys are built with OpenSSL 3's EVP_PKEY_fromdata from the base64url
 * members, and EC points are checked to lie on the curve
 * (EVP_PKEY_public_check) before use.
 */
#include "jwk.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "secret_hash.h"

#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 8192

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s", msg);
}

/* Decode the base64url member name of k into buf; returns the length or -1. */
static long member_bytes(const json_t *k, const char *name, unsigned char *buf, size_t size)
{
    const json_t *v = json_object_get(k, name);

    if (!json_is_string(v) || json_string_length(v) == 0)
        return -1;
    return b64_decode(json_string_value(v), json_string_length(v), B64_URL, buf, size);
}

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *key = NULL;

    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        key = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return key;
}

static EVP_PKEY *rsa_key(const json_t *k)
{
    unsigned char n[RSA_MAX_BITS / 8 + 1], e[16];
    long nl = member_bytes(k, "n", n, sizeof(n)), el = member_bytes(k, "e", e, sizeof(e));
    BIGNUM *bn = NULL, *be = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    EVP_PKEY *key = NULL;
    int bits;

    if (nl <= 0 || el <= 0 || n[0] == 0 || e[0] == 0)
        return NULL; /* leading zero octets are not the minimal encoding */
    bn = BN_bin2bn(n, (int)nl, NULL);
    be = BN_bin2bn(e, (int)el, NULL);
    bits = bn ? BN_num_bits(bn) : 0;
    /* a small or even exponent is no RSA key worth trusting */
    if (bn == NULL || be == NULL || bits < RSA_MIN_BITS || bits > RSA_MAX_BITS ||
        !BN_is_odd(be) || BN_is_one(be))
        goto out;
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
        goto out;
    key = from_params("RSA", bld);
out:
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn);
    BN_free(be);
    return key;
}

static EVP_PKEY *ec_key(const json_t *k)
{
    unsigned char x[33], y[33], point[65];
    const char *crv = json_string_value(json_object_get(k, "crv"));
    OSSL_PARAM_BLD *bld;
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *check;

    if (crv == NULL || strcmp(crv, "P-256") != 0 || member_bytes(k, "x", x, sizeof(x)) != 32 ||
        member_bytes(k, "y", y, sizeof(y)) != 32)
        return NULL;
    point[0] = 0x04; /* uncompressed */
    memcpy(point + 1, x, 32);
    memcpy(point + 33, y, 32);
    bld = OSSL_PARAM_BLD_new();
    if (bld != NULL &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)))
        key = from_params("EC", bld);
    OSSL_PARAM_BLD_free(bld);
    if (key == NULL)
        return NULL;
    check = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    if (check == NULL || EVP_PKEY_public_check(check) != 1) {
        EVP_PKEY_free(key);
        key = NULL;
    }
    EVP_PKEY_CTX_free(check);
    return key;
}

/* One member of "keys" into *out; false when it is skipped. */
static bool parse_key(const json_t *k, const struct jwks *set, struct jwk *out)
{
    const char *kty = json_string_value(json_object_get(k, "kty"));
    const char *kid = json_string_value(json_object_get(k, "kid"));
    const json_t *use = json_object_get(k, "use"), *alg = json_object_get(k, "alg");
    const char *alg_s = json_string_value(alg);

    if (!json_is_object(k) || kty == NULL || kid == NULL || kid[0] == '\0' ||
        json_string_length(json_object_get(k, "kid")) > JWK_KID_MAX ||
        strlen(kid) != json_string_length(json_object_get(k, "kid")))
        return false;
    if (use != NULL && (!json_is_string(use) || strcmp(json_string_value(use), "sig") != 0))
        return false;
    if (alg != NULL && alg_s == NULL)
        return false;
    if (jwks_find(set, kid) != NULL)
        return false;
    if (strcmp(kty, "RSA") == 0 && (alg_s == NULL || strcmp(alg_s, "RS256") == 0)) {
        out->alg = JWK_RS256;
        out->key = rsa_key(k);
    } else if (strcmp(kty, "EC") == 0 && (alg_s == NULL || strcmp(alg_s, "ES256") == 0)) {
        out->alg = JWK_ES256;
        out->key = ec_key(k);
    } else {
        return false;
    }
    if (out->key == NULL)
        return false;
    snprintf(out->kid, sizeof(out->kid), "%s", kid);
    return true;
}

int jwks_parse(const char *text, size_t len, struct jwks *out, char *err, size_t errlen)
{
    json_t *doc, *keys, *k;
    size_t i;

    memset(out, 0, sizeof(*out));
    if (text == NULL || len > JWKS_MAX_TEXT) {
        set_err(err, errlen, "document absent ou trop grand");
        return -1;
    }
    doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    keys = json_object_get(doc, "keys");
    if (!json_is_object(doc) || !json_is_array(keys)) {
        set_err(err, errlen, "pas un objet JSON avec un tableau keys");
        json_decref(doc);
        return -1;
    }
    json_array_foreach(keys, i, k) {
        if (out->n == JWKS_MAX_KEYS)
            break;
        if (parse_key(k, out, &out->keys[out->n]))
            out->n++;
    }
    json_decref(doc);
    if (out->n == 0)
        set_err(err, errlen, "aucune clé RS256 ou ES256 utilisable");
    return out->n;
}

void jwks_free(struct jwks *set)
{
    for (int i = 0; i < set->n; i++)
        EVP_PKEY_free(set->keys[i].key);
    set->n = 0;
}

const struct jwk *jwks_find(const struct jwks *set, const char *kid)
{
    if (kid == NULL)
        return NULL;
    for (int i = 0; i < set->n; i++)
        if (strcmp(set->keys[i].kid, kid) == 0)
            return &set->keys[i];
    return NULL;
}

/* JOSE's R || S into the DER ECDSA-Sig-Value OpenSSL verifies; malloc'd. */
static unsigned char *es256_der(const unsigned char *sig, int *der_len)
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *ss = BN_bin2bn(sig + 32, 32, NULL);
    unsigned char *der = NULL;

    if (s == NULL || r == NULL || ss == NULL || !ECDSA_SIG_set0(s, r, ss)) {
        BN_free(r);
        BN_free(ss);
        ECDSA_SIG_free(s);
        return NULL;
    }
    *der_len = i2d_ECDSA_SIG(s, &der);
    ECDSA_SIG_free(s);
    return *der_len > 0 ? der : NULL;
}

bool jwk_verify(const struct jwk *key, const unsigned char *data, size_t data_len,
                const unsigned char *sig, size_t sig_len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char *der = NULL;
    int der_len = 0;
    bool ok = false;

    if (md == NULL || key == NULL || key->key == NULL)
        goto out;
    if (key->alg == JWK_ES256) {
        if (sig_len != 64 || (der = es256_der(sig, &der_len)) == NULL)
            goto out;
        sig = der;
        sig_len = (size_t)der_len;
    } else if (sig_len != (size_t)EVP_PKEY_get_size(key->key)) {
        goto out;
    }
    if (EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, key->key) != 1)
        goto out;
    if (key->alg == JWK_RS256 && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
        goto out;
    ok = EVP_DigestVerify(md, sig, sig_len, data, data_len) == 1;
out:
    OPENSSL_free(der);
    EVP_MD_CTX_free(md);
    return ok;
}
