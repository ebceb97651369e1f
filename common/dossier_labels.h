/*
 * dossier_labels.h — the codes of a dossier (SPEC §4) and the French words
 * people read for them: prestations, statuses and kinds of pieces. The lists
 * of prestations and of piece kinds are defined here once, for the validators
 * (dossier_valid.c), the pre-instruction table (preinstruction.c) and the
 * documents the API writes for people (the attestation de dépôt).
 * Pure, thread-safe.
 */
#ifndef EPART_DOSSIER_LABELS_H
#define EPART_DOSSIER_LABELS_H

#define DOSSIER_PRESTATION_COUNT 3
#define DOSSIER_PIECE_KIND_COUNT 7

/* The codes in SPEC §4's order, NULL-terminated: puma, css, ame; identite …
 * autre. */
extern const char *const dossier_prestations[DOSSIER_PRESTATION_COUNT + 1];
extern const char *const dossier_piece_kinds[DOSSIER_PIECE_KIND_COUNT + 1];

/* The label of a prestation ("ame" → "Aide médicale de l'État (AME)"), of a
 * status ("depose" → "Déposé"), of a kind of piece ("identite" → "Pièce
 * d'identité"); the code itself when unknown, "—" for NULL. */
const char *dossier_prestation_label(const char *code);
const char *dossier_status_label(const char *code);
const char *dossier_piece_label(const char *code);

#endif
