/*
 * token.c — verifying and signing the HS256 bearer tokens of SPEC §3.
 *
 * token_verify runs its checks in a fixed order, cheapest and least trusting
 * first: size, shape, the header (alg before anything else, so that no code
 * path ever runs under an algorithm the attacker chose), the signature, and
 * only then the claims. The payload is not even decoded before its HMAC has
 * been checked. JSON is read with Jansson with duplicate members refused, so
 * that {"alg":"HS256","alg":"none"} cannot mean two things to two readers.
 */
#include "token.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "errtable.h"
#include "jws.h"
#include "secret_hash.h"
#include "uuidv.h"

#define MAC_LEN 32 /* HMAC-SHA256 */

_Static_assert(sizeof(time_t) >= 8, "exp and iat are 64-bit seconds");
/* Decoded header or payload: 3/4 of the largest token fits. */
#define SEGMENT_MAX (TOKEN_MAX_LEN / 4 * 3)

static const struct err_entry token_errors[] = {
    [TOKEN_OK] = {"ok", "Jeton valide."},
    [TOKEN_ERR_EMPTY] = {"missing", "Jeton d'accès absent."},
    [TOKEN_ERR_TOO_LONG] = {"too_long", "Jeton d'accès trop long."},
    [TOKEN_ERR_FORMAT] = {"malformed", "Jeton d'accès mal formé : trois segments séparés par des "
                                       "points sont attendus."},
    [TOKEN_ERR_BASE64] = {"bad_base64", "Jeton d'accès mal formé : un segment n'est pas en "
                                        "base64url sans remplissage."},
    [TOKEN_ERR_HEADER] = {"bad_header", "En-tête du jeton illisible : un objet JSON est attendu."},
    [TOKEN_ERR_ALG] = {"bad_alg", "Algorithme de signature refusé : seul HS256 est accepté."},
    [TOKEN_ERR_TYP] = {"bad_typ", "Type de jeton refusé : « JWT » est attendu."},
    [TOKEN_ERR_CRIT] = {"crit", "Le jeton exige des extensions (crit) non prises en charge."},
    [TOKEN_ERR_SECRET] = {"server_secret", "Le service n'est pas configuré pour vérifier les "
                                           "jetons."},
    [TOKEN_ERR_SIGNATURE] = {"bad_signature", "Signature du jeton invalide."},
    [TOKEN_ERR_PAYLOAD] = {"bad_claims", "Revendications du jeton illisibles : un objet JSON est "
                                         "attendu."},
    [TOKEN_ERR_ISS] = {"bad_iss", "Émetteur (iss) du jeton absent ou non reconnu."},
    [TOKEN_ERR_AUD] = {"bad_aud", "Audience (aud) du jeton absente ou différente de "
                                  "« epart-api »."},
    [TOKEN_ERR_SUB] = {"bad_sub", "Sujet (sub) du jeton absent ou invalide."},
    [TOKEN_ERR_EXP] = {"bad_exp", "Date d'expiration (exp) du jeton absente ou invalide."},
    [TOKEN_ERR_IAT] = {"bad_iat", "Date d'émission (iat) du jeton absente ou invalide."},
    [TOKEN_ERR_NBF] = {"bad_nbf", "Date de début de validité (nbf) du jeton invalide."},
    [TOKEN_ERR_ROLE] = {"bad_role", "Rôle du jeton absent ou inconnu."},
    [TOKEN_ERR_ORG] = {"bad_org", "Organisation (org) du jeton partenaire absente ou invalide."},
    [TOKEN_ERR_CAISSE] = {"bad_caisse", "Caisse (caisse) du jeton instructeur absente ou "
                                        "invalide."},
    [TOKEN_ERR_EXPIRED] = {"expired", "Jeton expiré."},
    [TOKEN_ERR_NOT_YET_VALID] = {"not_yet_valid", "Jeton pas encore valide (nbf)."},
    [TOKEN_ERR_IAT_FUTURE] = {"iat_future", "Jeton émis dans le futur (iat)."},
    [TOKEN_ERR_INTERNAL] = {"internal", "Erreur interne lors de la vérification du jeton."},
};

static const char *const role_names[] = {
    [ROLE_PARTNER] = "partner",
    [ROLE_INSTRUCTOR] = "instructor",
    [ROLE_ADMIN] = "admin",
};

const char *token_error_str(enum token_error err)
{
    return ERR_ENTRY(token_errors, err, TOKEN_ERR_INTERNAL)->text;
}

const char *token_error_name(enum token_error err)
{
    return ERR_ENTRY(token_errors, err, TOKEN_ERR_INTERNAL)->name;
}

const char *role_str(enum role role)
{
    if ((unsigned)role >= sizeof(role_names) / sizeof(role_names[0]))
        return "";
    return role_names[role];
}

bool role_parse(const char *s, enum role *out)
{
    if (s == NULL)
        return false;
    for (unsigned i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
        if (strcmp(s, role_names[i]) == 0) {
            *out = (enum role)i;
            return true;
        }
    }
    return false;
}

bool token_secret_ok(size_t secret_len)
{
    /* The upper bound only keeps the length within the int that the crypto
     * libraries take; no real secret comes near it. */
    return secret_len >= TOKEN_SECRET_MIN && secret_len <= INT_MAX;
}

static bool caisse_ok(const char *s)
{
    size_t n = 0;

    if (s == NULL)
        return false;
    for (; s[n] != '\0'; n++)
        if (s[n] < '0' || s[n] > '9' || n >= TOKEN_CAISSE_MAX)
            return false;
    return n > 0;
}

/* sub goes into audit records and logs: refuse control characters so that a
 * token cannot forge log lines. */
static bool sub_ok(const char *s)
{
    size_t n = 0;

    if (s == NULL)
        return false;
    for (; s[n] != '\0'; n++)
        if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f || n >= TOKEN_SUB_MAX)
            return false;
    return n > 0;
}

static bool is_b64url_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

static enum token_error check_header(const json_t *h)
{
    const json_t *alg = json_object_get(h, "alg"), *typ = json_object_get(h, "typ");

    if (!json_is_string(alg) || strcmp(json_string_value(alg), TOKEN_ALG) != 0)
        return TOKEN_ERR_ALG;
    if (typ != NULL && (!json_is_string(typ) || strcmp(json_string_value(typ), "JWT") != 0))
        return TOKEN_ERR_TYP;
    /* RFC 7515 §4.1.11: an extension we do not implement must make us refuse. */
    if (json_object_get(h, "crit") != NULL)
        return TOKEN_ERR_CRIT;
    return TOKEN_OK;
}

static enum token_error check_signature(const char *token, size_t signed_len, const char *sig,
                                        size_t sig_len, const unsigned char *secret,
                                        size_t secret_len)
{
    unsigned char given[MAC_LEN], want[EVP_MAX_MD_SIZE];
    unsigned int want_len = 0;
    long n = b64_decode(sig, sig_len, B64_URL, given, sizeof(given));

    if (n != MAC_LEN)
        return TOKEN_ERR_SIGNATURE;
    if (HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)token, signed_len,
             want, &want_len) == NULL ||
        want_len != MAC_LEN)
        return TOKEN_ERR_INTERNAL;
    if (CRYPTO_memcmp(given, want, MAC_LEN) != 0)
        return TOKEN_ERR_SIGNATURE;
    return TOKEN_OK;
}

static bool audience_ok(const json_t *aud)
{
    size_t i;
    const json_t *a;
    bool found = false;

    if (json_is_string(aud))
        return strcmp(json_string_value(aud), TOKEN_AUDIENCE) == 0;
    if (!json_is_array(aud))
        return false;
    json_array_foreach(aud, i, a) {
        if (!json_is_string(a))
            return false;
        if (strcmp(json_string_value(a), TOKEN_AUDIENCE) == 0)
            found = true;
    }
    return found;
}

/* a > b + leeway, without overflow. */
static bool later_than(long long a, long long b)
{
    return b <= LLONG_MAX - TOKEN_LEEWAY && a > b + TOKEN_LEEWAY;
}

static enum token_error check_claims(const json_t *c, long long now, struct identity *id)
{
    const json_t *iss = json_object_get(c, "iss"), *sub = json_object_get(c, "sub");
    const json_t *nbf_j = json_object_get(c, "nbf"), *role = json_object_get(c, "role");
    long long exp, iat, nbf = 0;

    if (!json_is_string(iss) || strcmp(json_string_value(iss), TOKEN_ISSUER) != 0)
        return TOKEN_ERR_ISS;
    if (!audience_ok(json_object_get(c, "aud")))
        return TOKEN_ERR_AUD;
    if (!json_is_string(sub) || !sub_ok(json_string_value(sub)))
        return TOKEN_ERR_SUB;
    if (!jws_numeric_date(json_object_get(c, "exp"), &exp))
        return TOKEN_ERR_EXP;
    if (!jws_numeric_date(json_object_get(c, "iat"), &iat))
        return TOKEN_ERR_IAT;
    if (nbf_j != NULL && !jws_numeric_date(nbf_j, &nbf))
        return TOKEN_ERR_NBF;
    if (!json_is_string(role) || !role_parse(json_string_value(role), &id->role))
        return TOKEN_ERR_ROLE;

    if (id->role == ROLE_PARTNER) {
        const char *org = json_string_value(json_object_get(c, "org"));

        if (!uuid_valid(org))
            return TOKEN_ERR_ORG;
        for (int i = 0; i < 36; i++)
            id->org[i] = (char)tolower((unsigned char)org[i]);
        id->org[36] = '\0';
    } else if (id->role == ROLE_INSTRUCTOR) {
        const char *caisse = json_string_value(json_object_get(c, "caisse"));

        if (!caisse_ok(caisse))
            return TOKEN_ERR_CAISSE;
        strcpy(id->caisse, caisse);
    }

    if (later_than(now, exp))
        return TOKEN_ERR_EXPIRED;
    if (nbf_j != NULL && later_than(nbf, now))
        return TOKEN_ERR_NOT_YET_VALID;
    if (later_than(iat, now))
        return TOKEN_ERR_IAT_FUTURE;

    strcpy(id->sub, json_string_value(sub));
    id->exp = (time_t)exp;
    return TOKEN_OK;
}

enum token_error token_verify(const char *token, size_t token_len, const unsigned char *secret,
                              size_t secret_len, time_t now, struct identity *out)
{
    size_t dot1 = 0, dot2 = 0, dots = 0;
    json_t *header = NULL, *claims = NULL;
    struct identity id;
    enum token_error err;
    bool bad_base64;
    unsigned char buf[SEGMENT_MAX];

    memset(&id, 0, sizeof(id));
    if (out != NULL)
        memset(out, 0, sizeof(*out));
    if (token == NULL || token_len == 0)
        return TOKEN_ERR_EMPTY;
    if (token_len > TOKEN_MAX_LEN)
        return TOKEN_ERR_TOO_LONG;

    for (size_t i = 0; i < token_len; i++) {
        if (token[i] != '.')
            continue;
        if (++dots == 1)
            dot1 = i;
        else if (dots == 2)
            dot2 = i;
    }
    /* An empty signature is left to the signature check, after the header's:
     * "alg":"none" tokens usually come without one and are reported as such. */
    if (dots != 2 || dot1 == 0 || dot2 == dot1 + 1)
        return TOKEN_ERR_FORMAT;
    for (size_t i = 0; i < token_len; i++)
        if (i != dot1 && i != dot2 && !is_b64url_char(token[i]))
            return TOKEN_ERR_BASE64;

    header = jws_segment_json(token, dot1, buf, sizeof(buf), &bad_base64);
    if (header == NULL)
        return bad_base64 ? TOKEN_ERR_BASE64 : TOKEN_ERR_HEADER;
    err = check_header(header);
    json_decref(header);
    if (err != TOKEN_OK)
        return err;

    if (secret == NULL || !token_secret_ok(secret_len))
        return TOKEN_ERR_SECRET;
    err = check_signature(token, dot2, token + dot2 + 1, token_len - dot2 - 1, secret,
                          secret_len);
    if (err != TOKEN_OK)
        return err;

    claims = jws_segment_json(token + dot1 + 1, dot2 - dot1 - 1, buf, sizeof(buf),
                              &bad_base64);
    if (claims == NULL)
        return bad_base64 ? TOKEN_ERR_BASE64 : TOKEN_ERR_PAYLOAD;
    err = check_claims(claims, (long long)now, &id);
    json_decref(claims);
    if (err != TOKEN_OK)
        return err;
    if (out != NULL)
        *out = id;
    return TOKEN_OK;
}

char *token_sign(const struct identity *id, const unsigned char *secret, size_t secret_len,
                 time_t now, long ttl_seconds)
{
    jwt_t *jwt = NULL;
    char *s = NULL;
    bool ok;

    if (id == NULL || secret == NULL || !token_secret_ok(secret_len) || ttl_seconds <= 0 ||
        now < 0 || (long long)now > LLONG_MAX - ttl_seconds || !sub_ok(id->sub) ||
        role_str(id->role)[0] == '\0')
        return NULL;
    if (id->role == ROLE_PARTNER && !uuid_valid(id->org))
        return NULL;
    if (id->role == ROLE_INSTRUCTOR && !caisse_ok(id->caisse))
        return NULL;
    if (jwt_new(&jwt) != 0)
        return NULL;

    ok = jwt_add_grant(jwt, "iss", TOKEN_ISSUER) == 0 &&
         jwt_add_grant(jwt, "aud", TOKEN_AUDIENCE) == 0 &&
         jwt_add_grant(jwt, "sub", id->sub) == 0 &&
         jwt_add_grant(jwt, "role", role_str(id->role)) == 0 &&
         jwt_add_grant_int(jwt, "iat", (long)now) == 0 &&
         jwt_add_grant_int(jwt, "exp", (long)now + ttl_seconds) == 0;
    if (ok && id->role == ROLE_PARTNER) {
        char org[37];

        for (int i = 0; i < 36; i++)
            org[i] = (char)tolower((unsigned char)id->org[i]);
        org[36] = '\0';
        ok = jwt_add_grant(jwt, "org", org) == 0;
    } else if (ok && id->role == ROLE_INSTRUCTOR) {
        ok = jwt_add_grant(jwt, "caisse", id->caisse) == 0;
    }
    /* jwt_set_alg copies the key; jwt_free scrubs its copy. */
    if (ok && jwt_set_alg(jwt, JWT_ALG_HS256, secret, (int)secret_len) == 0)
        s = jwt_encode_str(jwt);
    jwt_free(jwt);
    return s;
}

const char *token_from_bearer(const char *header, size_t *len)
{
    const char *p = header, *end;

    *len = 0;
    if (p == NULL)
        return NULL;
    while (*p == ' ' || *p == '\t')
        p++;
    if (strncasecmp(p, "Bearer", 6) != 0 || p[6] != ' ')
        return NULL;
    p += 6;
    while (*p == ' ')
        p++;
    end = p + strlen(p);
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (end == p)
        return NULL;
    for (const char *q = p; q < end; q++)
        if (isspace((unsigned char)*q) || (unsigned char)*q < 0x20 || *q == 0x7f)
            return NULL;
    *len = (size_t)(end - p);
    return p;
}
