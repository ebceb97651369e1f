/*
 * dossier_labels.c — code → French label tables of a dossier.
 */
#include "dossier_labels.h"

#include <stddef.h>
#include <string.h>

struct label {
    const char *code;
    const char *label;
};

static const struct label prestations[] = {
    {"puma", "Protection universelle maladie (PUMa)"},
    {"css", "Complémentaire santé solidaire"},
    {"ame", "Aide médicale de l'État (AME)"},
    {NULL, NULL},
};

static const struct label statuses[] = {
    {"depose", "Déposé"},
    {"recu", "Reçu par la caisse"},
    {"en_instruction", "En instruction"},
    {"pieces_demandees", "Pièces demandées"},
    {"accorde", "Accordé"},
    {"refuse", "Refusé"},
    {"sans_suite", "Classé sans suite"},
    {NULL, NULL},
};

static const struct label pieces[] = {
    {"identite", "Pièce d'identité"},
    {"justificatif_domicile", "Justificatif de domicile"},
    {"attestation_domiciliation", "Attestation de domiciliation"},
    {"justificatif_ressources", "Justificatif de ressources"},
    {"justificatif_soins", "Justificatif de soins"},
    {"titre_sejour", "Titre de séjour"},
    {"autre", "Autre pièce"},
    {NULL, NULL},
};

static const char *find(const struct label *t, const char *code)
{
    if (code == NULL)
        return "—";
    for (; t->code != NULL; t++)
        if (strcmp(t->code, code) == 0)
            return t->label;
    return code;
}

const char *dossier_prestation_label(const char *code)
{
    return find(prestations, code);
}

const char *dossier_status_label(const char *code)
{
    return find(statuses, code);
}

const char *dossier_piece_label(const char *code)
{
    return find(pieces, code);
}
