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
 * compares codes and labels. Each theme's code and label is written once. */
#define ACCES_DROITS_SOINS "acces_droits_soins", "Accès aux droits et aux soins"
#define DEPENDANCE "dependance", "Dépendance"
#define JEUNESSE "jeunesse", "Jeunesse"
#define AUTRES "autres", "Autres"
#define NUMERIQUE "numerique", "Numérique"

static const struct parcours parcours[PARCOURS_COUNT] = {
    {"medecin_traitant", "Accès à un médecin traitant", ACCES_DROITS_SOINS},
    {"ald", "Affection de longue durée", ACCES_DROITS_SOINS},
    {"aller_vers", "Aller vers", ACCES_DROITS_SOINS},
    {"complementaire_sante_solidaire", "Complémentaire santé solidaire", ACCES_DROITS_SOINS},
    {"invalidite", "Invalidité", ACCES_DROITS_SOINS},
    {"renoncement_soins", "Renoncement aux soins", ACCES_DROITS_SOINS},
    {"seniors", "Accompagnement des seniors", DEPENDANCE},
    {"aidants", "Aidants", DEPENDANCE},
    {"majeurs_proteges", "Majeurs protégés", DEPENDANCE},
    {"handicap", "Personnes vivant avec un handicap", DEPENDANCE},
    {"familles_monoparentales", "Familles monoparentales/séparation", DEPENDANCE},
    {"maternite", "Maternité", DEPENDANCE},
    {"perte_proche", "Perte d'un proche", DEPENDANCE},
    {"aide_sociale_enfance", "Aide sociale à l'enfance", JEUNESSE},
    {"enfants_pjj", "Enfants PJJ", JEUNESSE},
    {"etudiants", "Etudiants nationaux ou internationaux", JEUNESSE},
    {"jeunes", "Jeunes", JEUNESSE},
    {"personnes_ecrouees", "Personnes écrouées", JEUNESSE},
    {"demandeurs_emploi", "Demandeurs d'emploi", JEUNESSE},
    {"desinsertion_professionnelle", "Prévention de la désinsertion professionnelle", JEUNESSE},
    {"travailleurs_independants", "Travailleurs indépendants précaires", JEUNESSE},
    {"partenaires_ess", "Partenaires ESS", AUTRES},
    {"victimes_attentats", "Victimes d'attentats", AUTRES},
    {"habitants_qpv", "Habitants QPV", AUTRES},
    {"personnes_hebergees", "Personnes hébergées", AUTRES},
    {"inclusion_numerique", "Inclusion numérique", NUMERIQUE},
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
    vf_enum_set(&v, "reasons", json_object_get(body, "reasons"), VF_REQUIRED | VF_NONEMPTY,
                REASON_COUNT, reasons, "motif déjà indiqué");
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
