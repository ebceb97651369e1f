/*
 * signalement_valid.c — signalement bodies and the parcours attentionnés.
 */
#include "signalement_valid.h"

#include <string.h>

#include "person_valid.h"
#include "vfield.h"

/* The 26 parcours attentionnés of data/parcours.json (source: seed 002, "Les
 * parcours attentionnés assurés", CPAM de la Charente-Maritime, March 2024), theme
 * by theme, with the French labels people read (GET /v1/parcours, the
 * signalement form). Keep in step with that file: tests/unit/test_signalement_valid.c
 * compares codes and labels. */
static const struct parcours parcours[PARCOURS_COUNT] = {
    /* acces_droits_soins */
    {"medecin_traitant", "Accès à un médecin traitant",
     "acces_droits_soins", "Accès aux droits et aux soins"},
    {"ald", "Affection de longue durée", "acces_droits_soins", "Accès aux droits et aux soins"},
    {"aller_vers", "Aller vers", "acces_droits_soins", "Accès aux droits et aux soins"},
    {"complementaire_sante_solidaire", "Complémentaire santé solidaire",
     "acces_droits_soins", "Accès aux droits et aux soins"},
    {"invalidite", "Invalidité", "acces_droits_soins", "Accès aux droits et aux soins"},
    {"renoncement_soins", "Renoncement aux soins",
     "acces_droits_soins", "Accès aux droits et aux soins"},
    /* dependance */
    {"seniors", "Accompagnement des seniors", "dependance", "Dépendance"},
    {"aidants", "Aidants", "dependance", "Dépendance"},
    {"majeurs_proteges", "Majeurs protégés", "dependance", "Dépendance"},
    {"handicap", "Personnes vivant avec un handicap", "dependance", "Dépendance"},
    {"familles_monoparentales", "Familles monoparentales/séparation", "dependance", "Dépendance"},
    {"maternite", "Maternité", "dependance", "Dépendance"},
    {"perte_proche", "Perte d'un proche", "dependance", "Dépendance"},
    /* jeunesse */
    {"aide_sociale_enfance", "Aide sociale à l'enfance", "jeunesse", "Jeunesse"},
    {"enfants_pjj", "Enfants PJJ", "jeunesse", "Jeunesse"},
    {"etudiants", "Etudiants nationaux ou internationaux", "jeunesse", "Jeunesse"},
    {"jeunes", "Jeunes", "jeunesse", "Jeunesse"},
    {"personnes_ecrouees", "Personnes écrouées", "jeunesse", "Jeunesse"},
    {"demandeurs_emploi", "Demandeurs d'emploi", "jeunesse", "Jeunesse"},
    {"desinsertion_professionnelle", "Prévention de la désinsertion professionnelle",
     "jeunesse", "Jeunesse"},
    {"travailleurs_independants", "Travailleurs indépendants précaires", "jeunesse", "Jeunesse"},
    /* autres */
    {"partenaires_ess", "Partenaires ESS", "autres", "Autres"},
    {"victimes_attentats", "Victimes d'attentats", "autres", "Autres"},
    {"habitants_qpv", "Habitants QPV", "autres", "Autres"},
    {"personnes_hebergees", "Personnes hébergées", "autres", "Autres"},
    /* numerique */
    {"inclusion_numerique", "Inclusion numérique", "numerique", "Numérique"},
};

static const char *const reasons[] = {"demarches_inconnues", "sans_complementaire",
                                      "difficulte_rendez_vous", "avance_de_frais",
                                      "isolement_deplacement", "numerique", "autre", NULL};
static const char *const keys[] = {"person", "reasons", "parcours", "consent", "comment", NULL};

#define REASON_COUNT 7

bool parcours_valid(const char *s)
{
    for (size_t i = 0; s != NULL && i < PARCOURS_COUNT; i++)
        if (strcmp(parcours[i].code, s) == 0)
            return true;
    return false;
}

bool signalement_reason_valid(const char *s)
{
    return vf_in_set(s, reasons);
}

const char *parcours_code(size_t i)
{
    return i < PARCOURS_COUNT ? parcours[i].code : NULL;
}

const struct parcours *parcours_at(size_t i)
{
    return i < PARCOURS_COUNT ? &parcours[i] : NULL;
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
