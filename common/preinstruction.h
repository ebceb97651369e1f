/*
 * preinstruction.h — the workers' pre-instruction of a dossier (SPEC §7).
 *
 * When a dossier is persisted the worker checks it before any instructor does
 * and stores the answer as the dossier's `pre_instruction`:
 *
 *   {"complete": bool,
 *    "missing_pieces": ["justificatif_ressources", …],
 *    "checks": [{"code","ok","detail"}, …],
 *    "proposal": {…the rights simulation of SPEC §5…} | null}
 *
 * Which pieces a dossier needs is not code but a table (the "pieces requises"
 * table, deploy/pieces-requises.json; the same default is built in so that a
 * worker runs without the file). A table is a JSON object:
 *
 *   {"description": "…",                        optional, free text
 *    "requirements": [                          required, 0 to 32 entries
 *      {"code": "identite",                     required, [a-z][a-z0-9_]{0,39}, unique
 *       "label": "Pièce d'identité",            optional, French, shown in the checks
 *       "any_of": ["identite", "titre_sejour"], required, 1 to 7 distinct piece kinds
 *       "prestations": ["puma", "css", "ame"],  optional (absent: every prestation)
 *       "when": "always" | "retroactive"},      optional (absent: "always")
 *      …]}
 *
 * A requirement applies to a dossier when its prestation is listed and, for
 * "when": "retroactive", the request is retroactive (below). It is met when at
 * least one piece of the dossier has one of the `any_of` kinds. The order of
 * `any_of` matters: its first kind is the one reported missing, so that
 * `missing_pieces` can be handed as is to the instructor's `request_pieces`.
 * docs/preinstruction.md explains the default table and every choice.
 *
 * Everything here is pure and thread-safe: no global state, no I/O except
 * preinstruction_table_load() reading its file.
 */
#ifndef EPART_PREINSTRUCTION_H
#define EPART_PREINSTRUCTION_H

#include <stddef.h>

#include <jansson.h>

#include "calendar.h"

#define PREINSTRUCTION_MAX_REQUIREMENTS 32
#define PREINSTRUCTION_CODE_MAX 40     /* characters of a requirement code */
#define PREINSTRUCTION_LABEL_MAX 200   /* bytes of a label */

/*
 * The built-in table, identical to the shipped deploy/pieces-requises.json:
 *   identite    identite or titre_sejour                         puma, css, ame
 *   residence   justificatif_domicile or attestation_domiciliation puma, css, ame
 *   ressources  justificatif_ressources                          css, ame
 *   soins       justificatif_soins                               retroactive requests
 * Returns a new reference (the caller owns it), or NULL when memory runs out.
 */
json_t *preinstruction_table_default(void);

/*
 * Check that table follows the format above, strictly: unknown members, an
 * unknown piece kind or prestation, a `when` other than "always" or
 * "retroactive", a duplicated code or kind, an empty `any_of` or `prestations`
 * are all errors, because a typo in a table silently drops a requirement.
 * Returns 0, or -1 with a message naming the offending member written into err
 * (err may be NULL; the message is for the operator's log).
 */
int preinstruction_table_check(const json_t *table, char *err, size_t errlen);

/*
 * Read the table at path (JSON, duplicate keys refused) and check it as
 * preinstruction_table_check() does. Returns 0 with *out a new reference, or -1
 * with *out NULL and a message (path, line, reason) in err.
 */
int preinstruction_table_load(const char *path, json_t **out, char *err, size_t errlen);

/*
 * Pre-instruct one dossier and return the object of SPEC §7 (a new reference),
 * or NULL only when memory runs out.
 *
 * table       a table that passed preinstruction_table_check(), or NULL for
 *             the built-in default (parsed on every call: a worker should load
 *             its table once). A table that was not checked never crashes this
 *             function: a requirement without a valid code or an any_of array
 *             is skipped, unknown kinds in any_of are ignored, an unreadable
 *             `prestations` or `when` reads as absent.
 * prestation  "puma", "css" or "ame". Anything else (NULL included) cannot
 *             happen after the API's validation; should it, every requirement
 *             applies whatever its `prestations` (asking for a piece too many
 *             beats calling a dossier complete unseen) and the simulation fails.
 * situation   the dossier's stored `situation` object (SPEC §4), any JSON value.
 * pieces      the dossier's `pieces` array (every piece received so far: the
 *             creation's and those answering `request_pieces`), any JSON value.
 *             NULL or null is no piece. Entries that are not objects with a
 *             known string `kind` count for nothing and are reported by a check
 *             "pieces"; a non-array counts as no piece, reported the same way.
 * received_on the caisse's receipt. A dossier not yet received (status depose)
 *             has none: pass its deposit date, so received_on may equal
 *             deposit_on.
 * deposit_on  the deposit date the rights use (SPEC §4: the partner's
 *             deposited_on for an AME first request from a habilitated
 *             organisation, received_on otherwise). DROITS_NO_DATE (all zero)
 *             means received_on.
 * decided_on  the date the proposal assumes for the decision: the product's
 *             today (clock of §6) when the worker pre-instructs.
 *
 * The result:
 * - checks: first a check "pieces" when some pieces could not be read; then
 *   one check per applicable requirement, code "piece_<requirement code>", ok
 *   when met, with a French detail naming what was found or what is missing;
 *   then the eligibility conditions of the rights engine as it wrote them (its
 *   start-date rules stay in proposal.checks, where ok=false only means that
 *   a rule does not apply). When the situation cannot be read into a
 *   simulation input, or a date is not a real date, proposal is null and a
 *   check "simulation" (ok false) says why.
 * - missing_pieces: for each unmet requirement, in table order, the first kind
 *   of its any_of, each kind listed once.
 * - complete: no applicable requirement is unmet. It is about the pieces only:
 *   an ineligible but complete dossier is complete (the proposal says so).
 * - proposal: exactly droits_result_to_json() of droits_simulate() for
 *   droits_input_from_situation(situation, prestation, received_on,
 *   deposit_on, decided_on), so it equals POST /v1/droits/simulation.
 *
 * A request is retroactive (for requirements with "when": "retroactive") when
 * the proposal's `retroactive` is true, or when the situation declares care
 * before the deposit date that the prestation's rules take into account: for
 * ame a hospitalisation admission or a care date, for css a hospitalisation
 * admission (css ignores care_dates, puma any care). The second case covers a
 * retroactivity the simulation ruled out (90 days passed, three months not
 * held), the soins urgents fallback and an unreadable situation: the
 * instructor, whose decision wins, needs the proof of that care all the same.
 */
json_t *preinstruction_run(const json_t *table, const char *prestation, const json_t *situation,
                           const json_t *pieces, cal_date received_on, cal_date deposit_on,
                           cal_date decided_on);

#endif
