/*
 * droits_json.h — the rights engine's JSON face (SPEC §5).
 *
 * POST /v1/droits/simulation reads its body with droits_input_from_json(); the
 * dossier lifecycle, which keeps the situation as JSON and knows its own dates,
 * uses droits_input_from_situation(). Both go through the same validation, so a
 * situation is judged the same way wherever it comes from, and both list every
 * invalid field in a SPEC §2 `errors` array (fielderr.h) rather than stopping
 * at the first. droits_result_to_json() writes the output object of SPEC §5.
 *
 * Validation is about shape, not eligibility: a well-formed situation that does
 * not meet a condition is a refusal (droits.h), not a 422. Absent and null are
 * the same ("not said"). The codes used are required, invalid_type,
 * invalid_date, invalid_enum and invalid_range; messages are French. Any JSON
 * value whatsoever is safe to pass in.
 */
#ifndef EPART_DROITS_JSON_H
#define EPART_DROITS_JSON_H

#include <jansson.h>

#include "calendar.h"
#include "droits.h"

/*
 * Read the body of POST /v1/droits/simulation:
 *   {"prestation", "received_on", "deposited_on"?, "decided_on"?, "situation":{…}}
 * deposited_on defaults to received_on, decided_on to today. Required:
 * prestation, received_on, situation; for puma, situation.puma_criterion, and
 * situation.activity_start with criterion "activite". Ranges: deposited_on not
 * after received_on, decided_on not before received_on, discharge not before
 * admission, at most DROITS_MAX_CARE_DATES care dates, years up to 9998.
 *
 * Returns 0 and fills *out when the input is valid. Otherwise returns -1, with
 * one entry per problem appended to errors (which may be NULL when only the
 * verdict matters) and *out in an unspecified but harmless state.
 */
int droits_input_from_json(const json_t *in, cal_date today, struct droits_input *out,
                           json_t *errors);

/*
 * Same for a dossier: its stored `situation` object, its prestation name and
 * the dates the dossier itself establishes (SPEC §4: which deposit date applies
 * is the caller's decision). deposited_on may be DROITS_NO_DATE, meaning
 * received_on. The dates are trusted: their order is not checked. Field names
 * in errors are "prestation" and "situation.…", as in the dossier's body.
 * Returns 0, or -1 with errors appended.
 */
int droits_input_from_situation(const json_t *situation, const char *prestation,
                                cal_date received_on, cal_date deposited_on,
                                cal_date decided_on, struct droits_input *out,
                                json_t *errors);

/*
 * The SPEC §5 output object, exactly these keys:
 *   {"eligible","start","end","retroactive","basis","refusal",
 *    "checks":[{"code","ok","detail"}],"fallback"}
 * start/end/basis are null when not eligible, end is null for PUMa, refusal is
 * null when eligible, fallback is null or {"coverage":"soins_urgents","start"}.
 * Returns a new reference, or NULL when memory runs out.
 */
json_t *droits_result_to_json(const struct droits_result *r);

/*
 * The whole simulation endpoint in one call: parse `in`, rule, and return the
 * output object (new reference). Returns NULL with errors appended when the
 * input is invalid (answer 422), or NULL with errors untouched when memory runs
 * out (answer 500).
 */
json_t *droits_simulate_json(const json_t *in, cal_date today, json_t *errors);

#endif
