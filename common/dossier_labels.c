/*
 * dossier_labels.c — the codes of a dossier and their French labels.
 */
#include "dossier_labels.h"

#include <stddef.h>
#include <string.h>

struct label {
    const char *code;
    const char *label;
};

const char *const dossier_prestations[DOSSIER_PRESTATION_COUNT + 1] = {"puma", "css", "ame",
                                                                      NULL};
const char *const dossier_piece_kinds[DOSSIER_PIECE_KIND_COUNT + 1] = {
    "identite",           "justificatif_domicile", "attestation_domiciliation",
    "justificatif_ressources", "justificatif_soins", "titre_sejour",
    "autre",              NULL};

/* In the order of the codes above. */
static const char *const prestation_labels[DOSSIER_PRESTATION_COUNT] = {
    "Protection universelle maladie (PUMa)",
    "Complémentaire santé solidaire",
    "Aide médicale de l'État (AME)",
};

static const char *const piece_labels[DOSSIER_PIECE_KIND_COUNT] = {
    "Pièce d'identité",           "Justificatif de domicile", "Attestation de domiciliation",
    "Justificatif de ressources", "Justificatif de soins",    "Titre de séjour",
    "Autre pièce",
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


static const char *find(const struct label *t, const char *code)
{
    if (code == NULL)
        return "—";
    for (; t->code != NULL; t++)
        if (strcmp(t->code, code) == 0)
            return t->label;
    return code;
}

/* The label at the index of code in codes (NULL-terminated), as find(). */
static const char *find_parallel(const char *const *codes, const char *const *labels,
                                 const char *code)
{
    if (code == NULL)
        return "—";
    for (size_t i = 0; codes[i] != NULL; i++)
        if (strcmp(codes[i], code) == 0)
            return labels[i];
    return code;
}

const char *dossier_prestation_label(const char *code)
{
    return find_parallel(dossier_prestations, prestation_labels, code);
}

const char *dossier_status_label(const char *code)
{
    return find(statuses, code);
}

const char *dossier_piece_label(const char *code)
{
    return find_parallel(dossier_piece_kinds, piece_labels, code);
}
