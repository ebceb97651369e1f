/*
 * idtoken.c — OpenID Connect ID tokens verified with OpenSSL (see idtoken.h).
 */
#include "idtoken.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "errtable.h"
#include "jws.h"
#include "secret_hash.h"
#include "vfield.h"

#define SEGMENT_MAX IDTOKEN_MAX_LEN

static const struct err_entry errors[] = {
    [IDTOKEN_OK] = {"ok", "Jeton d'identité valide."},
    [IDTOKEN_ERR_EMPTY] = {"empty", "Le jeton d'identité (id_token) est vide."},
    [IDTOKEN_ERR_TOO_LONG] = {"too_long", "Le jeton d'identité est trop long."},
    [IDTOKEN_ERR_FORMAT] = {"format",
                            "Le jeton d'identité n'est pas un JWT compact (trois segments "
                            "base64url)."},
    [IDTOKEN_ERR_HEADER] = {"header", "L'en-tête du jeton d'identité est illisible."},
    [IDTOKEN_ERR_ALG] = {"bad_alg",
                         "Algorithme de signature refusé : seuls RS256 et ES256 sont acceptés."},
    [IDTOKEN_ERR_TYP] = {"bad_typ", "Le type (typ) du jeton d'identité n'est pas JWT."},
    [IDTOKEN_ERR_CRIT] = {"crit", "Le jeton d'identité exige une extension (crit) inconnue."},
    [IDTOKEN_ERR_KID] = {"no_kid",
                         "Le jeton d'identité ne désigne pas sa clé de signature (kid)."},
    [IDTOKEN_ERR_UNKNOWN_KID] = {"unknown_kid",
                                 "La clé de signature du jeton d'identité est inconnue du "
                                 "fournisseur d'identité."},
    [IDTOKEN_ERR_KEY_ALG] = {"key_alg_mismatch",
                             "La clé désignée par kid ne correspond pas à l'algorithme du "
                             "jeton."},
    [IDTOKEN_ERR_SIGNATURE] = {"bad_signature", "La signature du jeton d'identité est invalide."},
    [IDTOKEN_ERR_PAYLOAD] = {"payload", "Le contenu du jeton d'identité est illisible."},
    [IDTOKEN_ERR_ISS] = {"bad_iss",
                         "Le jeton d'identité ne vient pas du fournisseur d'identité configuré "
                         "(iss)."},
    [IDTOKEN_ERR_AUD] = {"bad_aud", "Le jeton d'identité n'est pas destiné à epart (aud)."},
    [IDTOKEN_ERR_AZP] = {"bad_azp",
                         "Le jeton d'identité a été délivré à un autre client (azp)."},
    [IDTOKEN_ERR_SUB] = {"bad_sub", "L'identifiant (sub) du jeton d'identité est absent ou "
                                    "invalide."},
    [IDTOKEN_ERR_EXP] = {"no_exp", "L'échéance (exp) du jeton d'identité est absente ou "
                                   "invalide."},
    [IDTOKEN_ERR_IAT] = {"no_iat", "La date d'émission (iat) du jeton d'identité est absente "
                                   "ou invalide."},
    [IDTOKEN_ERR_NBF] = {"bad_nbf", "La date nbf du jeton d'identité est invalide."},
    [IDTOKEN_ERR_EXPIRED] = {"expired", "Le jeton d'identité a expiré ; reconnectez-vous."},
    [IDTOKEN_ERR_IAT_FUTURE] = {"iat_future", "Le jeton d'identité est émis dans le futur."},
    [IDTOKEN_ERR_TOO_OLD] = {"too_old",
                             "Le jeton d'identité a été émis il y a trop longtemps ; "
                             "reconnectez-vous."},
    [IDTOKEN_ERR_NOT_YET_VALID] = {"not_yet_valid", "Le jeton d'identité n'est pas encore "
                                                    "valable."},
    [IDTOKEN_ERR_NONCE] = {"bad_nonce",
                           "Le nonce du jeton d'identité ne correspond pas à cette connexion."},
    [IDTOKEN_ERR_INTERNAL] = {"internal", "Erreur interne lors de la vérification du jeton."},
};

const char *idtoken_error_str(enum idtoken_error err)
{
    return ERR_ENTRY(errors, err, IDTOKEN_ERR_INTERNAL)->text;
}

const char *idtoken_error_name(enum idtoken_error err)
{
    return ERR_ENTRY(errors, err, IDTOKEN_ERR_INTERNAL)->name;
}

static bool printable(const char *s, size_t max)
{
    size_t n = 0;

    for (; s[n] != '\0'; n++)
        if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f || n >= max)
            return false;
    return n > 0;
}

static enum idtoken_error check_audience(const json_t *c, const char *client_id)
{
    const json_t *aud = json_object_get(c, "aud"), *azp = json_object_get(c, "azp"), *a;
    size_t i, n = 0;
    bool found = false;

    if (json_is_string(aud)) {
        found = strcmp(json_string_value(aud), client_id) == 0;
        n = 1;
    } else if (json_is_array(aud)) {
        json_array_foreach(aud, i, a) {
            if (!json_is_string(a))
                return IDTOKEN_ERR_AUD;
            if (strcmp(json_string_value(a), client_id) == 0)
                found = true;
            n++;
        }
    }
    if (!found)
        return IDTOKEN_ERR_AUD;
    if (azp != NULL && (!json_is_string(azp) || strcmp(json_string_value(azp), client_id) != 0))
        return IDTOKEN_ERR_AZP;
    if (n > 1 && azp == NULL)
        return IDTOKEN_ERR_AZP;
    return IDTOKEN_OK;
}

static bool nonce_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    return la == lb && CRYPTO_memcmp(a, b, la) == 0;
}

static void copy_name(const json_t *c, char *out, size_t size)
{
    const char *given = json_string_value(json_object_get(c, "given_name"));
    const char *family = json_string_value(json_object_get(c, "usual_name"));
    const char *name = json_string_value(json_object_get(c, "name"));

    if (family == NULL)
        family = json_string_value(json_object_get(c, "family_name"));
    if (given != NULL && family != NULL)
        snprintf(out, size, "%s %s", given, family);
    else if (name != NULL)
        snprintf(out, size, "%s", name);
    if (!printable(out, size))
        out[0] = '\0';
}

static enum idtoken_error check_claims(const json_t *c, const struct idtoken_expect *x,
                                       struct idtoken_claims *out)
{
    const json_t *iss = json_object_get(c, "iss"), *sub = json_object_get(c, "sub");
    const json_t *nbf_j = json_object_get(c, "nbf"), *nonce = json_object_get(c, "nonce");
    const json_t *email = json_object_get(c, "email");
    const json_t *verified = json_object_get(c, "email_verified");
    long long exp, iat, nbf = 0, now = (long long)x->now;
    enum idtoken_error e;

    if (!json_is_string(iss) || strcmp(json_string_value(iss), x->issuer) != 0)
        return IDTOKEN_ERR_ISS;
    if ((e = check_audience(c, x->client_id)) != IDTOKEN_OK)
        return e;
    if (!json_is_string(sub) || strlen(json_string_value(sub)) != json_string_length(sub) ||
        !printable(json_string_value(sub), IDTOKEN_SUB_MAX + 1))
        return IDTOKEN_ERR_SUB;
    if (!jws_numeric_date(json_object_get(c, "exp"), &exp))
        return IDTOKEN_ERR_EXP;
    if (!jws_numeric_date(json_object_get(c, "iat"), &iat))
        return IDTOKEN_ERR_IAT;
    if (nbf_j != NULL && !jws_numeric_date(nbf_j, &nbf))
        return IDTOKEN_ERR_NBF;
    if (exp <= LLONG_MAX - IDTOKEN_LEEWAY && now > exp + IDTOKEN_LEEWAY)
        return IDTOKEN_ERR_EXPIRED;
    if (iat > now + IDTOKEN_LEEWAY)
        return IDTOKEN_ERR_IAT_FUTURE;
    if (iat < now - IDTOKEN_MAX_AGE - IDTOKEN_LEEWAY)
        return IDTOKEN_ERR_TOO_OLD;
    if (nbf > now + IDTOKEN_LEEWAY)
        return IDTOKEN_ERR_NOT_YET_VALID;
    if (nonce != NULL && (!json_is_string(nonce) ||
                          strlen(json_string_value(nonce)) != json_string_length(nonce) ||
                          !printable(json_string_value(nonce), IDTOKEN_NONCE_MAX + 1)))
        return IDTOKEN_ERR_NONCE;
    if (x->nonce != NULL && (nonce == NULL || !nonce_equal(json_string_value(nonce), x->nonce)))
        return IDTOKEN_ERR_NONCE;
    snprintf(out->sub, sizeof(out->sub), "%s", json_string_value(sub));
    if (nonce != NULL)
        snprintf(out->nonce, sizeof(out->nonce), "%s", json_string_value(nonce));
    if (json_is_string(email) && !json_is_false(verified) &&
        json_string_length(email) < sizeof(out->email) &&
        strlen(json_string_value(email)) == json_string_length(email) &&
        vf_is_email(json_string_value(email)))
        snprintf(out->email, sizeof(out->email), "%s", json_string_value(email));
    copy_name(c, out->name, sizeof(out->name));
    out->exp = (time_t)exp;
    out->iat = (time_t)iat;
    return IDTOKEN_OK;
}

static enum idtoken_error check_header(const json_t *h, const struct jwks *set,
                                       const struct jwk **key, char *kid_out)
{
    const json_t *alg = json_object_get(h, "alg"), *typ = json_object_get(h, "typ");
    const json_t *kid = json_object_get(h, "kid");
    enum jwk_alg want;

    if (!json_is_string(alg))
        return IDTOKEN_ERR_ALG;
    if (strcmp(json_string_value(alg), "RS256") == 0)
        want = JWK_RS256;
    else if (strcmp(json_string_value(alg), "ES256") == 0)
        want = JWK_ES256;
    else
        return IDTOKEN_ERR_ALG;
    if (typ != NULL && (!json_is_string(typ) || strcmp(json_string_value(typ), "JWT") != 0))
        return IDTOKEN_ERR_TYP;
    if (json_object_get(h, "crit") != NULL)
        return IDTOKEN_ERR_CRIT;
    if (!json_is_string(kid) || json_string_length(kid) == 0 ||
        json_string_length(kid) > JWK_KID_MAX ||
        strlen(json_string_value(kid)) != json_string_length(kid))
        return IDTOKEN_ERR_KID;
    snprintf(kid_out, JWK_KID_MAX + 1, "%s", json_string_value(kid));
    *key = set != NULL ? jwks_find(set, kid_out) : NULL;
    if (*key == NULL)
        return IDTOKEN_ERR_UNKNOWN_KID;
    if ((*key)->alg != want)
        return IDTOKEN_ERR_KEY_ALG;
    return IDTOKEN_OK;
}

enum idtoken_error idtoken_verify(const char *token, size_t len, const struct jwks *set,
                                  const struct idtoken_expect *expect,
                                  struct idtoken_claims *out)
{
    static _Thread_local unsigned char buf[SEGMENT_MAX];
    const char *dot1, *dot2;
    const struct jwk *key = NULL;
    json_t *header = NULL, *claims = NULL;
    unsigned char sig[1100];
    long sig_len;
    enum idtoken_error e;
    char kid[JWK_KID_MAX + 1] = "";

    memset(out, 0, sizeof(*out));
    if (token == NULL || len == 0)
        return IDTOKEN_ERR_EMPTY;
    if (len > IDTOKEN_MAX_LEN)
        return IDTOKEN_ERR_TOO_LONG;
    if (memchr(token, '\0', len) != NULL)
        return IDTOKEN_ERR_FORMAT;
    dot1 = memchr(token, '.', len);
    dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
    if (dot1 == NULL || dot2 == NULL || dot1 == token || dot2 == dot1 + 1 ||
        memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) != NULL)
        return IDTOKEN_ERR_FORMAT;
    header = jws_segment_json(token, (size_t)(dot1 - token), buf, sizeof(buf), NULL);
    if (header == NULL)
        return IDTOKEN_ERR_HEADER;
    e = check_header(header, set, &key, kid);
    json_decref(header);
    if (e != IDTOKEN_OK) {
        if (e == IDTOKEN_ERR_UNKNOWN_KID)
            snprintf(out->kid, sizeof(out->kid), "%s", kid);
        return e;
    }
    sig_len = b64_decode(dot2 + 1, len - (size_t)(dot2 + 1 - token), B64_URL, sig, sizeof(sig));
    if (sig_len <= 0 || !jwk_verify(key, (const unsigned char *)token,
                                    (size_t)(dot2 - token), sig, (size_t)sig_len))
        return IDTOKEN_ERR_SIGNATURE;
    claims = jws_segment_json(dot1 + 1, (size_t)(dot2 - dot1 - 1), buf, sizeof(buf), NULL);
    if (claims == NULL)
        return IDTOKEN_ERR_PAYLOAD;
    e = check_claims(claims, expect, out);
    json_decref(claims);
    if (e != IDTOKEN_OK) {
        memset(out, 0, sizeof(*out));
        return e;
    }
    snprintf(out->kid, sizeof(out->kid), "%s", kid);
    return IDTOKEN_OK;
}
