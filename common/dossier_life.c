/*
 * dossier_life.c — the table of a dossier's life (dossier_life.h).
 *
 * Why one file: the status machine was spread over the API's transitions, its
 * partner actions and string comparisons in the worker; the transmission
 * clock's rule at receipt was written twice (JSON at creation, SQL at
 * /transmit) and the deposit date four times, each a slightly different
 * reading of the same sentence of the spec.
 */
#include "dossier_life.h"

#include <stddef.h>
#include <string.h>

const char *const dossier_statuses[DOSSIER_STATUS_COUNT + 1] = {
    "depose", "recu", "en_instruction", "pieces_demandees", "accorde", "refuse", "sans_suite",
    NULL,
};

/* The instructor's rows first, in dossier_transition_names' order. */
const struct dossier_action dossier_actions[DOSSIER_ACTION_COUNT] = {
    {"start_instruction", "instructor", {"recu", NULL}, {"en_instruction", NULL}, 0, NULL},
    {"request_pieces", "instructor", {"en_instruction", NULL}, {"pieces_demandees", NULL},
     DOSSIER_CLOCK_SUSPEND_INSTRUCTION, NULL},
    {"decide", "instructor", {"en_instruction", NULL}, {"accorde", "refuse", NULL},
     DOSSIER_CLOCK_STOP_ALL, NULL},
    {"close", "instructor", {"depose", "recu", "en_instruction", "pieces_demandees", NULL},
     {"sans_suite", NULL}, DOSSIER_CLOCK_STOP_ALL, NULL},
    {"transmit", "partner", {"depose", NULL}, {"recu", NULL}, DOSSIER_CLOCK_RECEIPT,
     "dossier.transmit"},
    {"pieces", "partner", {"pieces_demandees", NULL}, {"en_instruction", NULL},
     DOSSIER_CLOCK_RESUME_INSTRUCTION, "dossier.pieces"},
};

const char *const dossier_transition_names[] = {"start_instruction", "request_pieces", "decide",
                                                "close", NULL};

static bool in(const char *const *set, const char *s)
{
    for (; s != NULL && *set != NULL; set++)
        if (strcmp(*set, s) == 0)
            return true;
    return false;
}

bool dossier_status_known(const char *s)
{
    return in(dossier_statuses, s);
}

const char *dossier_initial_status(bool transmit)
{
    return transmit ? "recu" : "depose";
}

const struct dossier_action *dossier_action_named(const char *name)
{
    for (size_t i = 0; name != NULL && i < DOSSIER_ACTION_COUNT; i++)
        if (strcmp(dossier_actions[i].name, name) == 0)
            return &dossier_actions[i];
    return NULL;
}

const struct dossier_action *dossier_action_of_entry(const char *entry_type)
{
    for (size_t i = 0; entry_type != NULL && i < DOSSIER_ACTION_COUNT; i++)
        if (dossier_actions[i].entry_type != NULL &&
            strcmp(dossier_actions[i].entry_type, entry_type) == 0)
            return &dossier_actions[i];
    return NULL;
}

bool dossier_action_allowed(const struct dossier_action *a, const char *status)
{
    return a != NULL && in(a->from, status);
}

bool dossier_action_by(const struct dossier_action *a, const char *role)
{
    return a != NULL && role != NULL && strcmp(a->role, role) == 0;
}

const char *dossier_action_to(const struct dossier_action *a, bool accord)
{
    return !accord && a->to[1] != NULL ? a->to[1] : a->to[0];
}

bool dossier_transmission_at_receipt(time_t due, time_t at, int fired_rank, int breach_rank)
{
    return at >= due && fired_rank < breach_rank;
}

json_t *dossier_transmission_breach_alert(const char *due_at, const char *fired_at)
{
    return json_pack("{s:s, s:s, s:n, s:s, s:s}", "clock", "transmission", "level", "breach",
                     "lead", "due_at", due_at, "fired_at", fired_at);
}

bool deposit_partner_date_counts(bool ame_first_request, bool habilitated)
{
    return ame_first_request && habilitated;
}

bool deposit_ame_date(bool ame_first_request, bool habilitated, const cal_date *deposited_on,
                      cal_date today, cal_date *out)
{
    if (!deposit_partner_date_counts(ame_first_request, habilitated))
        return false;
    *out = deposited_on != NULL ? *deposited_on : today;
    return true;
}

bool deposit_date(const cal_date *ame_deposit_on, const cal_date *received_on,
                  const cal_date *provisional, cal_date *out)
{
    const cal_date *d = ame_deposit_on != NULL ? ame_deposit_on
                        : received_on != NULL  ? received_on
                                               : provisional;

    if (d == NULL)
        return false;
    *out = *d;
    return true;
}
