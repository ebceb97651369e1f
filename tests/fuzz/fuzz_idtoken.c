/*
 * fuzz_idtoken.c — the JWK Set parser (common/jwk.h) and the ID token
 * verifier (common/idtoken.h).
 *
 * Each input is used three ways, against a fixed key set made at start-up
 * (an RSA key "rsa-1" and a P-256 key "ec-1") and a fixed now:
 *   1. as a JWK Set: jwks_parse() on the raw bytes; every key kept has a
 *      NUL-terminated, non-empty kid, no kid twice, at most JWKS_MAX_KEYS;
 *   2. as a token: idtoken_verify() on the raw bytes — which must never accept
 *      it, since the fuzzer cannot sign with the set's private keys;
 *   3. split at the first '\n' into a header and a claims text, encoded in
 *      base64url and signed by the harness with the key the header's "alg"
 *      names (ES256 → ec-1, else rsa-1), so that the claim checks are fuzzed
 *      past the signature. An accepted token has a sub, an unexpired exp, and
 *      the issuer and audience expected; the same token with its signature's
 *      last byte changed is never accepted.
 */
#include "fuzz_common.h"

#include <stdbool.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "idtoken.h"
#include "jwk.h"
#include "secret_hash.h"

#define ISS "https://idp.example.org"
#define CLIENT "epart"

static EVP_PKEY *rsa, *ecp;
static struct jwks set;

static void b64_bn(EVP_PKEY *k, const char *name, size_t pad, char *out, size_t size)
{
    BIGNUM *bn = NULL;
    unsigned char buf[600];
    int n;

    if (EVP_PKEY_get_bn_param(k, name, &bn) != 1)
        abort();
    n = pad ? BN_bn2binpad(bn, buf, (int)pad) : BN_bn2bin(bn, buf);
    BN_free(bn);
    if (b64_encode(buf, (size_t)n, B64_URL, out, size) == (size_t)-1)
        abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char n[400], e[16], x[64], y[64], text[1200];

    (void)argc;
    (void)argv;
    rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    ecp = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (rsa == NULL || ecp == NULL)
        abort();
    b64_bn(rsa, OSSL_PKEY_PARAM_RSA_N, 0, n, sizeof(n));
    b64_bn(rsa, OSSL_PKEY_PARAM_RSA_E, 0, e, sizeof(e));
    b64_bn(ecp, OSSL_PKEY_PARAM_EC_PUB_X, 32, x, sizeof(x));
    b64_bn(ecp, OSSL_PKEY_PARAM_EC_PUB_Y, 32, y, sizeof(y));
    snprintf(text, sizeof(text),
             "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"rsa-1\",\"n\":\"%s\",\"e\":\"%s\"},"
             "{\"kty\":\"EC\",\"kid\":\"ec-1\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"}]}",
             n, e, x, y);
    if (jwks_parse(text, strlen(text), &set, NULL, 0) != 2)
        abort();
    return 0;
}

static size_t sign(const char *header, const char *claims, char *out, size_t size)
{
    EVP_PKEY *key = strstr(header, "ES256") != NULL ? ecp : rsa;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char sig[600];
    size_t sig_len = sizeof(sig), n, m;

    n = b64_encode((const unsigned char *)header, strlen(header), B64_URL, out, size);
    if (n == (size_t)-1 || n + 2 >= size)
        abort();
    out[n++] = '.';
    m = b64_encode((const unsigned char *)claims, strlen(claims), B64_URL, out + n, size - n);
    if (m == (size_t)-1)
        abort();
    n += m;
    if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
        EVP_DigestSign(md, sig, &sig_len, (unsigned char *)out, n) != 1)
        abort();
    EVP_MD_CTX_free(md);
    if (key == ecp) {
        const unsigned char *p = sig;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)sig_len);

        if (es == NULL)
            abort();
        BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32);
        sig_len = 64;
        ECDSA_SIG_free(es);
    }
    out[n++] = '.';
    m = b64_encode(sig, sig_len, B64_URL, out + n, size - n);
    if (m == (size_t)-1)
        abort();
    return n + m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct jwks parsed;
    struct idtoken_expect x = {ISS, CLIENT, NULL, FZ_NOW};
    struct idtoken_claims out;
    char *header, *claims, *tok;
    size_t at, n, cap;
    int kept;

    /* 1. a key set */
    kept = jwks_parse((const char *)data, size, &parsed, NULL, 0);
    FZ_ASSERT(kept >= -1 && kept <= JWKS_MAX_KEYS && (kept < 0 ? 0 : kept) == parsed.n);
    for (int i = 0; i < parsed.n; i++) {
        FZ_ASSERT(parsed.keys[i].kid[0] != '\0' && parsed.keys[i].key != NULL);
        for (int j = 0; j < i; j++)
            FZ_ASSERT(strcmp(parsed.keys[i].kid, parsed.keys[j].kid) != 0);
    }
    jwks_free(&parsed);

    /* 2. a token nobody signed */
    FZ_ASSERT(idtoken_verify((const char *)data, size, &set, &x, &out) != IDTOKEN_OK);

    /* 3. header and claims, signed */
    at = fz_split(data, size, '\n', &header);
    claims = fz_str(data + at, size - at);
    if (strlen(header) < 2048 && strlen(claims) < 4096) {
        cap = 4 * (strlen(header) + strlen(claims)) / 3 + 1200;
        tok = malloc(cap);
        n = sign(header, claims, tok, cap);
        if (idtoken_verify(tok, n, &set, &x, &out) == IDTOKEN_OK) {
            FZ_ASSERT(out.sub[0] != '\0' && memchr(out.sub, '\0', sizeof(out.sub)) != NULL);
            FZ_ASSERT((long long)out.exp + IDTOKEN_LEEWAY >= (long long)FZ_NOW);
            FZ_ASSERT(memchr(out.email, '\0', sizeof(out.email)) != NULL);
            tok[n - 1] = tok[n - 1] == 'A' ? 'Q' : 'A';
            FZ_ASSERT(idtoken_verify(tok, n, &set, &x, &out) != IDTOKEN_OK);
        }
        free(tok);
    }
    free(header);
    free(claims);
    return 0;
}
