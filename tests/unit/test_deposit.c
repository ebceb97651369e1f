/*
 * test_deposit.c — which date is the deposit date (SPEC §4, common/deposit.h):
 * each case of the rule as a row of a table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "deposit.h"

#define D(y, m, d) ((cal_date){y, m, d})

static const cal_date SENT = D(2026, 11, 20);     /* the partner's deposited_on */
static const cal_date TODAY = D(2026, 11, 23);    /* the API accepts it */

/* At creation: does the partner's date count, and which AME deposit date. */
static const struct {
    const char *why;
    bool ame_first, habilitated, sent;
    bool counts;
    cal_date ame_deposit;
} creation[] = {
    {"AME first request, habilitated organisation: the partner's date", true, true, true, true,
     D(2026, 11, 20)},
    {"AME first request, habilitated, no date sent: today", true, true, false, true,
     D(2026, 11, 23)},
    {"AME first request, organisation not habilitated: never", true, false, true, false,
     D(0, 0, 0)},
    {"not an AME first request (PUMa, C2S, AME renewal), habilitated: never", false, true, true,
     false, D(0, 0, 0)},
    {"not an AME first request, not habilitated: never", false, false, true, false, D(0, 0, 0)},
    {"not an AME first request, no date: never", false, false, false, false, D(0, 0, 0)},
};

static void test_partner_date_counts_only_for_ame_first_from_habilitated(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(creation) / sizeof(creation[0]); i++) {
        cal_date out = D(1, 1, 1);
        bool got = deposit_ame_date(creation[i].ame_first, creation[i].habilitated,
                                    creation[i].sent ? &SENT : NULL, TODAY, &out);

        assert_int_equal(got, creation[i].counts);
        assert_int_equal(deposit_partner_date_counts(creation[i].ame_first,
                                                     creation[i].habilitated),
                         creation[i].counts);
        if (got)
            assert_int_equal(cal_cmp(out, creation[i].ame_deposit), 0);
        else
            assert_int_equal(cal_cmp(out, D(1, 1, 1)), 0); /* untouched */
    }
}

/* Later: which of the dossier's dates is its deposit date. */
static const cal_date AME = D(2026, 11, 20), RECEIVED = D(2026, 11, 25),
                      ACCEPTED = D(2026, 11, 23);
static const struct {
    const char *why;
    const cal_date *ame, *received, *provisional;
    bool known;
    cal_date deposit;
} later[] = {
    {"AME deposit date kept: it, even once received", &AME, &RECEIVED, &ACCEPTED, true,
     D(2026, 11, 20)},
    {"AME deposit date kept, not yet received: it", &AME, NULL, &ACCEPTED, true, D(2026, 11, 20)},
    {"no AME deposit date, received: the receipt", NULL, &RECEIVED, &ACCEPTED, true,
     D(2026, 11, 25)},
    {"no AME deposit date, received, no provisional: the receipt", NULL, &RECEIVED, NULL, true,
     D(2026, 11, 25)},
    {"deposited only (transmit false): the day it was accepted, for now", NULL, NULL, &ACCEPTED,
     true, D(2026, 11, 23)},
    {"nothing known: no deposit date", NULL, NULL, NULL, false, D(0, 0, 0)},
};

static void test_deposit_date_of_a_dossier(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(later) / sizeof(later[0]); i++) {
        cal_date out = D(1, 1, 1);
        bool got = deposit_date(later[i].ame, later[i].received, later[i].provisional, &out);

        assert_int_equal(got, later[i].known);
        assert_int_equal(cal_cmp(out, got ? later[i].deposit : D(1, 1, 1)), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partner_date_counts_only_for_ame_first_from_habilitated),
        cmocka_unit_test(test_deposit_date_of_a_dossier),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
