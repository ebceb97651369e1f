/*
 * request_valid.c — rendez-vous, document requests and their transitions.
 */
#include "request_valid.h"

#include <string.h>

#include "person_valid.h"
#include "vfield.h"

static const char *const rdv_keys[] = {"person", "site", "reason", "availability", "consent",
                                       "comment", NULL};
static const char *const doc_keys[] = {"person", "document", "channel", "consent", "comment",
                                       NULL};
static const char *const slot_keys[] = {"from", "to", NULL};
static const char *const transition_keys[] = {"action", "to", "comment", "motif", "reason",
                                              NULL};

/* a lower-case identifier: [a-z][a-z0-9_]{0,63} */
static bool is_identifier(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 64 || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static void check_slot(vctx *v, const char *path, const json_t *slot)
{
    char p_from[VF_PATH_MAX], p_to[VF_PATH_MAX];
    time_t from = 0, to = 0;
    const char *s;
    bool ok_from, ok_to;

    if (json_is_string(slot)) {
        vf_string(v, path, slot, VF_REQUIRED, 200, NULL);
        return;
    }
    if (!json_is_object(slot)) {
        vf_error(v, path, "invalid_type", "créneau attendu : texte ou objet {from, to}");
        return;
    }
    vf_object(v, path, slot, VF_REQUIRED, slot_keys);
    vf_join(p_from, path, "from");
    vf_join(p_to, path, "to");
    ok_from = vf_string(v, p_from, json_object_get(slot, "from"), VF_REQUIRED, 40, &s) == VF_OK;
    if (ok_from && !cal_parse_instant(s, &from)) {
        vf_error(v, p_from, "invalid_datetime", "instant RFC 3339 attendu");
        ok_from = false;
    }
    ok_to = vf_string(v, p_to, json_object_get(slot, "to"), VF_REQUIRED, 40, &s) == VF_OK;
    if (ok_to && !cal_parse_instant(s, &to)) {
        vf_error(v, p_to, "invalid_datetime", "instant RFC 3339 attendu");
        ok_to = false;
    }
    if (ok_from && ok_to && to <= from)
        vf_error(v, p_to, "invalid_range", "la fin du créneau doit suivre son début");
}

int rendez_vous_validate(const json_t *body, cal_date today, json_t *errors)
{
    vctx v;
    const json_t *list;
    char item[VF_PATH_MAX];
    size_t i;
    json_t *slot;

    vf_init(&v, errors);
    if (!json_is_object(body)) {
        vf_error(&v, "", "invalid_type", "le corps de la requête doit être un objet JSON");
        return v.problems;
    }
    vf_object(&v, "", body, VF_REQUIRED, rdv_keys);
    person_validate(&v, "person", json_object_get(body, "person"), VF_REQUIRED, PERSON_CONTACT,
                    today, NULL);
    vf_string(&v, "site", json_object_get(body, "site"), VF_REQUIRED, RDV_SITE_MAX, NULL);
    vf_string(&v, "reason", json_object_get(body, "reason"), VF_REQUIRED | VF_MULTILINE,
              RDV_REASON_MAX, NULL);
    list = json_object_get(body, "availability");
    if (vf_array(&v, "availability", list, 0, RDV_AVAILABILITY_MAX) == VF_OK)
        json_array_foreach(list, i, slot) {
            vf_index(item, "availability", i);
            check_slot(&v, item, slot);
        }
    if (json_object_get(body, "consent") != NULL)
        consent_validate(&v, "consent", json_object_get(body, "consent"), 0, today);
    vf_string(&v, "comment", json_object_get(body, "comment"), VF_MULTILINE, 2000, NULL);
    return v.problems;
}

int demande_document_validate(const json_t *body, cal_date today, json_t *errors)
{
    vctx v;
    const char *s;

    vf_init(&v, errors);
    if (!json_is_object(body)) {
        vf_error(&v, "", "invalid_type", "le corps de la requête doit être un objet JSON");
        return v.problems;
    }
    vf_object(&v, "", body, VF_REQUIRED, doc_keys);
    person_validate(&v, "person", json_object_get(body, "person"), VF_REQUIRED, PERSON_CONTACT,
                    today, NULL);
    if (vf_string(&v, "document", json_object_get(body, "document"), VF_REQUIRED, 64, &s) ==
            VF_OK &&
        !is_identifier(s))
        vf_error(&v, "document", "invalid_format",
                 "document attendu sous forme d'identifiant, par exemple attestation_droits");
    if (vf_string(&v, "channel", json_object_get(body, "channel"), VF_REQUIRED, 64, &s) ==
            VF_OK &&
        !is_identifier(s))
        vf_error(&v, "channel", "invalid_format",
                 "canal attendu sous forme d'identifiant, par exemple courrier ou email");
    if (json_object_get(body, "consent") != NULL)
        consent_validate(&v, "consent", json_object_get(body, "consent"), 0, today);
    vf_string(&v, "comment", json_object_get(body, "comment"), VF_MULTILINE, 2000, NULL);
    return v.problems;
}

int request_transition_validate(const json_t *body, const char **to, json_t *errors)
{
    vctx v;
    const json_t *action = json_object_get(body, "action");
    const char *s = NULL;

    vf_init(&v, errors);
    *to = NULL;
    if (!json_is_object(body)) {
        vf_error(&v, "", "invalid_type", "le corps de la requête doit être un objet JSON");
        return v.problems;
    }
    vf_object(&v, "", body, VF_REQUIRED, transition_keys);
    if (action == NULL || json_is_null(action))
        action = json_object_get(body, "to");
    if (vf_string(&v, "action", action, VF_REQUIRED, 32, &s) == VF_OK) {
        if (!is_identifier(s))
            vf_error(&v, "action", "invalid_enum", "statut cible inconnu");
        else
            *to = s;
    }
    vf_string(&v, "comment", json_object_get(body, "comment"), VF_MULTILINE, 2000, NULL);
    vf_string(&v, "motif", json_object_get(body, "motif"), VF_MULTILINE, 2000, NULL);
    vf_string(&v, "reason", json_object_get(body, "reason"), VF_MULTILINE, 2000, NULL);
    return v.problems;
}
