/*
 * deposit.h — which date is a dossier's deposit date (SPEC §4).
 *
 * The rights (§5) and the pre-instruction start from the deposit date. The
 * partner sends a deposited_on with every dossier, but it counts only for an
 * AME first request from a habilitated organisation (PASS, health
 * establishments, habilitated France Services): then it is kept as the
 * dossier's ame_deposit_on and starts the 8-day transmission clock. In every
 * other case the deposit date is received_on, the caisse's receipt (the value
 * sent is kept and shown, never used).
 *
 * Pure: no I/O, no clock; the callers give the dates they hold (the API at
 * creation and at decide, the worker at creation and at pieces).
 */
#ifndef EPART_DEPOSIT_H
#define EPART_DEPOSIT_H

#include <stdbool.h>

#include "calendar.h"

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
