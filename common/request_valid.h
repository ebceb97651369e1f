/*
 * request_valid.h — validation of the bodies of the other Espace Partenaires
 * requests (SPEC §8): rendez-vous and document requests. (Signalements are in
 * signalement_valid.h.) Every invalid field is listed, as for dossiers.
 */
#ifndef EPART_REQUEST_VALID_H
#define EPART_REQUEST_VALID_H

#include <jansson.h>

#include "calendar.h"

#define RDV_SITE_MAX 200
#define RDV_REASON_MAX 2000
#define RDV_AVAILABILITY_MAX 20

/* POST /v1/rendez-vous {"person","site","reason","availability":[…]}:
 * availability items are free text ("mardi matin", ≤ 200 characters) or
 * {"from","to"} RFC 3339 instants with from < to. Returns the number of problems. */
int rendez_vous_validate(const json_t *body, cal_date today, json_t *errors);

/* POST /v1/demandes-document {"person","document","channel"}: document and
 * channel are lower-case identifiers (attestation_droits, attestation_css,
 * courrier, email…; see docs/services.md). Returns the number of problems. */
int demande_document_validate(const json_t *body, cal_date today, json_t *errors);

/* A request transition body: {"action": <target status>} (or "to"), with an
 * optional "comment" (≤ 2000 characters). Returns the number of problems; *to
 * gets the target status on success. */
int request_transition_validate(const json_t *body, const char **to, json_t *errors);

#endif
