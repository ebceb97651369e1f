/*
 * dossier_valid.h — validation of the partner and instructor bodies about
 * dossiers (SPEC §4): creation, added pieces, transitions, messages.
 *
 * Each function appends one entry per invalid field to errors (see vfield.h for
 * the codes and the general rules) and returns the number of problems found:
 * 0 means the body is valid. Nothing stops at the first error.
 *
 * Choices where the contract is silent:
 * - A body that is not a JSON object is one "invalid_type" error on field "".
 * - Unknown keys are refused ("unknown_field") at every level, so that a client
 *   cannot set what the server owns (id, reference, status, org, received_at,
 *   version...) by mass assignment.
 * - Optional members may be null, which means the same as leaving them out;
 *   first_request defaults to false and transmit to true (the caller applies
 *   the defaults when storing).
 * - Every date is a real day and not after today (the product's Europe/Paris
 *   today, read from the clock of §6), except the rights of a decision, which
 *   may start or end later. Dates of the situation and the domiciliation may not
 *   be before the birth date ("invalid_range").
 * - situation.hospitalization, when given, requires admitted_on; discharged_on
 *   (null while still in hospital) may not be before it. care_dates holds at
 *   most 366 dates.
 * - Pieces: at most 50; kind among the seven of §4; filename a base name of at
 *   most 255 characters (no '/', '\', nor "." or ".."); sha256 of 64 hexadecimal
 *   digits; size an integer from 1 byte to 50 MiB ("invalid_range").
 * - The prestation-specific required fields are reported even when the whole
 *   situation object is missing ("situation.puma_start": required), which tells
 *   the partner exactly what to send. The activity/residence requirement of puma
 *   follows puma_criterion only when that criterion is itself valid.
 * - Free text: close reason and decision motif ≤ 2000, messages and piece
 *   requests ≤ 5000 characters, line breaks allowed. The motif is optional
 *   here: SPEC §4 requires it only for an accord against the simulation, which
 *   the API's decide handler checks once it knows the simulation's answer.
 *
 * Pure logic, no I/O, thread-safe.
 */
#ifndef EPART_DOSSIER_VALID_H
#define EPART_DOSSIER_VALID_H

#include <stdbool.h>

#include <jansson.h>

#include "calendar.h"

#define DOSSIER_MAX_PIECES 50
#define DOSSIER_MAX_CARE_DATES 366
#define DOSSIER_PIECE_MAX_SIZE (50 * 1024 * 1024) /* bytes */
#define DOSSIER_TEXT_MAX 2000                     /* motif, close reason */
#define DOSSIER_MESSAGE_MAX 5000                  /* messages, piece requests */

/* The body of POST /v1/dossiers, today being the product's Europe/Paris date. */
int dossier_validate(const json_t *body, cal_date today, json_t *errors);

/* The array of pieces pieces (at path, e.g. "pieces"): each
 * {"kind","filename","sha256","size"}, all four required. NULL or null is
 * accepted (no pieces); use dossier_validate_pieces_body when they are required. */
int dossier_validate_pieces(const json_t *pieces, const char *path, json_t *errors);

/* The body of POST /v1/dossiers/{id}/pieces: {"pieces":[…]} with at least one
 * piece. */
int dossier_validate_pieces_body(const json_t *body, json_t *errors);

/* The body of POST /v1/dossiers/{id}/transitions:
 *   {"action":"start_instruction"}
 *   {"action":"request_pieces","pieces":[<piece kind>, …],"message":"…"}
 *       pieces required, 1 to 7 distinct kinds; message optional
 *   {"action":"decide","decision":"accord"|"refus","motif":"…","rights":{"start","end"}}
 *       motif optional (see above); rights optional, only with accord: start
 *       required, end null (no term) or not before start
 *   {"action":"close","reason":"…"}  reason required
 * action, when not NULL, is the action already read by the caller; body may
 * then be NULL (no body) and its "action" member, if any, must agree. When
 * action is NULL it is read from the body. Keys foreign to the action are
 * "unknown_field". */
int dossier_validate_transition(const char *action, const json_t *body, json_t *errors);

/* The body of POST /v1/dossiers/{id}/messages: {"body":"…"}, 1 to 5000
 * characters, line breaks allowed. */
int dossier_validate_message(const json_t *body, json_t *errors);

/* True when s is a prestation (puma, css, ame) / a piece kind of §4. */
bool dossier_prestation_valid(const char *s);
bool dossier_piece_kind_valid(const char *s);


#endif
