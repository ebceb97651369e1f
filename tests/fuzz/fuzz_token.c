/*
 * fuzz_token.c — bearer token verification (common/token.h).
 *
 * Each input is used three ways, with a fixed 40-byte secret and a fixed now:
 *   1. as a token: token_verify() on the raw bytes (not NUL-terminated), and
 *      token_from_bearer() on "Bearer <input>";
 *   2. split at the first '\n' into a header and a claims text, encoded in
 *      base64url (b64_encode of secret_hash.h) and signed with the right
 *      secret by the harness (HMAC-SHA256 through OpenSSL), so that the header
 *      and claim checks are fuzzed past the signature. Such a token must never
 *      fail on its shape, base64 or signature: only the header (alg, typ,
 *      crit, JSON) or the claims may be refused;
 *   3. the same token with the signature's last byte changed, which must fail
 *      with TOKEN_ERR_SIGNATURE whenever the header passes.
 * Whenever a token is accepted, the identity is checked (NUL-terminated
 * fields, org a lower-case UUID for a partner, caisse digits for an
 * instructor), then signed again with token_sign() and verified back to the
 * same identity.
 */
#include "fuzz_common.h"

#include <stdbool.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "secret_hash.h"
#include "token.h"
#include "uuidv.h"

static const unsigned char SECRET[] = "fuzz-secret-0123456789abcdef-0123456789";
#define SECRET_LEN (sizeof(SECRET) - 1)

static void identity_laws(const char *token, size_t len, const struct identity *id)
{
    struct identity again;
    char *signed_token;

    FZ_ASSERT(memchr(id->sub, '\0', sizeof(id->sub)) != NULL && id->sub[0] != '\0');
    FZ_ASSERT(memchr(id->org, '\0', sizeof(id->org)) != NULL);
    FZ_ASSERT(memchr(id->caisse, '\0', sizeof(id->caisse)) != NULL);
    FZ_ASSERT(role_str(id->role)[0] != '\0');
    /* Not expired (written so that an exp near LLONG_MAX cannot overflow here). */
    FZ_ASSERT(id->exp >= 0 && (long long)FZ_NOW - TOKEN_LEEWAY <= (long long)id->exp);
    if (id->role == ROLE_PARTNER) {
        FZ_ASSERT(uuid_valid(id->org));
        for (int i = 0; i < 36; i++)
            FZ_ASSERT(!(id->org[i] >= 'A' && id->org[i] <= 'F'));
    } else {
        FZ_ASSERT(id->org[0] == '\0');
    }
    if (id->role == ROLE_INSTRUCTOR)
        FZ_ASSERT(id->caisse[0] != '\0' && strspn(id->caisse, "0123456789") ==
                                               strlen(id->caisse));
    else
        FZ_ASSERT(id->caisse[0] == '\0');

    /* The same identity, signed by us, verifies to itself. */
    signed_token = token_sign(id, SECRET, SECRET_LEN, FZ_NOW, 3600);
    FZ_ASSERT(signed_token != NULL);
    FZ_ASSERT(token_verify(signed_token, strlen(signed_token), SECRET, SECRET_LEN, FZ_NOW,
                           &again) == TOKEN_OK);
    FZ_ASSERT(again.role == id->role && strcmp(again.sub, id->sub) == 0 &&
              strcmp(again.org, id->org) == 0 && strcmp(again.caisse, id->caisse) == 0);
    free(signed_token);
    (void)token;
    (void)len;
}

static enum token_error verify(const char *token, size_t len)
{
    struct identity id;
    enum token_error e = token_verify(token, len, SECRET, SECRET_LEN, FZ_NOW, &id);

    FZ_ASSERT((unsigned)e <= TOKEN_ERR_INTERNAL);
    FZ_ASSERT(token_error_str(e) != NULL && token_error_name(e) != NULL);
    FZ_ASSERT(e != TOKEN_ERR_SECRET && e != TOKEN_ERR_INTERNAL);
    if (e == TOKEN_OK)
        identity_laws(token, len, &id);
    else
        FZ_ASSERT(id.sub[0] == '\0' && id.org[0] == '\0' && id.caisse[0] == '\0');
    return e;
}

/* True for the errors a token fails on before its claims are read. */
static bool header_error(enum token_error e)
{
    return e == TOKEN_ERR_HEADER || e == TOKEN_ERR_ALG || e == TOKEN_ERR_TYP ||
           e == TOKEN_ERR_CRIT;
}

static void signed_by_us(const uint8_t *header, size_t hlen, const uint8_t *claims,
                         size_t clen)
{
    size_t cap = b64_encoded_len(hlen, B64_URL) + b64_encoded_len(clen, B64_URL) +
                 b64_encoded_len(32, B64_URL) + 4;
    char *tok = malloc(cap);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    size_t pos = 0, n;
    enum token_error e, tampered;

    FZ_ASSERT(tok != NULL);
    n = b64_encode(header, hlen, B64_URL, tok + pos, cap - pos);
    FZ_ASSERT(n != (size_t)-1);
    pos += n;
    tok[pos++] = '.';
    n = b64_encode(claims, clen, B64_URL, tok + pos, cap - pos);
    FZ_ASSERT(n != (size_t)-1);
    pos += n;
    FZ_ASSERT(HMAC(EVP_sha256(), SECRET, (int)SECRET_LEN, (const unsigned char *)tok, pos, mac,
                   &mac_len) != NULL && mac_len == 32);
    tok[pos++] = '.';
    n = b64_encode(mac, mac_len, B64_URL, tok + pos, cap - pos);
    FZ_ASSERT(n != (size_t)-1);
    pos += n;

    e = verify(tok, pos);
    if (pos > TOKEN_MAX_LEN) {
        FZ_ASSERT(e == TOKEN_ERR_TOO_LONG);
    } else if (hlen == 0 || clen == 0) {
        FZ_ASSERT(e == TOKEN_ERR_FORMAT);
    } else {
        /* Well formed and rightly signed: only the JSON may be refused. */
        FZ_ASSERT(e != TOKEN_ERR_FORMAT && e != TOKEN_ERR_BASE64 && e != TOKEN_ERR_SIGNATURE);
        /* Flip the last signature character to another canonical one. */
        tok[pos - 1] = tok[pos - 1] == 'A' ? 'Q' : 'A';
        tampered = verify(tok, pos);
        if (!header_error(e))
            FZ_ASSERT(tampered == TOKEN_ERR_SIGNATURE);
        else
            FZ_ASSERT(tampered == e);
    }
    free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1), *bearer;
    const uint8_t *nl;
    const char *inner;
    size_t inner_len;

    FZ_ASSERT(copy != NULL);
    /* 1. The raw bytes as a token (token_verify takes a length, not a string). */
    if (size > 0)
        memcpy(copy, data, size);
    verify(copy, size);

    /* token_from_bearer on the header "Bearer <input>". */
    bearer = malloc(size + 8);
    FZ_ASSERT(bearer != NULL);
    memcpy(bearer, "Bearer ", 7);
    if (size > 0)
        memcpy(bearer + 7, data, size);
    bearer[size + 7] = '\0';
    inner = token_from_bearer(bearer, &inner_len);
    if (inner != NULL) {
        FZ_ASSERT(inner >= bearer && inner + inner_len <= bearer + size + 7 && inner_len > 0);
        for (size_t i = 0; i < inner_len; i++)
            FZ_ASSERT((unsigned char)inner[i] > 0x20 && inner[i] != 0x7f);
    } else {
        FZ_ASSERT(inner_len == 0);
    }
    free(bearer);

    /* 2. and 3. Header and claims signed with the right secret. */
    nl = size > 0 ? memchr(data, '\n', size) : NULL;
    if (nl != NULL)
        signed_by_us(data, (size_t)(nl - data), nl + 1, size - (size_t)(nl - data) - 1);
    free(copy);
    return 0;
}
