/*
 * signalement_valid.c — signalement bodies and the parcours attentionnés.
 */
#include "signalement_valid.h"

#include "person_valid.h"
#include "vfield.h"

/* The 26 codes of data/parcours.json (source: seed 002, "Les parcours attentionnés
 * assurés", CPAM de la Charente-Maritime, March 2024), theme by theme. Keep in
 * step with that file: tests/unit/test_signalement_valid.c compares them. */
static const char *const parcours[PARCOURS_COUNT + 1] = {
    /* acces_droits_soins */
    "medecin_traitant", "ald", "aller_vers", "complementaire_sante_solidaire", "invalidite",
    "renoncement_soins",
    /* dependance */
    "seniors", "aidants", "majeurs_proteges", "handicap", "familles_monoparentales",
    "maternite", "perte_proche",
    /* jeunesse */
    "aide_sociale_enfance", "enfants_pjj", "etudiants", "jeunes", "personnes_ecrouees",
    "demandeurs_emploi", "desinsertion_professionnelle", "travailleurs_independants",
    /* autres */
    "partenaires_ess", "victimes_attentats", "habitants_qpv", "personnes_hebergees",
    /* numerique */
    "inclusion_numerique",
    NULL};

static const char *const reasons[] = {"demarches_inconnues", "sans_complementaire",
                                      "difficulte_rendez_vous", "avance_de_frais",
                                      "isolement_deplacement", "numerique", "autre", NULL};
static const char *const keys[] = {"person", "reasons", "parcours", "consent", "comment", NULL};

#define REASON_COUNT 7

bool parcours_valid(const char *s)
{
    return vf_in_set(s, parcours);
}

bool signalement_reason_valid(const char *s)
{
    return vf_in_set(s, reasons);
}

const char *parcours_code(size_t i)
{
    return i < PARCOURS_COUNT ? parcours[i] : NULL;
}

static void check_reasons(vctx *v, const json_t *list)
{
    char item[VF_PATH_MAX];
    size_t i;
    json_t *r;

    if (vf_array(v, "reasons", list, VF_REQUIRED | VF_NONEMPTY, REASON_COUNT) != VF_OK)
        return;
    json_array_foreach(list, i, r) {
        vf_index(item, "reasons", i);
        if (vf_enum(v, item, r, VF_REQUIRED, reasons, NULL) != VF_OK)
            continue;
        for (size_t j = 0; j < i; j++) {
            if (json_equal(json_array_get(list, j), r)) {
                vf_error(v, item, "duplicate", "motif déjà indiqué");
                break;
            }
        }
    }
}

int signalement_validate(const json_t *body, cal_date today, json_t *errors)
{
    vctx v;
    const char *code;

    vf_init(&v, errors);
    if (!json_is_object(body)) {
        vf_error(&v, "", "invalid_type", "le corps de la requête doit être un objet JSON");
        return v.problems;
    }
    vf_object(&v, "", body, VF_REQUIRED, keys);
    person_validate(&v, "person", json_object_get(body, "person"), VF_REQUIRED, PERSON_CONTACT,
                    today, NULL);
    check_reasons(&v, json_object_get(body, "reasons"));
    /* Not vf_enum: listing 26 codes would not fit a useful message. */
    if (vf_string(&v, "parcours", json_object_get(body, "parcours"), VF_REQUIRED, 64, &code) ==
            VF_OK &&
        !parcours_valid(code))
        vf_error(&v, "parcours", "invalid_enum",
                 "parcours inconnu : un des 26 codes des parcours attentionnés est attendu");
    consent_validate(&v, "consent", json_object_get(body, "consent"), VF_REQUIRED, today);
    vf_string(&v, "comment", json_object_get(body, "comment"), VF_MULTILINE,
              SIGNALEMENT_COMMENT_MAX, NULL);
    return v.problems;
}
