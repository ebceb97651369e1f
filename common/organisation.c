/*
 * organisation.c — conventions in force, AME habilitation, organisation bodies.
 */
#include "organisation.h"

#include <string.h>

#include "person_valid.h"
#include "siret.h"
#include "vfield.h"

static const char *const kinds[] = {"ccas", "cias", "pass_ville", "pass_hospitaliere",
                                    "etablissement_sante", "france_services", "siao",
                                    "association", "mission_locale", "autre", NULL};
/* Every key a client may send, then those it may only read. */
static const char *const org_keys[] = {"name", "kind", "siret", "finess", "caisse",
                                       "ame_habilitation", "convention", "referent",
                                       "id", "version", "created_at", "updated_at", NULL};
static const char *const read_only_keys[] = {"id", "version", "created_at", "updated_at", NULL};
static const char *const convention_keys[] = {"signed_on", "duration_months", "tacit_renewal",
                                              "terminated_on", NULL};
static const char *const referent_keys[] = {"name", "email", "phone", NULL};

static const json_t *get(const json_t *obj, const char *key)
{
    return json_object_get(obj, key);
}

static bool absent(const json_t *val)
{
    return val == NULL || json_is_null(val);
}

bool org_kind_valid(const char *s)
{
    return vf_in_set(s, kinds);
}

/* ---- conventions --------------------------------------------------------- */

bool org_convention_parse(const json_t *c, org_convention *out)
{
    const json_t *dur, *tacit, *term;
    org_convention r;

    if (!json_is_object(c) || !json_is_string(get(c, "signed_on")) ||
        !cal_parse(json_string_value(get(c, "signed_on")), &r.signed_on))
        return false;

    dur = get(c, "duration_months");
    if (absent(dur))
        r.duration_months = ORG_DEFAULT_DURATION_MONTHS;
    else if (json_is_integer(dur) && json_integer_value(dur) >= 1 &&
             json_integer_value(dur) <= ORG_MAX_DURATION_MONTHS)
        r.duration_months = (int)json_integer_value(dur);
    else
        return false;

    tacit = get(c, "tacit_renewal");
    if (absent(tacit))
        r.tacit_renewal = true;
    else if (json_is_boolean(tacit))
        r.tacit_renewal = json_is_true(tacit);
    else
        return false;

    term = get(c, "terminated_on");
    r.terminated = !absent(term);
    if (r.terminated) {
        if (!json_is_string(term) || !cal_parse(json_string_value(term), &r.terminated_on))
            return false;
    } else {
        r.terminated_on = r.signed_on;
    }
    *out = r;
    return true;
}

bool org_convention_in_force_at(const org_convention *c, cal_date t)
{
    if (cal_cmp(c->signed_on, t) > 0)
        return false;
    if (c->terminated && cal_cmp(t, c->terminated_on) > 0)
        return false;
    return c->tacit_renewal || cal_cmp(t, cal_add_months(c->signed_on, c->duration_months)) < 0;
}

const char *convention_state(const json_t *convention, cal_date t)
{
    org_convention c;

    if (!org_convention_parse(convention, &c))
        return NULL;
    if (org_convention_in_force_at(&c, t))
        return "en_vigueur";
    if (cal_cmp(c.signed_on, t) > 0)
        return "a_venir";
    if (c.terminated && cal_cmp(t, c.terminated_on) > 0)
        return "resiliee";
    return "echue";
}

bool convention_in_force(const json_t *convention, cal_date t)
{
    org_convention c;

    return org_convention_parse(convention, &c) && org_convention_in_force_at(&c, t);
}

bool org_may_send_ame_first(const char *kind, bool ame_habilitation)
{
    static const char *const always[] = {"pass_ville", "pass_hospitaliere",
                                         "etablissement_sante", NULL};

    if (vf_in_set(kind, always))
        return true;
    return ame_habilitation && kind != NULL && strcmp(kind, "france_services") == 0;
}

/* ---- bodies -------------------------------------------------------------- */

static bool caisse_ok(const char *s)
{
    return strlen(s) == 3 && strspn(s, "0123456789") == 3;
}

static bool finess_ok(const char *s)
{
    size_t start = 0;

    if (strlen(s) != 9)
        return false;
    if (s[0] == '2' && (s[1] == 'A' || s[1] == 'B'))
        start = 2;
    return strspn(s + start, "0123456789") == 9 - start;
}

/* Creation requires the field; a patch requires it only when it names it (to
 * refuse null, which would remove it). */
static unsigned need(const json_t *obj, const char *key, bool patch)
{
    if (!patch)
        return VF_REQUIRED;
    return get(obj, key) != NULL ? VF_REQUIRED : 0;
}

static void check_siret(vctx *v, const json_t *val, unsigned flags)
{
    const char *s;
    siret_result r;

    if (vf_string(v, "siret", val, flags, 64, &s) != VF_OK)
        return;
    r = siret_check(s);
    if (r != SIRET_VALID)
        vf_error(v, "siret", "invalid_siret", "%s", siret_result_message(r));
}

static void check_referent(vctx *v, const json_t *ref)
{
    if (vf_object(v, "referent", ref, 0, referent_keys) != VF_OK)
        return;
    vf_string(v, "referent.name", get(ref, "name"), VF_NAME, PERSON_NAME_MAX, NULL);
    vf_format(v, "referent.email", get(ref, "email"), 0, 254, vf_is_email,
              "adresse électronique", NULL);
    vf_format(v, "referent.phone", get(ref, "phone"), 0, 30, vf_is_phone,
              "numéro de téléphone", NULL);
}

/* The date the organisation holds once this body is applied: the body's own,
 * or in a patch that leaves the member out, the stored one. False when there is
 * none (removed by null, invalid, or never set). */
static bool resulting_date(const json_t *c, const json_t *stored, const char *key, vf_res res,
                           cal_date given, bool patch, cal_date *out)
{
    if (res == VF_OK) {
        *out = given;
        return true;
    }
    if (patch && get(c, key) == NULL && json_is_string(get(stored, key)))
        return cal_parse(json_string_value(get(stored, key)), out);
    return false;
}

/* Called for a creation, or for a patch that names "convention" (null is then
 * "required": a convention cannot be removed). */
static void check_convention(vctx *v, const json_t *c, const json_t *current, bool patch)
{
    cal_date none = {0, 0, 0}, signed_on = none, term = none, s, t;
    vf_res rs, rt;
    const json_t *stored = get(current, "convention");

    if (vf_object(v, "convention", c, VF_REQUIRED, convention_keys) != VF_OK)
        return;
    /* signed_on may be in the future: the convention is then not yet in force. */
    rs = vf_date(v, "convention.signed_on", get(c, "signed_on"), need(c, "signed_on", patch),
                 none, &signed_on);
    vf_integer(v, "convention.duration_months", get(c, "duration_months"), 0, 1,
               ORG_MAX_DURATION_MONTHS, NULL);
    vf_bool(v, "convention.tacit_renewal", get(c, "tacit_renewal"), 0, NULL);
    rt = vf_date(v, "convention.terminated_on", get(c, "terminated_on"), 0, none, &term);

    if (resulting_date(c, stored, "signed_on", rs, signed_on, patch, &s) &&
        resulting_date(c, stored, "terminated_on", rt, term, patch, &t) && cal_cmp(t, s) < 0)
        vf_error(v, rt == VF_OK ? "convention.terminated_on" : "convention.signed_on",
                 "invalid_range", "la résiliation ne peut pas précéder la signature");
}

static int check_org(const json_t *body, const json_t *current, bool patch, json_t *errors)
{
    vctx v;
    char p[VF_PATH_MAX];

    vf_init(&v, errors);
    if (!json_is_object(body)) {
        vf_error(&v, "", "invalid_type", "le corps de la requête doit être un objet JSON");
        return v.problems;
    }
    vf_object(&v, "", body, VF_REQUIRED, org_keys);
    for (const char *const *k = read_only_keys; *k != NULL; k++)
        if (get(body, *k) != NULL)
            vf_error(&v, vf_join(p, "", *k), "read_only",
                     "champ attribué par le serveur, non modifiable");

    vf_string(&v, "name", get(body, "name"), need(body, "name", patch), 200, NULL);
    vf_enum(&v, "kind", get(body, "kind"), need(body, "kind", patch), kinds, NULL);
    /* optional (a structure may not have one yet), checked whenever given */
    check_siret(&v, get(body, "siret"), 0);
    vf_format(&v, "caisse", get(body, "caisse"), need(body, "caisse", patch), 16, caisse_ok,
              "code de caisse (3 chiffres)", NULL);
    vf_format(&v, "finess", get(body, "finess"), 0, 32, finess_ok,
              "numéro FINESS (9 caractères)", NULL);
    vf_bool(&v, "ame_habilitation", get(body, "ame_habilitation"), 0, NULL);
    check_referent(&v, get(body, "referent"));
    if (!patch || get(body, "convention") != NULL)
        check_convention(&v, get(body, "convention"), current, patch);
    return v.problems;
}

int org_validate_create(const json_t *body, json_t *errors)
{
    return check_org(body, NULL, false, errors);
}

int org_validate_patch(const json_t *patch, const json_t *current, json_t *errors)
{
    return check_org(patch, current, true, errors);
}

/* ---- defaults ------------------------------------------------------------ */

static void default_member(json_t *obj, const char *key, json_t *value, bool replace_null)
{
    json_t *cur = json_object_get(obj, key);

    if (cur == NULL || (replace_null && json_is_null(cur)))
        json_object_set_new(obj, key, value);
    else
        json_decref(value);
}

void org_apply_defaults(json_t *org)
{
    json_t *c;

    if (!json_is_object(org))
        return;
    default_member(org, "ame_habilitation", json_false(), true);
    default_member(org, "finess", json_null(), false);
    default_member(org, "referent", json_null(), false);
    c = json_object_get(org, "convention");
    if (!json_is_object(c))
        return;
    default_member(c, "duration_months", json_integer(ORG_DEFAULT_DURATION_MONTHS), true);
    default_member(c, "tacit_renewal", json_true(), true);
    default_member(c, "terminated_on", json_null(), false);
}
