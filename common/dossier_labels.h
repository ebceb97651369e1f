/*
 * dossier_labels.h — the French words people read for the codes of a dossier
 * (SPEC §4): prestations, statuses and kinds of pieces, for the documents the
 * API writes for people (the attestation de dépôt). Pure, thread-safe.
 */
#ifndef EPART_DOSSIER_LABELS_H
#define EPART_DOSSIER_LABELS_H

/* The label of a prestation ("ame" → "Aide médicale de l'État (AME)"), of a
 * status ("depose" → "Déposé"), of a kind of piece ("identite" → "Pièce
 * d'identité"); the code itself when unknown, "—" for NULL. */
const char *dossier_prestation_label(const char *code);
const char *dossier_status_label(const char *code);
const char *dossier_piece_label(const char *code);

#endif
