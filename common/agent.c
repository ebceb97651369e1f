/*
 * agent.c — validation of the agents of SPEC §13 (see agent.h).
 */
#include "agent.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "uuidv.h"
#include "vfield.h"

static const char *const agent_keys[] = {"issuer", "sub",    "email",  "name",
                                         "role",   "org",    "caisse", "active", NULL};
static const char *const read_only_keys[] = {"id", "version", "created_at", "updated_at",
                                             "last_signin_at", NULL};
static const char *const roles[] = {"partner", "instructor", "admin", NULL};

int agent_check_keys(const json_t *body, json_t *errors)
{
    vctx v;
    const char *key;
    json_t *val;

    vf_init(&v, errors);
    json_object_foreach((json_t *)body, key, val) {
        char path[VF_PATH_MAX];

        if (vf_in_set(key, agent_keys))
            continue;
        snprintf(path, sizeof(path), "%.128s", key);
        if (vf_in_set(key, read_only_keys))
            vf_error(&v, path, "read_only", "Ce champ est fixé par le serveur.");
        else
            vf_error(&v, path, "unknown_field", "Champ inconnu.");
    }
    return v.problems;
}

static bool loopback_host(const char *h, size_t n)
{
    if (n == 9 && strncasecmp(h, "localhost", 9) == 0)
        return true;
    if (n == 5 && memcmp(h, "[::1]", 5) == 0)
        return true;
    if (n >= 7 && strncmp(h, "127.", 4) == 0) {
        int dots = 0;

        for (size_t i = 0; i < n; i++) {
            if (h[i] == '.')
                dots++;
            else if (h[i] < '0' || h[i] > '9')
                return false;
        }
        return dots == 3;
    }
    return false;
}

bool agent_issuer_ok(const char *s)
{
    const char *host, *end;
    size_t n;
    bool https;

    if (s == NULL || strlen(s) > AGENT_ISSUER_MAX)
        return false;
    for (const char *p = s; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || *p == '?' || *p == '#' || *p == '@' || *p == '\\')
            return false;
    if (strncmp(s, "https://", 8) == 0) {
        https = true;
        host = s + 8;
    } else if (strncmp(s, "http://", 7) == 0) {
        https = false;
        host = s + 7;
    } else {
        return false;
    }
    end = host;
    if (*end == '[') {
        end = strchr(end, ']');
        if (end == NULL)
            return false;
        end++;
    } else {
        while (*end && *end != ':' && *end != '/')
            end++;
    }
    n = (size_t)(end - host);
    if (n == 0)
        return false;
    if (*end == ':') {
        const char *p = end + 1;
        size_t digits = strspn(p, "0123456789");

        if (digits == 0 || digits > 5 || (p[digits] != '\0' && p[digits] != '/'))
            return false;
    } else if (*end != '\0' && *end != '/') {
        return false;
    }
    return https || loopback_host(host, n);
}

static bool caisse_ok(const char *s)
{
    return strlen(s) == 3 && strspn(s, "0123456789") == 3;
}

static bool sub_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x21 || *p == 0x7f)
            return false;
    return true;
}

static const json_t *get(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);

    return json_is_null(v) ? NULL : v;
}

int agent_validate(const json_t *agent, json_t *errors)
{
    vctx v;
    const char *role = NULL;
    const json_t *issuer = get(agent, "issuer"), *sub = get(agent, "sub");

    vf_init(&v, errors);
    if (!json_is_object(agent)) {
        vf_error(&v, "", "invalid_type", "Le corps doit être un objet JSON.");
        return v.problems;
    }
    vf_format(&v, "email", get(agent, "email"), VF_REQUIRED, AGENT_EMAIL_MAX, vf_is_email,
              "adresse électronique", NULL);
    vf_string(&v, "name", get(agent, "name"), 0, AGENT_NAME_MAX, NULL);
    vf_bool(&v, "active", get(agent, "active"), 0, NULL);
    if (vf_format(&v, "issuer", issuer, 0, AGENT_ISSUER_MAX, agent_issuer_ok,
                  "émetteur OpenID Connect (URL https)", NULL) == VF_OK &&
        sub == NULL)
        vf_error(&v, "sub", "required",
                 "Indiquez sub avec issuer : l'agent est reconnu par le couple (issuer, sub).");
    if (vf_format(&v, "sub", sub, 0, AGENT_SUB_MAX, sub_ok, "identifiant sub", NULL) == VF_OK &&
        issuer == NULL)
        vf_error(&v, "issuer", "required",
                 "Indiquez issuer avec sub : l'agent est reconnu par le couple (issuer, sub).");
    if (vf_enum(&v, "role", get(agent, "role"), VF_REQUIRED, roles, &role) != VF_OK) {
        /* without a role the scope cannot be judged; check only the formats */
        vf_format(&v, "org", get(agent, "org"), 0, 36, uuid_valid, "identifiant d'organisation",
                  NULL);
        vf_format(&v, "caisse", get(agent, "caisse"), 0, 16, caisse_ok,
                  "code de caisse (3 chiffres)", NULL);
        return v.problems;
    }
    if (strcmp(role, "partner") == 0)
        vf_format(&v, "org", get(agent, "org"), VF_REQUIRED, 36, uuid_valid,
                  "identifiant d'organisation", NULL);
    else if (get(agent, "org") != NULL)
        vf_error(&v, "org", "not_allowed",
                 "Seul un agent partenaire est rattaché à une organisation.");
    if (strcmp(role, "instructor") == 0)
        vf_format(&v, "caisse", get(agent, "caisse"), VF_REQUIRED, 16, caisse_ok,
                  "code de caisse (3 chiffres)", NULL);
    else if (get(agent, "caisse") != NULL)
        vf_error(&v, "caisse", "not_allowed",
                 strcmp(role, "partner") == 0
                     ? "Un agent partenaire relève de la caisse de son organisation ; "
                       "n'indiquez pas caisse."
                     : "Un administrateur n'est rattaché à aucune caisse.");
    return v.problems;
}
