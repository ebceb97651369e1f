/*
 * deposit.c — the deposit date rule of SPEC §4 (deposit.h).
 *
 * Why a file of its own: the rule was written four times (the API's creation
 * and decide, the worker's creation, an SQL COALESCE at pieces), each a slightly
 * different reading of the same sentence of the spec.
 */
#include "deposit.h"

#include <stddef.h>

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
