/*
 * organisation.h — partner organisations: conventions, AME habilitation and the
 * admin bodies of POST/PATCH /v1/organisations (SPEC §3).
 *
 *   {"id","name","kind","siret","finess","caisse","ame_habilitation":false,
 *    "convention":{"signed_on","duration_months":12,"tacit_renewal":true,
 *                  "terminated_on":null},
 *    "referent":{"name","email","phone"}}
 *
 * Choices where the contract is silent:
 * - Required at creation: name (≤ 200), kind, caisse, siret, convention with
 *   signed_on. The SIRET is what identifies the partner to the caisse, so it is
 *   required and checked (siret.h, code "invalid_siret").
 * - caisse: the CPAM (or CGSS) code, exactly three digits ("171", "751", "974"),
 *   the form every caisse code has and instructor tokens carry.
 * - finess (optional, null allowed): nine characters, digits, or 2A/2B followed
 *   by seven digits; its key is not checked.
 * - referent (optional, null allowed): name (≤ 100, a person's name), email and
 *   phone, each optional.
 * - convention: duration_months an integer 1..120 (default 12), tacit_renewal
 *   (default true), terminated_on null or a date not before signed_on. signed_on
 *   may lie ahead: the convention is then simply not yet in force.
 * - ame_habilitation: boolean, default false.
 * - id, version, created_at and updated_at belong to the server: sending them is
 *   "read_only"; any other unknown key is "unknown_field".
 * - PATCH follows JSON merge patch (RFC 7396): only the members present are
 *   checked; null removes a member, which is allowed for the optional ones
 *   (finess, referent and its members, convention.terminated_on) and for the
 *   defaulted ones (duration_months, tacit_renewal, ame_habilitation: back to
 *   the default), and is "required" for the others.
 *
 * Pure logic, no I/O, thread-safe.
 */
#ifndef EPART_ORGANISATION_H
#define EPART_ORGANISATION_H

#include <stdbool.h>

#include <jansson.h>

#include "calendar.h"

#define ORG_DEFAULT_DURATION_MONTHS 12
#define ORG_MAX_DURATION_MONTHS 120

/* A convention read from its JSON form. */
typedef struct {
    cal_date signed_on;
    int duration_months;
    bool tacit_renewal;
    bool terminated;        /* terminated_on is set */
    cal_date terminated_on; /* meaningful when terminated */
} org_convention;

/* Read the convention object c, applying the defaults (12 months, tacit renewal,
 * not terminated) for absent or null members. Returns false for anything that is
 * not a well-formed convention (no valid signed_on, a duration that is not an
 * integer 1..120, a tacit_renewal that is not a boolean, a terminated_on that is
 * not a date). */
bool org_convention_parse(const json_t *c, org_convention *out);

/* SPEC §3: in force on day t when signed_on ≤ t, t ≤ terminated_on (if set), and
 * either tacit renewal or t < signed_on + duration_months. */
bool org_convention_in_force_at(const org_convention *c, cal_date t);

/* The state of the convention on day t, as the back office shows it (SPEC
 * §12): "a_venir" before signed_on, "resiliee" after terminated_on, "echue"
 * past its term without tacit renewal, else "en_vigueur". NULL for a missing or
 * malformed convention. */
const char *convention_state(const json_t *convention, cal_date t);

/* The same from the JSON convention; false (not in force) when the convention is
 * missing or malformed, so that a damaged record denies access rather than
 * grants it. */
bool convention_in_force(const json_t *convention, cal_date t);

/* True when an organisation of this kind may send AME first requests (decree
 * 2021-1152, art. D252-2 CASF): pass_ville, pass_hospitaliere and
 * etablissement_sante always, france_services when habilitated; no one else.
 * kind may be NULL (false). */
bool org_may_send_ame_first(const char *kind, bool ame_habilitation);

/* True when s is one of the ten kinds of SPEC §3. */
bool org_kind_valid(const char *s);

/* Validate the body of POST /v1/organisations; returns the number of problems
 * (0: valid), each appended to errors. */
int org_validate_create(const json_t *body, json_t *errors);

/* Validate a merge-patch body for PATCH /v1/organisations/{id}. current is the
 * stored organisation (may be NULL): when the patch changes only one of
 * convention.signed_on and convention.terminated_on, the other is read from it
 * to check their order. Returns the number of problems. */
int org_validate_patch(const json_t *patch, const json_t *current, json_t *errors);

/* Fill the defaults of a validated organisation in place: ame_habilitation
 * false, finess and referent null, convention.duration_months 12,
 * convention.tacit_renewal true, convention.terminated_on null — for each member
 * absent or null (null only where null is not a value of its own: finess,
 * referent and terminated_on stay null). Does nothing when org is not an object. */
void org_apply_defaults(json_t *org);

#endif
