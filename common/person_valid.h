/*
 * person_valid.h — the person and consent blocks shared by the request bodies.
 *
 * The applicant of a dossier (SPEC §4) and the person of a signalement (§8) are
 * the same object and are checked by the same code:
 *
 *   {"last_name","first_names":[…],"birth_date","sex","nir","phone","email",
 *    "language","interpreter_needed",
 *    "address":{"line","postal_code","city"},
 *    "domiciliation":{"organisme","since"}}
 *
 * - last_name: name, at most 100 characters; first_names: 1 to 10 names of at
 *   most 100 characters each ("required" when empty).
 * - birth_date: a real day, not in the future, not before 1900-01-01
 *   ("invalid_range": nobody in care was born earlier).
 * - sex ∈ F, M, X (X when the civil status records neither).
 * - nir (optional): checked by nir.h, code "invalid_nir" with the reason
 *   (format or key). It is not cross-checked against sex and birth date: the NIR
 *   is kept for life while civil status may change.
 * - phone, email, language: formats of vfield.h; phone ≤ 30, email ≤ 254.
 * - address (optional): line ≤ 200, postal_code and city (≤ 100) required when
 *   an address is given.
 * - domiciliation (optional, for people without a stable address): organisme
 *   (≤ 200) required, since a date not in the future and not before birth.
 * Every key not listed is an "unknown_field".
 *
 * Consent: {"obtained_on": date not in the future, "informed": true}, both
 * required; informed false is "must_be_true".
 *
 * Pure logic, no I/O, thread-safe.
 */
#ifndef EPART_PERSON_VALID_H
#define EPART_PERSON_VALID_H

#include "vfield.h"

typedef enum {
    PERSON_APPLICANT, /* dossier applicant: last_name, first_names, birth_date, sex required */
    PERSON_CONTACT    /* signalement, rendez-vous...: sex optional */
} person_kind;

#define PERSON_NAME_MAX 100

/* Check the person object val at path. *birth (may be NULL) is set to the birth
 * date when it is valid and left untouched otherwise, so later checks can refuse
 * dates before birth. */
vf_res person_validate(vctx *v, const char *path, const json_t *val, unsigned flags,
                       person_kind kind, cal_date today, cal_date *birth);

/* Check the consent object val at path (flags: VF_REQUIRED or 0). */
vf_res consent_validate(vctx *v, const char *path, const json_t *val, unsigned flags,
                        cal_date today);

#endif
