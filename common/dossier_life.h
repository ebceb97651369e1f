/*
 * dossier_life.h — a dossier's life as data (SPEC §4, §6): its statuses, the
 * actions that move it, who may take each, the clock changes each implies, the
 * transmission clock's rule at receipt, and which date is the deposit date.
 *
 *   depose → recu → en_instruction ⇄ pieces_demandees → accorde | refuse | sans_suite
 *
 *   action             by          from                         to
 *   transmit           partner     depose                       recu
 *   start_instruction  instructor  recu                         en_instruction
 *   request_pieces     instructor  en_instruction               pieces_demandees
 *   pieces             partner     pieces_demandees             en_instruction
 *   decide             instructor  en_instruction               accorde | refuse
 *   close              instructor  every status but the final   sans_suite
 *
 * A dossier is created depose, or recu when transmitted at once (the receipt
 * is then part of the creation). The instructor's actions are
 * POST /v1/dossiers/{id}/transitions, checked and applied by the API in one
 * transaction; the partner's go through the queue (entry types "dossier.*"):
 * the API checks them before queueing, the worker checks them again under the
 * row's lock when it applies them (the status may have moved meanwhile).
 *
 * Pure: no I/O, no clock; the clock arithmetic is common/deadline.h's. Like
 * common/request_kinds.h, a table read by the API and the worker alike.
 */
#ifndef EPART_DOSSIER_LIFE_H
#define EPART_DOSSIER_LIFE_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "calendar.h"

#define DOSSIER_STATUS_COUNT 7

/* Every status, in the order of the spec's line above; NULL-terminated. */
extern const char *const dossier_statuses[DOSSIER_STATUS_COUNT + 1];

/* True when s is a status of a dossier. */
bool dossier_status_known(const char *s);

/* The first status of a dossier: recu when transmitted at creation, else depose. */
const char *dossier_initial_status(bool transmit);

/* The clock changes an action implies (bits of dossier_action.clocks). */
enum dossier_clock_change {
    /* the caisse's receipt: received_on is set, the instruction clock starts
     * at received_on, the transmission clock stops (dossier_transmission_at_receipt) */
    DOSSIER_CLOCK_RECEIPT = 1 << 0,
    /* the instruction clock is suspended from the day of the request */
    DOSSIER_CLOCK_SUSPEND_INSTRUCTION = 1 << 1,
    /* the instruction clock resumes at the pieces' receipt: its due date moves
     * by the days suspended (policy suspend) or restarts (policy reset) */
    DOSSIER_CLOCK_RESUME_INSTRUCTION = 1 << 2,
    /* every running clock stops (a decision, sans suite) */
    DOSSIER_CLOCK_STOP_ALL = 1 << 3,
};

struct dossier_action {
    const char *name;       /* "transmit", "start_instruction", … */
    const char *role;       /* who may take it: "partner" or "instructor" */
    const char *from[5];    /* the statuses it applies to; NULL-terminated */
    const char *to[3];      /* the statuses it leads to (decide: two); NULL-terminated */
    unsigned clocks;        /* enum dossier_clock_change bits */
    const char *entry_type; /* a partner's action: its stream entry type */
};

#define DOSSIER_ACTION_COUNT 6

extern const struct dossier_action dossier_actions[DOSSIER_ACTION_COUNT];

/* The names of the instructor's actions (POST …/transitions), in the table's
 * order; NULL-terminated: what a transition body's "action" may be. */
extern const char *const dossier_transition_names[];

/* The action named name, or NULL. */
const struct dossier_action *dossier_action_named(const char *name);

/* The partner's action queued as entries of type entry_type, or NULL. */
const struct dossier_action *dossier_action_of_entry(const char *entry_type);

/* True when action a may be taken on a dossier in status status. */
bool dossier_action_allowed(const struct dossier_action *a, const char *status);

/* True when role may take action a. */
bool dossier_action_by(const struct dossier_action *a, const char *role);

/* The status a leads to: its only one, or for decide the one of accord
 * (accord true: accorde) or refus (refuse). */
const char *dossier_action_to(const struct dossier_action *a, bool accord);

/* ---- the transmission clock at receipt (SPEC §6) --------------------------------
 *
 * The transmission clock (an AME first request of a habilitated organisation,
 * deposited_on + 8 days) stops at the caisse's receipt, at creation when the
 * dossier is transmitted at once, else at /transmit. A receipt at or after its
 * due instant is late: the breach fires at receipt, once. */

/* True when a receipt at instant at of a transmission clock due at due, which
 * has fired up to rank fired_rank of breach_rank (its leads' n + 1), fires its
 * breach now. */
bool dossier_transmission_at_receipt(time_t due, time_t at, int fired_rank, int breach_rank);

/* The alert of that breach as epart_insert_alerts and epart_apply_dossier_create
 * take it: {"clock":"transmission","level":"breach","lead":null,"due_at","fired_at"}.
 * A new reference, NULL when out of memory. */
json_t *dossier_transmission_breach_alert(const char *due_at, const char *fired_at);

/* ---- the deposit date (SPEC §4) -------------------------------------------------
 *
 * The rights (§5) and the pre-instruction start from the deposit date. The
 * partner sends a deposited_on with every dossier, but it counts only for an
 * AME first request from a habilitated organisation (PASS, health
 * establishments, habilitated France Services): then it is kept as the
 * dossier's ame_deposit_on and starts the 8-day transmission clock. In every
 * other case the deposit date is received_on, the caisse's receipt (the value
 * sent is kept and shown, never used). The callers give the dates they hold
 * (the API at creation and at decide, the worker at creation and at pieces). */

/* True when the partner's deposited_on counts: an AME first request from an
 * organisation habilitated to send one. */
bool deposit_partner_date_counts(bool ame_first_request, bool habilitated);

/* The AME deposit date of a new dossier into *out, when the rule above counts
 * the partner's date: its deposited_on, or today when it sent none. False
 * (and *out untouched) when the partner's date does not count. */
bool deposit_ame_date(bool ame_first_request, bool habilitated, const cal_date *deposited_on,
                      cal_date today, cal_date *out);

/* The deposit date of a dossier into *out: its ame_deposit_on when it has one
 * (deposit_ame_date), else its received_on, else — deposited but not yet
 * received — provisional (the day the API accepted it) when given. Each NULL
 * when the dossier has no such date. False (and *out untouched) when none is
 * known. */
bool deposit_date(const cal_date *ame_deposit_on, const cal_date *received_on,
                  const cal_date *provisional, cal_date *out);

#endif
