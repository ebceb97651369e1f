/*
 * person_valid.c — person and consent blocks.
 */
#include "person_valid.h"

#include "nir.h"

static const char *const person_keys[] = {
    "last_name", "first_names", "birth_date", "sex", "nir", "phone", "email", "language",
    "interpreter_needed", "address", "domiciliation", NULL};
static const char *const sexes[] = {"F", "M", "X", NULL};
static const char *const address_keys[] = {"line", "postal_code", "city", NULL};
static const char *const domiciliation_keys[] = {"organisme", "since", NULL};
static const char *const consent_keys[] = {"obtained_on", "informed", NULL};

#define MAX_FIRST_NAMES 10

static const json_t *get(const json_t *obj, const char *key)
{
    return json_object_get(obj, key);
}

static void check_first_names(vctx *v, const char *parent, const json_t *obj)
{
    char path[VF_PATH_MAX], item[VF_PATH_MAX];
    const json_t *names = get(obj, "first_names");
    size_t i;
    json_t *name;

    vf_join(path, parent, "first_names");
    if (vf_array(v, path, names, VF_REQUIRED | VF_NONEMPTY, MAX_FIRST_NAMES) != VF_OK)
        return;
    json_array_foreach(names, i, name)
        vf_string(v, vf_index(item, path, i), name, VF_REQUIRED | VF_NAME, PERSON_NAME_MAX, NULL);
}

static void check_nir(vctx *v, const char *path, const json_t *val)
{
    const char *s;
    nir_result r;

    if (vf_string(v, path, val, 0, 64, &s) != VF_OK)
        return;
    r = nir_check(s);
    if (r != NIR_VALID)
        vf_error(v, path, "invalid_nir", "%s", nir_result_message(r));
}

static void check_address(vctx *v, const char *parent, const json_t *obj)
{
    char path[VF_PATH_MAX], p[VF_PATH_MAX];
    const json_t *a = get(obj, "address");

    vf_join(path, parent, "address");
    if (vf_object(v, path, a, 0, address_keys) != VF_OK)
        return;
    vf_string(v, vf_join(p, path, "line"), get(a, "line"), 0, 200, NULL);
    vf_format(v, vf_join(p, path, "postal_code"), get(a, "postal_code"), VF_REQUIRED, 16,
              vf_is_postal_code, "code postal (5 chiffres)", NULL);
    vf_string(v, vf_join(p, path, "city"), get(a, "city"), VF_REQUIRED, 100, NULL);
}

static void check_domiciliation(vctx *v, const char *parent, const json_t *obj, cal_date today,
                                const cal_date *birth)
{
    char path[VF_PATH_MAX], p[VF_PATH_MAX];
    const json_t *dom = get(obj, "domiciliation");
    cal_date since;

    vf_join(path, parent, "domiciliation");
    if (vf_object(v, path, dom, 0, domiciliation_keys) != VF_OK)
        return;
    vf_string(v, vf_join(p, path, "organisme"), get(dom, "organisme"), VF_REQUIRED, 200, NULL);
    vf_join(p, path, "since");
    if (vf_date(v, p, get(dom, "since"), VF_NOT_FUTURE, today, &since) == VF_OK &&
        birth != NULL && cal_cmp(since, *birth) < 0)
        vf_error(v, p, "invalid_range", "date antérieure à la date de naissance");
}

vf_res person_validate(vctx *v, const char *path, const json_t *val, unsigned flags,
                       person_kind kind, cal_date today, cal_date *birth)
{
    static const cal_date oldest = {1900, 1, 1};
    char p[VF_PATH_MAX];
    cal_date born;
    bool have_birth = false;
    vf_res res = vf_object(v, path, val, flags, person_keys);

    if (res != VF_OK)
        return res;
    vf_string(v, vf_join(p, path, "last_name"), get(val, "last_name"), VF_REQUIRED | VF_NAME,
              PERSON_NAME_MAX, NULL);
    check_first_names(v, path, val);

    vf_join(p, path, "birth_date");
    if (vf_date(v, p, get(val, "birth_date"), VF_REQUIRED | VF_NOT_FUTURE, today, &born) ==
        VF_OK) {
        if (cal_cmp(born, oldest) < 0) {
            vf_error(v, p, "invalid_range", "date de naissance antérieure à 1900");
        } else {
            have_birth = true;
            if (birth != NULL)
                *birth = born;
        }
    }
    vf_enum(v, vf_join(p, path, "sex"), get(val, "sex"),
            kind == PERSON_APPLICANT ? VF_REQUIRED : 0, sexes, NULL);
    check_nir(v, vf_join(p, path, "nir"), get(val, "nir"));
    vf_format(v, vf_join(p, path, "phone"), get(val, "phone"), 0, 30, vf_is_phone,
              "numéro de téléphone", NULL);
    vf_format(v, vf_join(p, path, "email"), get(val, "email"), 0, 254, vf_is_email,
              "adresse électronique", NULL);
    vf_format(v, vf_join(p, path, "language"), get(val, "language"), 0, 16, vf_is_language,
              "code de langue ISO 639 (2 ou 3 lettres)", NULL);
    vf_bool(v, vf_join(p, path, "interpreter_needed"), get(val, "interpreter_needed"), 0, NULL);
    check_address(v, path, val);
    check_domiciliation(v, path, val, today, have_birth ? &born : NULL);
    return VF_OK;
}

vf_res consent_validate(vctx *v, const char *path, const json_t *val, unsigned flags,
                        cal_date today)
{
    char p[VF_PATH_MAX];
    bool informed;
    vf_res res = vf_object(v, path, val, flags, consent_keys);

    if (res != VF_OK)
        return res;
    vf_date(v, vf_join(p, path, "obtained_on"), get(val, "obtained_on"),
            VF_REQUIRED | VF_NOT_FUTURE, today, NULL);
    vf_join(p, path, "informed");
    if (vf_bool(v, p, get(val, "informed"), VF_REQUIRED, &informed) == VF_OK && !informed)
        vf_error(v, p, "must_be_true",
                 "la personne doit avoir été informée du traitement de ses données");
    return VF_OK;
}
