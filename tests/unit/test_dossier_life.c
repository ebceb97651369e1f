/*
 * test_dossier_life.c — a dossier's life (SPEC §4, §6, common/dossier_life.h),
 * each rule as a table: which action moves which status to which, who takes
 * it and the clocks it changes; the transmission clock at receipt; which date
 * is the deposit date.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dossier_life.h"
#include "jsonutil.h"

#define D(y, m, d) ((cal_date){y, m, d})

/* ---- statuses and actions: the spec's table, written again independently ---- */

static const struct {
    const char *action, *role;
    const char *from; /* space-separated */
    const char *to, *to_refus;
    unsigned clocks;
    const char *entry_type;
} spec[] = {
    {"transmit", "partner", "depose", "recu", "recu", DOSSIER_CLOCK_RECEIPT, "dossier.transmit"},
    {"start_instruction", "instructor", "recu", "en_instruction", "en_instruction", 0, NULL},
    {"request_pieces", "instructor", "en_instruction", "pieces_demandees", "pieces_demandees",
     DOSSIER_CLOCK_SUSPEND_INSTRUCTION, NULL},
    {"pieces", "partner", "pieces_demandees", "en_instruction", "en_instruction",
     DOSSIER_CLOCK_RESUME_INSTRUCTION, "dossier.pieces"},
    {"decide", "instructor", "en_instruction", "accorde", "refuse", DOSSIER_CLOCK_STOP_ALL,
     NULL},
    {"close", "instructor", "depose recu en_instruction pieces_demandees", "sans_suite",
     "sans_suite", DOSSIER_CLOCK_STOP_ALL, NULL},
};

static bool word_in(const char *words, const char *w)
{
    size_t n = strlen(w);

    for (const char *p = words; (p = strstr(p, w)) != NULL; p += n)
        if ((p == words || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

static void test_every_action_from_every_status(void **state)
{
    (void)state;
    assert_int_equal(sizeof(spec) / sizeof(spec[0]), DOSSIER_ACTION_COUNT);
    for (size_t i = 0; i < sizeof(spec) / sizeof(spec[0]); i++) {
        const struct dossier_action *a = dossier_action_named(spec[i].action);

        assert_non_null(a);
        assert_string_equal(a->role, spec[i].role);
        assert_true(dossier_action_by(a, spec[i].role));
        assert_false(dossier_action_by(a, strcmp(spec[i].role, "partner") == 0 ? "instructor"
                                                                               : "partner"));
        assert_int_equal(a->clocks, spec[i].clocks);
        assert_string_equal(dossier_action_to(a, true), spec[i].to);
        assert_string_equal(dossier_action_to(a, false), spec[i].to_refus);
        if (spec[i].entry_type != NULL) {
            assert_string_equal(a->entry_type, spec[i].entry_type);
            assert_ptr_equal(dossier_action_of_entry(spec[i].entry_type), a);
        } else {
            assert_null(a->entry_type);
        }
        for (size_t s = 0; s < DOSSIER_STATUS_COUNT; s++)
            assert_int_equal(dossier_action_allowed(a, dossier_statuses[s]),
                             word_in(spec[i].from, dossier_statuses[s]));
        assert_false(dossier_action_allowed(a, "inconnu"));
        assert_false(dossier_action_allowed(a, NULL));
    }
    assert_null(dossier_action_named("transmettre"));
    assert_null(dossier_action_named(NULL));
    assert_null(dossier_action_of_entry("dossier.message")); /* no status change */
    assert_null(dossier_action_of_entry("dossier.create"));
    assert_false(dossier_action_allowed(NULL, "recu"));
}

static void test_statuses_and_final_ones(void **state)
{
    static const char *const spec_statuses[] = {"depose", "recu", "en_instruction",
                                                "pieces_demandees", "accorde", "refuse",
                                                "sans_suite"};

    (void)state;
    for (size_t i = 0; i < DOSSIER_STATUS_COUNT; i++) {
        assert_string_equal(dossier_statuses[i], spec_statuses[i]);
        assert_true(dossier_status_known(spec_statuses[i]));
    }
    assert_null(dossier_statuses[DOSSIER_STATUS_COUNT]);
    assert_false(dossier_status_known("inconnu"));
    assert_false(dossier_status_known(NULL));
    assert_string_equal(dossier_initial_status(true), "recu");
    assert_string_equal(dossier_initial_status(false), "depose");
    /* accorde, refuse and sans_suite are final: no action leaves them */
    for (size_t i = 0; i < DOSSIER_ACTION_COUNT; i++) {
        assert_false(dossier_action_allowed(&dossier_actions[i], "accorde"));
        assert_false(dossier_action_allowed(&dossier_actions[i], "refuse"));
        assert_false(dossier_action_allowed(&dossier_actions[i], "sans_suite"));
    }
}

/* What a transition body's "action" may be: the instructor's rows, in order. */
static void test_transition_names_are_the_instructors_actions(void **state)
{
    size_t n = 0;

    (void)state;
    for (size_t i = 0; i < DOSSIER_ACTION_COUNT; i++)
        if (dossier_action_by(&dossier_actions[i], "instructor")) {
            assert_non_null(dossier_transition_names[n]);
            assert_string_equal(dossier_transition_names[n], dossier_actions[i].name);
            n++;
        }
    assert_null(dossier_transition_names[n]);
    assert_int_equal(n, 4);
}

/* ---- the transmission clock at receipt ----------------------------------------- */

static const struct {
    const char *why;
    time_t due, at;
    int fired_rank, breach_rank;
    bool breach;
} receipt[] = {
    {"received before the due instant: stops, no breach", 1000, 999, 0, 2, false},
    {"received at the due instant: late (now >= due_at)", 1000, 1000, 0, 2, true},
    {"received after it: late", 1000, 5000, 0, 2, true},
    {"late, the warning fired already: the breach still fires", 1000, 5000, 1, 2, true},
    {"late, the breach fired already (scanner): not twice", 1000, 5000, 2, 2, false},
    {"late, no warning leads: breach is rank 1", 1000, 5000, 0, 1, true},
};

static void test_transmission_clock_at_receipt(void **state)
{
    json_t *alert;

    (void)state;
    for (size_t i = 0; i < sizeof(receipt) / sizeof(receipt[0]); i++)
        assert_int_equal(dossier_transmission_at_receipt(receipt[i].due, receipt[i].at,
                                                         receipt[i].fired_rank,
                                                         receipt[i].breach_rank),
                         receipt[i].breach);
    alert = dossier_transmission_breach_alert("2026-11-28T23:00:00Z", "2026-12-01T09:00:00Z");
    assert_non_null(alert);
    assert_int_equal(json_object_size(alert), 5);
    assert_string_equal(json_str(alert, "clock"), "transmission");
    assert_string_equal(json_str(alert, "level"), "breach");
    assert_true(json_is_null(json_object_get(alert, "lead")));
    assert_string_equal(json_str(alert, "due_at"), "2026-11-28T23:00:00Z");
    assert_string_equal(json_str(alert, "fired_at"), "2026-12-01T09:00:00Z");
    json_decref(alert);
}

/* ---- the deposit date ---------------------------------------------------------- */

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

/* ---- who may act: the route table's roles agree with the life's -------------
 *
 * The API lets a request through by its route's roles (R_*), then checks the
 * action against dossier_action_by (api/support/dossier_head.h): the two must
 * say the same, or a caller the rule admits would be refused at the door. */

/* the roles as the row writes them ("R_PARTNER | R_INSTRUCTOR"), as
 * tests/fuzz/fuzz_route.c takes the paths: no header of api/ needed */
struct route_roles {
    const char *method, *path, *roles;
};

#define ROUTE(method, path, roles, ...) {method, path, #roles},
static const struct route_roles routes[] = {
#include "../../api/core/routes.def"
};
#undef ROUTE

static const char *roles_of(const char *method, const char *path)
{
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
        if (strcmp(routes[i].method, method) == 0 && strcmp(routes[i].path, path) == 0)
            return routes[i].roles;
    return "";
}

static void test_route_roles_are_who_may_act(void **state)
{
    (void)state;
    for (size_t i = 0; i < DOSSIER_ACTION_COUNT; i++) {
        const struct dossier_action *a = &dossier_actions[i];
        char path[96];
        const char *who = strcmp(a->role, "partner") == 0 ? "R_PARTNER" : "R_INSTRUCTOR";

        /* a partner's action is its entry's route (dossier.transmit: /transmit),
         * an instructor's the transitions */
        snprintf(path, sizeof(path), "/v1/dossiers/{id}/%s",
                 a->entry_type != NULL ? strchr(a->entry_type, '.') + 1 : "transitions");
        assert_string_equal(roles_of("POST", path), who);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_action_from_every_status),
        cmocka_unit_test(test_statuses_and_final_ones),
        cmocka_unit_test(test_transition_names_are_the_instructors_actions),
        cmocka_unit_test(test_transmission_clock_at_receipt),
        cmocka_unit_test(test_partner_date_counts_only_for_ame_first_from_habilitated),
        cmocka_unit_test(test_deposit_date_of_a_dossier),
        cmocka_unit_test(test_route_roles_are_who_may_act),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
