/*
 * test_droits.c — the rights engine (SPEC §5, Annexe 2 of seed 004) and its
 * JSON face.
 *
 * Every rule is tested on both sides of each of its bounds, at month ends and
 * across February 29; the three worked examples of the seed are reproduced;
 * hostile JSON is thrown at the reader; and a deterministic pseudo-random
 * property test runs thousands of valid requests through the engine checking
 * the invariants that must hold for every answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "caltest.h"
#include "droits.h"
#include "droits_json.h"

/* ---- helpers --------------------------------------------------------------- */

static void assert_date(cal_date d, const char *want)
{
    assert_true(droits_date_set(d));
    assert_date_text(d, want);
}

static const struct droits_check *find_check(const struct droits_result *r, const char *code)
{
    for (size_t i = 0; i < r->n_checks; i++)
        if (strcmp(r->checks[i].code, code) == 0)
            return &r->checks[i];
    return NULL;
}

static void assert_check(const struct droits_result *r, const char *code, bool ok)
{
    const struct droits_check *c = find_check(r, code);

    if (c == NULL)
        fail_msg("check %s missing", code);
    assert_int_equal(c->ok, ok);
    assert_true(c->detail[0] != '\0');
}

static void assert_granted(const struct droits_result *r, const char *start, const char *end,
                           const char *basis, bool retroactive)
{
    assert_true(r->eligible);
    assert_int_equal(r->refusal, DROITS_REFUSAL_NONE);
    assert_date(r->start, start);
    if (end == NULL)
        assert_false(droits_date_set(r->end));
    else
        assert_date(r->end, end);
    assert_string_equal(droits_basis_name(r->basis), basis);
    assert_int_equal(r->retroactive, retroactive);
    assert_false(r->fallback);
}

static void assert_refused(const struct droits_result *r, const char *refusal)
{
    assert_false(r->eligible);
    assert_false(droits_date_set(r->start));
    assert_false(droits_date_set(r->end));
    assert_int_equal(r->basis, DROITS_BASIS_NONE);
    assert_false(r->retroactive);
    assert_string_equal(droits_refusal_name(r->refusal), refusal);
}

/* Inputs are large (366 care dates): tests build them in this static-free way,
 * each test owning one on its stack. */
static void puma_base(struct droits_input *in)
{
    memset(in, 0, sizeof(*in));
    in->prestation = DROITS_PUMA;
    in->received_on = D("2021-04-22");
    in->deposited_on = in->received_on;
    in->decided_on = D("2021-05-10");
    in->situation.puma_criterion = DROITS_CRITERE_RESIDENCE;
    in->situation.regular_stay = DROITS_FAIT_OUI;
    in->situation.residence_since = D("2020-06-01");
}

static void css_base(struct droits_input *in)
{
    memset(in, 0, sizeof(*in));
    in->prestation = DROITS_CSS;
    in->received_on = D("2022-04-30");
    in->deposited_on = in->received_on;
    in->decided_on = D("2022-05-16");
    in->situation.puma_start = D("2019-01-01");
    in->situation.resources_under_ceiling = DROITS_FAIT_OUI;
}

static void ame_base(struct droits_input *in)
{
    memset(in, 0, sizeof(*in));
    in->prestation = DROITS_AME;
    in->received_on = D("2021-04-22");
    in->deposited_on = in->received_on;
    in->decided_on = D("2021-05-10");
    in->situation.regular_stay = DROITS_FAIT_NON;
    in->situation.irregular_since = D("2021-01-05");
    in->situation.resources_under_ceiling = DROITS_FAIT_OUI;
}

static void add_care(struct droits_input *in, const char *date)
{
    in->situation.care_dates[in->situation.n_care_dates++] = D(date);
}

/* Set deposit and receipt to the same day, as at the caisse's counter. */
static void deposit(struct droits_input *in, const char *date)
{
    in->deposited_on = D(date);
    in->received_on = D(date);
}

/* ---- names ----------------------------------------------------------------- */

static void test_names(void **state)
{
    enum droits_prestation p = DROITS_PRESTATION_NONE;

    (void)state;
    assert_true(droits_prestation_parse("puma", &p));
    assert_int_equal(p, DROITS_PUMA);
    assert_true(droits_prestation_parse("css", &p));
    assert_int_equal(p, DROITS_CSS);
    assert_true(droits_prestation_parse("ame", &p));
    assert_int_equal(p, DROITS_AME);
    assert_false(droits_prestation_parse("AME", &p));
    assert_false(droits_prestation_parse("", &p));
    assert_false(droits_prestation_parse(NULL, &p));
    assert_int_equal(p, DROITS_AME);
    assert_null(droits_prestation_name(DROITS_PRESTATION_NONE));
    assert_null(droits_prestation_name((enum droits_prestation)42));
    assert_null(droits_basis_name(DROITS_BASIS_NONE));
    assert_null(droits_refusal_name(DROITS_REFUSAL_NONE));
    assert_string_equal(droits_basis_name(DROITS_BASIS_CSS_MOIS_SUIVANT_DECISION),
                        "css_mois_suivant_decision");
    assert_string_equal(droits_refusal_name(DROITS_REFUSAL_AME_RESIDENCE_INSUFFISANTE),
                        "ame_residence_insuffisante");
}

static void test_unknown_prestation(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    puma_base(&in);
    in.prestation = DROITS_PRESTATION_NONE;
    droits_simulate(&in, &r);
    assert_false(r.eligible);
    assert_int_equal(r.refusal, DROITS_REFUSAL_NONE);
    assert_int_equal(r.n_checks, 1);
    assert_check(&r, "prestation_inconnue", false);
    in.prestation = (enum droits_prestation)99;
    droits_simulate(&in, &r);
    assert_false(r.eligible);
}

/* ---- PUMa ------------------------------------------------------------------ */

static void test_puma_residence_exactly_three_months(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    puma_base(&in);
    in.situation.residence_since = D("2021-01-22");
    droits_simulate(&in, &r); /* received 2021-04-22 = since + 3 months */
    assert_granted(&r, "2021-04-22", NULL, "puma_reception", false);
    assert_check(&r, "puma_sejour_regulier", true);
    assert_check(&r, "puma_residence_3_mois", true);
    assert_string_equal(find_check(&r, "puma_residence_3_mois")->detail,
                        "Résidence stable depuis le 2021-01-22 : trois mois atteints le "
                        "2021-04-22, au plus tard à la réception du 2021-04-22");

    in.situation.residence_since = D("2021-01-23"); /* one day short */
    droits_simulate(&in, &r);
    assert_refused(&r, "puma_residence_insuffisante");
    assert_check(&r, "puma_residence_3_mois", false);
}

static void test_puma_regular_stay_first(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    puma_base(&in);
    in.situation.regular_stay = DROITS_FAIT_NON;
    in.situation.residence_since = D("2021-04-01"); /* fails too, but second */
    droits_simulate(&in, &r);
    assert_refused(&r, "puma_sejour_irregulier");
    assert_check(&r, "puma_sejour_regulier", false);
    assert_check(&r, "puma_residence_3_mois", false);
    assert_string_equal(r.checks[0].code, "puma_sejour_regulier");

    in.situation.regular_stay = DROITS_FAIT_INCONNU;
    in.situation.residence_since = D("2020-01-01");
    droits_simulate(&in, &r);
    assert_refused(&r, "puma_sejour_irregulier");
    assert_check(&r, "puma_residence_3_mois", true);
}

static void test_puma_residence_missing(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    puma_base(&in);
    in.situation.residence_since = DROITS_NO_DATE;
    droits_simulate(&in, &r);
    assert_refused(&r, "puma_residence_insuffisante");
    assert_check(&r, "puma_residence_3_mois", false);

    in.situation.puma_criterion = DROITS_CRITERE_NONE;
    droits_simulate(&in, &r);
    assert_refused(&r, "puma_residence_insuffisante");
    assert_check(&r, "puma_critere", false);

    in.situation.puma_criterion = DROITS_CRITERE_ACTIVITE; /* without its date */
    droits_simulate(&in, &r);
    assert_refused(&r, "puma_residence_insuffisante");
}

static void test_puma_activity(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    puma_base(&in);
    in.situation.puma_criterion = DROITS_CRITERE_ACTIVITE;
    in.situation.residence_since = D("2021-04-01"); /* irrelevant on activity */
    in.situation.activity_start = D("2021-03-01");
    droits_simulate(&in, &r);
    /* SPEC §5: PUMa is retroactive when start < received_on. */
    assert_granted(&r, "2021-03-01", NULL, "puma_activite", true);
    assert_check(&r, "puma_activite", true);
    assert_null(find_check(&r, "puma_residence_3_mois"));

    in.situation.activity_start = D("2021-04-22"); /* the day of receipt */
    droits_simulate(&in, &r);
    assert_granted(&r, "2021-04-22", NULL, "puma_activite", false);

    in.situation.activity_start = D("2021-06-01"); /* a job about to start */
    droits_simulate(&in, &r);
    assert_granted(&r, "2021-06-01", NULL, "puma_activite", false);

    in.situation.regular_stay = DROITS_FAIT_NON;
    droits_simulate(&in, &r);
    assert_refused(&r, "puma_sejour_irregulier");
}

/* ---- CSS ------------------------------------------------------------------- */

static void test_css_seed_example(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    css_base(&in);
    in.situation.admitted_on = D("2022-04-10");
    droits_simulate(&in, &r); /* deposited 2022-04-30, decided 2022-05-16 */
    assert_granted(&r, "2022-04-01", "2023-03-31", "css_hospitalisation", true);
    assert_check(&r, "css_puma", true);
    assert_check(&r, "css_ressources", true);
    assert_check(&r, "css_hospitalisation", true);
    assert_check(&r, "css_mois_suivant_decision", true);
    assert_check(&r, "css_debut_puma", true);
}

static void test_css_hospitalisation_two_months(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    css_base(&in);
    in.decided_on = D("2022-06-20");
    in.situation.admitted_on = D("2022-04-10");
    deposit(&in, "2022-06-10"); /* admitted + 2 months exactly */
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-04-01", "2023-03-31", "css_hospitalisation", true);

    deposit(&in, "2022-06-11"); /* one day late */
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-07-01", "2023-06-30", "css_mois_suivant_decision", false);
    assert_check(&r, "css_hospitalisation", false);
    assert_string_equal(find_check(&r, "css_hospitalisation")->detail,
                        "Dépôt du 2022-06-11 plus de deux mois après l'admission du 2022-04-10 "
                        "(limite 2022-06-10 dépassée)");
}

static void test_css_discharged_one_month(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    css_base(&in);
    in.decided_on = D("2022-06-20");
    in.situation.admitted_on = D("2022-04-10");
    in.situation.discharged_on = D("2022-04-20");
    deposit(&in, "2022-05-20"); /* discharged exactly one month before */
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-04-01", "2023-03-31", "css_hospitalisation", true);

    deposit(&in, "2022-05-21"); /* one day more */
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-07-01", "2023-06-30", "css_mois_suivant_decision", false);
    assert_check(&r, "css_hospitalisation", false);
    assert_string_equal(find_check(&r, "css_hospitalisation")->detail,
                        "Sortie de l'établissement le 2022-04-20, plus d'un mois avant le dépôt "
                        "du 2022-05-21 (limite 2022-05-20 dépassée)");

    /* Month end: 2022-01-31 + 1 month = 2022-02-28. */
    in.decided_on = D("2022-03-20");
    in.situation.admitted_on = D("2022-01-20");
    in.situation.discharged_on = D("2022-01-31");
    deposit(&in, "2022-02-28");
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-01-01", "2022-12-31", "css_hospitalisation", true);
    deposit(&in, "2022-03-01");
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-04-01", "2023-03-31", "css_mois_suivant_decision", false);

    /* Reckoned forward from the discharge: 2022-02-28 + 1 month = 2022-03-28, so
     * a deposit on 03-31 is late (backwards, 03-31 - 1 month = 02-28, would not be). */
    in.decided_on = D("2022-04-20");
    in.situation.admitted_on = D("2022-02-20");
    in.situation.discharged_on = D("2022-02-28");
    deposit(&in, "2022-03-28");
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-02-01", "2023-01-31", "css_hospitalisation", true);
    deposit(&in, "2022-03-31");
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-05-01", "2023-04-30", "css_mois_suivant_decision", false);
}

static void test_css_urgence(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    css_base(&in);
    in.situation.urgent_care_needed = true;
    droits_simulate(&in, &r); /* deposited 2022-04-30, decided 2022-05-16 */
    assert_granted(&r, "2022-04-01", "2023-03-31", "css_urgence", true);
    assert_check(&r, "css_urgence", true);
    assert_null(find_check(&r, "css_hospitalisation"));

    in.situation.urgent_care_needed = false;
    in.situation.precarious = true;
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-04-01", "2023-03-31", "css_urgence", true);

    /* Decided the month of the deposit: still one month earlier than normal. */
    in.decided_on = D("2022-04-30");
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-04-01", "2023-03-31", "css_urgence", true);

    /* Neither: the first day of the month after the decision. */
    in.situation.precarious = false;
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-05-01", "2023-04-30", "css_mois_suivant_decision", false);
    assert_null(find_check(&r, "css_urgence"));
}

static void test_css_earliest_rule_wins(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    css_base(&in);
    in.situation.urgent_care_needed = true;
    /* Admission in March, deposit in April: hospitalisation is earlier. */
    in.situation.admitted_on = D("2022-03-15");
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-03-01", "2023-02-28", "css_hospitalisation", true);
    assert_check(&r, "css_urgence", true);
    /* Same month: a tie, kept by the first rule (hospitalisation). */
    in.situation.admitted_on = D("2022-04-10");
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-04-01", "2023-03-31", "css_hospitalisation", true);
    /* Hospitalisation too old: urgence applies. */
    in.situation.admitted_on = D("2022-02-10");
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-04-01", "2023-03-31", "css_urgence", true);
    assert_check(&r, "css_hospitalisation", false);
}

static void test_css_never_before_puma(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    css_base(&in);
    in.situation.admitted_on = D("2022-04-10");
    in.situation.puma_start = D("2022-04-15");
    droits_simulate(&in, &r);
    /* Still earlier than the normal 2022-06-01: retroactive. */
    assert_granted(&r, "2022-04-15", "2023-04-14", "css_debut_puma", true);
    assert_check(&r, "css_debut_puma", true);
    assert_string_equal(find_check(&r, "css_debut_puma")->detail,
                        "Début reporté au début des droits PUMa le 2022-04-15 (la règle donnait "
                        "le 2022-04-01) : la complémentaire santé solidaire ne peut être "
                        "antérieure à la PUMa");

    /* Equal to the rule's start: not "before", the rule's basis stays. */
    in.situation.puma_start = D("2022-04-01");
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-04-01", "2023-03-31", "css_hospitalisation", true);
    in.situation.puma_start = D("2022-04-02");
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-04-02", "2023-04-01", "css_debut_puma", true);

    /* PUMa starting after the normal start: not retroactive. */
    in.situation.puma_start = D("2022-08-10");
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-08-10", "2023-08-09", "css_debut_puma", false);

    /* PUMa from the first of the normal month: equal, rule kept. */
    in.situation.admitted_on = DROITS_NO_DATE;
    in.situation.puma_start = D("2022-06-01");
    droits_simulate(&in, &r);
    assert_granted(&r, "2022-06-01", "2023-05-31", "css_mois_suivant_decision", false);
}

static void test_css_refusals(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    css_base(&in);
    in.situation.puma_start = DROITS_NO_DATE;
    in.situation.resources_under_ceiling = DROITS_FAIT_NON;
    in.situation.admitted_on = D("2022-04-10");
    droits_simulate(&in, &r);
    assert_refused(&r, "css_sans_puma");
    assert_check(&r, "css_puma", false);
    assert_check(&r, "css_ressources", false);
    /* Refused: no start-date rule is weighed. */
    assert_null(find_check(&r, "css_hospitalisation"));
    assert_false(r.fallback);

    in.situation.puma_start = D("2020-01-01");
    droits_simulate(&in, &r);
    assert_refused(&r, "css_ressources");
    in.situation.resources_under_ceiling = DROITS_FAIT_INCONNU;
    droits_simulate(&in, &r);
    assert_refused(&r, "css_ressources");
    assert_check(&r, "css_puma", true);
}

/* ---- AME ------------------------------------------------------------------- */

static void test_ame_seed_example_1(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    ame_base(&in);
    in.situation.admitted_on = D("2021-04-10");
    droits_simulate(&in, &r);
    assert_granted(&r, "2021-04-10", "2022-04-09", "ame_retroactivite_soins", true);
    assert_check(&r, "ame_sejour_irregulier", true);
    assert_check(&r, "ame_ressources", true);
    assert_check(&r, "ame_residence_plus_3_mois", true);
    assert_check(&r, "ame_retroactivite_soins", true);
    assert_string_equal(find_check(&r, "ame_residence_plus_3_mois")->detail,
                        "Séjour irrégulier depuis le 2021-01-05 : plus de trois mois au dépôt "
                        "du 2021-04-22 (seuil 2021-04-05 dépassé)");

    /* "ou délivrance de soins de ville le 10 avril 2021": same answer. */
    in.situation.admitted_on = DROITS_NO_DATE;
    add_care(&in, "2021-04-10");
    droits_simulate(&in, &r);
    assert_granted(&r, "2021-04-10", "2022-04-09", "ame_retroactivite_soins", true);
}

static void test_ame_seed_example_2(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    ame_base(&in);
    deposit(&in, "2021-01-13");
    in.decided_on = D("2021-02-01");
    in.situation.irregular_since = D("2020-11-21");
    in.situation.admitted_on = D("2020-11-25");
    droits_simulate(&in, &r);
    assert_refused(&r, "ame_residence_insuffisante");
    assert_true(r.fallback);
    assert_date(r.fallback_start, "2020-11-25");
    assert_check(&r, "ame_residence_plus_3_mois", false);
    assert_check(&r, "ame_soins_urgents", true);
    assert_string_equal(find_check(&r, "ame_residence_plus_3_mois")->detail,
                        "Séjour irrégulier depuis le 2020-11-21 : pas plus de trois mois au "
                        "dépôt du 2021-01-13 (seuil 2021-02-21 non dépassé)");
}

static void test_ame_more_than_three_months(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    ame_base(&in);
    in.situation.irregular_since = D("2021-01-22");
    deposit(&in, "2021-04-22"); /* exactly three months: not "more than" */
    droits_simulate(&in, &r);
    assert_refused(&r, "ame_residence_insuffisante");
    assert_false(r.fallback); /* no care */
    deposit(&in, "2021-04-23");
    droits_simulate(&in, &r);
    assert_granted(&r, "2021-04-23", "2022-04-22", "ame_depot", false);
    assert_null(find_check(&r, "ame_retroactivite_soins"));
}

static void test_ame_retroactivity_90_days(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    ame_base(&in);
    in.situation.irregular_since = D("2020-06-01");
    add_care(&in, "2021-01-22");
    deposit(&in, "2021-04-22"); /* care + 90 days */
    droits_simulate(&in, &r);
    assert_granted(&r, "2021-01-22", "2022-01-21", "ame_retroactivite_soins", true);
    deposit(&in, "2021-04-23"); /* care + 91 days */
    droits_simulate(&in, &r);
    assert_granted(&r, "2021-04-23", "2022-04-22", "ame_depot", false);
    assert_check(&r, "ame_retroactivite_soins", false);
    assert_string_equal(find_check(&r, "ame_retroactivite_soins")->detail,
                        "Pas de rétroactivité : dépôt du 2021-04-23 plus de 90 jours après la "
                        "fin des soins (soins du 2021-01-22 ; limite 2021-04-22 dépassée)");
}

static void test_ame_three_months_on_care_date(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    ame_base(&in); /* irregular since 2021-01-05: three months reached 2021-04-05 */
    add_care(&in, "2021-04-05");
    droits_simulate(&in, &r);
    assert_granted(&r, "2021-04-22", "2022-04-21", "ame_depot", false);
    assert_check(&r, "ame_retroactivite_soins", false);
    assert_string_equal(find_check(&r, "ame_retroactivite_soins")->detail,
                        "Pas de rétroactivité : trois mois de séjour irrégulier non dépassés à "
                        "la date des soins (soins du 2021-04-05 ; seuil 2021-04-05)");
    in.situation.care_dates[0] = D("2021-04-06");
    droits_simulate(&in, &r);
    assert_granted(&r, "2021-04-06", "2022-04-05", "ame_retroactivite_soins", true);

    /* A hospitalisation is judged on its admission day, not later in the stay. */
    in.situation.n_care_dates = 0;
    in.situation.admitted_on = D("2021-04-01");
    droits_simulate(&in, &r);
    assert_granted(&r, "2021-04-22", "2022-04-21", "ame_depot", false);
    assert_check(&r, "ame_retroactivite_soins", false);
}

static void test_ame_earliest_qualifying_care(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    ame_base(&in);
    add_care(&in, "2021-04-20");
    add_care(&in, "2021-04-08");
    add_care(&in, "2021-03-01"); /* before the three months: does not count */
    add_care(&in, "2021-04-30"); /* after the deposit: does not count */
    droits_simulate(&in, &r);
    assert_granted(&r, "2021-04-08", "2022-04-07", "ame_retroactivite_soins", true);
    /* An admission earlier still, within the delay and the three months. */
    in.situation.admitted_on = D("2021-04-07");
    in.situation.discharged_on = D("2021-04-07");
    droits_simulate(&in, &r);
    assert_granted(&r, "2021-04-07", "2022-04-06", "ame_retroactivite_soins", true);
}

static void test_ame_care_on_or_after_deposit(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    ame_base(&in);
    add_care(&in, "2021-04-22"); /* the deposit day itself */
    droits_simulate(&in, &r);
    assert_granted(&r, "2021-04-22", "2022-04-21", "ame_depot", false);
    assert_null(find_check(&r, "ame_retroactivite_soins"));
    in.situation.care_dates[0] = D("2021-05-03");
    in.situation.admitted_on = D("2021-05-01");
    droits_simulate(&in, &r);
    assert_granted(&r, "2021-04-22", "2022-04-21", "ame_depot", false);
    assert_null(find_check(&r, "ame_retroactivite_soins"));
}

static void test_ame_refusals(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    ame_base(&in);
    in.situation.regular_stay = DROITS_FAIT_OUI;
    in.situation.resources_under_ceiling = DROITS_FAIT_NON;
    droits_simulate(&in, &r);
    assert_refused(&r, "ame_sejour_regulier");
    assert_check(&r, "ame_sejour_irregulier", false);
    assert_check(&r, "ame_ressources", false);
    assert_check(&r, "ame_residence_plus_3_mois", true);

    in.situation.regular_stay = DROITS_FAIT_INCONNU; /* presumed irregular */
    droits_simulate(&in, &r);
    assert_refused(&r, "ame_ressources");
    assert_check(&r, "ame_sejour_irregulier", true);
    in.situation.resources_under_ceiling = DROITS_FAIT_INCONNU;
    droits_simulate(&in, &r);
    assert_refused(&r, "ame_ressources");

    in.situation.resources_under_ceiling = DROITS_FAIT_OUI;
    in.situation.irregular_since = DROITS_NO_DATE;
    droits_simulate(&in, &r);
    assert_refused(&r, "ame_residence_insuffisante");
    assert_check(&r, "ame_residence_plus_3_mois", false);
    assert_false(r.fallback);
    /* Unsaid three months is still "refused for the three months only". */
    add_care(&in, "2021-04-01");
    droits_simulate(&in, &r);
    assert_refused(&r, "ame_residence_insuffisante");
    assert_true(r.fallback);
    assert_date(r.fallback_start, "2021-04-01");
}

static void test_ame_fallback_only_three_months(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    ame_base(&in);
    in.situation.irregular_since = D("2021-02-01"); /* three months fail on 2021-04-22 */
    add_care(&in, "2021-04-15");
    droits_simulate(&in, &r);
    assert_refused(&r, "ame_residence_insuffisante");
    assert_true(r.fallback);
    assert_date(r.fallback_start, "2021-04-15");

    /* Also refused for the stay or the resources: no soins urgents. */
    in.situation.regular_stay = DROITS_FAIT_OUI;
    droits_simulate(&in, &r);
    assert_refused(&r, "ame_sejour_regulier");
    assert_false(r.fallback);
    assert_false(droits_date_set(r.fallback_start));
    in.situation.regular_stay = DROITS_FAIT_NON;
    in.situation.resources_under_ceiling = DROITS_FAIT_NON;
    droits_simulate(&in, &r);
    assert_refused(&r, "ame_ressources");
    assert_false(r.fallback);
    in.situation.resources_under_ceiling = DROITS_FAIT_OUI;

    /* Care on the deposit day counts ("on or before"); after it does not. */
    in.situation.care_dates[0] = D("2021-04-22");
    droits_simulate(&in, &r);
    assert_true(r.fallback);
    assert_date(r.fallback_start, "2021-04-22");
    in.situation.care_dates[0] = D("2021-04-23");
    droits_simulate(&in, &r);
    assert_refused(&r, "ame_residence_insuffisante");
    assert_false(r.fallback);
    assert_null(find_check(&r, "ame_soins_urgents"));

    /* The earliest care on or before the deposit, hospital or not. */
    add_care(&in, "2021-03-10");
    in.situation.admitted_on = D("2021-03-02");
    in.situation.discharged_on = D("2021-03-05");
    droits_simulate(&in, &r);
    assert_true(r.fallback);
    assert_date(r.fallback_start, "2021-03-02");

    /* No care at all: refused, no fallback. */
    in.situation.admitted_on = DROITS_NO_DATE;
    in.situation.discharged_on = DROITS_NO_DATE;
    in.situation.n_care_dates = 0;
    droits_simulate(&in, &r);
    assert_false(r.fallback);
}

/* ---- bounds, one row a case ------------------------------------------------- */

/* A dated case: the base request of its prestation (puma_base, css_base,
 * ame_base) with some dates changed (NULL keeps the base's), and the answer
 * expected. deposit sets deposited_on and received_on to the same day, as at
 * the caisse's counter. refusal NULL: granted from start to end (NULL: no
 * term) by basis; failed names a check that must be present and not ok. */
struct bound_case {
    const char *name;
    enum droits_prestation prestation;
    const char *deposit, *deposited_on, *received_on, *decided_on;
    const char *residence_since, *irregular_since, *puma_start;
    const char *admitted_on, *discharged_on, *care;
    const char *start, *end, *basis;
    bool retroactive;
    const char *refusal;
    const char *failed;
};

#define PUMA DROITS_PUMA
#define CSS DROITS_CSS
#define AME DROITS_AME
#define MOIS_SUIVANT "css_mois_suivant_decision"
#define RETRO_SOINS "ame_retroactivite_soins"
#define AME_TROIS_MOIS "ame_residence_insuffisante"

static const struct bound_case bound_cases[] = {
    /* PUMa: three months of residence at receipt, + 3 months clamped to the month end */
    {.name = "puma 11-30 + 3 months = 02-28, received that day", .prestation = PUMA,
     .residence_since = "2020-11-30", .received_on = "2021-02-28",
     .start = "2021-02-28", .basis = "puma_reception"},
    {.name = "puma 11-30 + 3 months, received the day before", .prestation = PUMA,
     .residence_since = "2020-11-30", .received_on = "2021-02-27",
     .refusal = "puma_residence_insuffisante"},
    {.name = "puma 11-30 + 3 months = 02-29 of a leap year", .prestation = PUMA,
     .residence_since = "2023-11-30", .received_on = "2024-02-29",
     .start = "2024-02-29", .basis = "puma_reception"},
    {.name = "puma leap year, received 02-28", .prestation = PUMA,
     .residence_since = "2023-11-30", .received_on = "2024-02-28",
     .refusal = "puma_residence_insuffisante"},
    {.name = "puma since 02-29 + 3 months = 05-29", .prestation = PUMA,
     .residence_since = "2024-02-29", .received_on = "2024-05-29",
     .start = "2024-05-29", .basis = "puma_reception"},
    {.name = "puma since 02-29, received 05-28", .prestation = PUMA,
     .residence_since = "2024-02-29", .received_on = "2024-05-28",
     .refusal = "puma_residence_insuffisante"},
    {.name = "puma reckons from receipt, not deposit", .prestation = PUMA,
     .deposited_on = "2021-04-01", .residence_since = "2021-01-10",
     .start = "2021-04-22", .basis = "puma_reception"},

    /* CSS: hospitalisation within two months of the deposit, at month ends */
    {.name = "css admitted 12-31, deposit 02-28 (+2 months clamped)", .prestation = CSS,
     .decided_on = "2022-03-15", .admitted_on = "2021-12-31", .deposit = "2022-02-28",
     .start = "2021-12-01", .end = "2022-11-30", .basis = "css_hospitalisation",
     .retroactive = true},
    {.name = "css admitted 12-31, deposit 03-01", .prestation = CSS, .decided_on = "2022-03-15",
     .admitted_on = "2021-12-31", .deposit = "2022-03-01",
     .start = "2022-04-01", .end = "2023-03-31", .basis = MOIS_SUIVANT},
    {.name = "css admitted 12-31, deposit 02-29 of a leap year", .prestation = CSS,
     .decided_on = "2024-03-15", .admitted_on = "2023-12-31", .deposit = "2024-02-29",
     .start = "2023-12-01", .end = "2024-11-30", .basis = "css_hospitalisation",
     .retroactive = true},
    {.name = "css admitted 12-31, deposit 03-01 of a leap year", .prestation = CSS,
     .decided_on = "2024-03-15", .admitted_on = "2023-12-31", .deposit = "2024-03-01",
     .start = "2024-04-01", .end = "2025-03-31", .basis = MOIS_SUIVANT},
    /* hospitalised on the deposit day */
    {.name = "css discharged on the deposit day", .prestation = CSS,
     .admitted_on = "2022-04-10", .discharged_on = "2022-04-30",
     .start = "2022-04-01", .end = "2023-03-31", .basis = "css_hospitalisation",
     .retroactive = true},
    {.name = "css discharged after the deposit", .prestation = CSS,
     .admitted_on = "2022-04-10", .discharged_on = "2022-05-30",
     .start = "2022-04-01", .end = "2023-03-31", .basis = "css_hospitalisation",
     .retroactive = true},
    {.name = "css admitted on the deposit day", .prestation = CSS, .admitted_on = "2022-04-30",
     .start = "2022-04-01", .end = "2023-03-31", .basis = "css_hospitalisation",
     .retroactive = true},
    {.name = "css stay booked after the deposit", .prestation = CSS, .admitted_on = "2022-05-02",
     .start = "2022-06-01", .end = "2023-05-31", .basis = MOIS_SUIVANT,
     .failed = "css_hospitalisation"},
    /* one year of rights, ending the day before */
    {.name = "css decided in December", .prestation = CSS, .decided_on = "2023-12-05",
     .start = "2024-01-01", .end = "2024-12-31", .basis = MOIS_SUIVANT},
    {.name = "css from a leap day ends 02-27", .prestation = CSS, .decided_on = "2023-12-05",
     .puma_start = "2024-02-29",
     .start = "2024-02-29", .end = "2025-02-27", .basis = "css_debut_puma"},
    {.name = "css from 01-31 of a leap year", .prestation = CSS, .decided_on = "2023-12-05",
     .puma_start = "2024-01-31",
     .start = "2024-01-31", .end = "2025-01-30", .basis = "css_debut_puma"},
    {.name = "css from 03-01 ends at February's end (not leap)", .prestation = CSS,
     .decided_on = "2024-02-10",
     .start = "2024-03-01", .end = "2025-02-28", .basis = MOIS_SUIVANT},
    {.name = "css from 03-01 ends at February's end (leap)", .prestation = CSS,
     .decided_on = "2023-02-10",
     .start = "2023-03-01", .end = "2024-02-29", .basis = MOIS_SUIVANT},
    {.name = "css ignores care dates", .prestation = CSS, .care = "2022-03-01",
     .start = "2022-06-01", .end = "2023-05-31", .basis = MOIS_SUIVANT},

    /* AME: more than three months of irregular stay at the deposit */
    {.name = "ame 11-30 + 3 months = 02-28: not more on that day", .prestation = AME,
     .irregular_since = "2020-11-30", .deposit = "2021-02-28", .refusal = AME_TROIS_MOIS},
    {.name = "ame 11-30 + 3 months: more on 03-01", .prestation = AME,
     .irregular_since = "2020-11-30", .deposit = "2021-03-01",
     .start = "2021-03-01", .end = "2022-02-28", .basis = "ame_depot"},
    {.name = "ame 11-29 + 3 months = 02-29: not more that day", .prestation = AME,
     .irregular_since = "2023-11-29", .deposit = "2024-02-29", .refusal = AME_TROIS_MOIS},
    {.name = "ame 11-29 + 3 months: more on 03-01", .prestation = AME,
     .irregular_since = "2023-11-29", .deposit = "2024-03-01",
     .start = "2024-03-01", .end = "2025-02-28", .basis = "ame_depot"},
    {.name = "ame 11-28 + 3 months = 02-28: more on 02-29", .prestation = AME,
     .irregular_since = "2023-11-28", .deposit = "2024-02-29",
     .start = "2024-02-29", .end = "2025-02-27", .basis = "ame_depot"},
    {.name = "ame deposit before receipt: three months at the deposit", .prestation = AME,
     .deposited_on = "2021-04-22", .received_on = "2021-04-29",
     .irregular_since = "2021-01-21",
     .start = "2021-04-22", .end = "2022-04-21", .basis = "ame_depot"},
    {.name = "ame deposit before receipt: one day short at the deposit", .prestation = AME,
     .deposited_on = "2021-04-22", .received_on = "2021-04-29",
     .irregular_since = "2021-01-22", .refusal = AME_TROIS_MOIS},
    /* retroactivity: 90 days from the end of the care */
    {.name = "ame care on a leap day", .prestation = AME, .irregular_since = "2023-06-01",
     .care = "2024-02-29", .deposit = "2024-03-10",
     .start = "2024-02-29", .end = "2025-02-27", .basis = RETRO_SOINS, .retroactive = true},
    {.name = "ame discharge + 90 days: from the admission", .prestation = AME,
     .irregular_since = "2020-06-01", .admitted_on = "2021-01-02",
     .discharged_on = "2021-01-22", .deposit = "2021-04-22",
     .start = "2021-01-02", .end = "2022-01-01", .basis = RETRO_SOINS, .retroactive = true},
    {.name = "ame discharge + 91 days", .prestation = AME, .irregular_since = "2020-06-01",
     .admitted_on = "2021-01-02", .discharged_on = "2021-01-22", .deposit = "2021-04-23",
     .start = "2021-04-23", .end = "2022-04-22", .basis = "ame_depot", .failed = RETRO_SOINS},
    {.name = "ame still in hospital, however long ago admitted", .prestation = AME,
     .irregular_since = "2020-06-01", .admitted_on = "2021-01-02", .deposit = "2021-09-30",
     .start = "2021-01-02", .end = "2022-01-01", .basis = RETRO_SOINS, .retroactive = true},
    {.name = "ame discharged after the deposit", .prestation = AME,
     .irregular_since = "2020-06-01", .admitted_on = "2021-01-02",
     .discharged_on = "2021-10-05", .deposit = "2021-09-30",
     .start = "2021-01-02", .end = "2022-01-01", .basis = RETRO_SOINS, .retroactive = true},
};

static void set_date(cal_date *d, const char *s)
{
    if (s != NULL)
        *d = D(s);
}

static const char *date_text(cal_date d, char *buf)
{
    return droits_date_set(d) ? cal_format(d, buf) : "(none)";
}

/* Fail naming the case when r is not what c expects. */
static void expect_bound_case(const struct bound_case *c, const struct droits_result *r)
{
    char got[CAL_DATE_LEN], want[CAL_DATE_LEN];
    const struct droits_check *f;

    if (c->refusal != NULL) {
        if (r->eligible || r->refusal == DROITS_REFUSAL_NONE ||
            strcmp(droits_refusal_name(r->refusal), c->refusal) != 0 ||
            droits_date_set(r->start) || droits_date_set(r->end) ||
            r->basis != DROITS_BASIS_NONE || r->retroactive)
            fail_msg("case \"%s\": refused (%s) expected, got eligible=%d refusal %s", c->name,
                     c->refusal, r->eligible,
                     r->refusal == DROITS_REFUSAL_NONE ? "none" : droits_refusal_name(r->refusal));
    } else {
        cal_date end = DROITS_NO_DATE;

        set_date(&end, c->end);
        if (!r->eligible || r->refusal != DROITS_REFUSAL_NONE || r->fallback)
            fail_msg("case \"%s\": granted expected, got refusal %s", c->name,
                     r->refusal == DROITS_REFUSAL_NONE ? "none" : droits_refusal_name(r->refusal));
        if (cal_cmp(r->start, D(c->start)) != 0)
            fail_msg("case \"%s\": start %s, expected %s", c->name, date_text(r->start, got),
                     c->start);
        if (droits_date_set(r->end) != droits_date_set(end) ||
            (droits_date_set(end) && cal_cmp(r->end, end) != 0))
            fail_msg("case \"%s\": end %s, expected %s", c->name, date_text(r->end, got),
                     date_text(end, want));
        if (r->basis == DROITS_BASIS_NONE || strcmp(droits_basis_name(r->basis), c->basis) != 0)
            fail_msg("case \"%s\": basis %s, expected %s", c->name,
                     r->basis == DROITS_BASIS_NONE ? "none" : droits_basis_name(r->basis),
                     c->basis);
        if (r->retroactive != c->retroactive)
            fail_msg("case \"%s\": retroactive %d, expected %d", c->name, r->retroactive,
                     c->retroactive);
    }
    if (c->failed != NULL && ((f = find_check(r, c->failed)) == NULL || f->ok))
        fail_msg("case \"%s\": check %s should be present and failed", c->name, c->failed);
}

static void test_bounds(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bound_cases) / sizeof(bound_cases[0]); i++) {
        const struct bound_case *c = &bound_cases[i];
        struct droits_input in;
        struct droits_result r;

        if (c->prestation == PUMA)
            puma_base(&in);
        else if (c->prestation == CSS)
            css_base(&in);
        else
            ame_base(&in);
        if (c->deposit != NULL)
            deposit(&in, c->deposit);
        set_date(&in.deposited_on, c->deposited_on);
        set_date(&in.received_on, c->received_on);
        set_date(&in.decided_on, c->decided_on);
        set_date(&in.situation.residence_since, c->residence_since);
        set_date(&in.situation.irregular_since, c->irregular_since);
        set_date(&in.situation.puma_start, c->puma_start);
        set_date(&in.situation.admitted_on, c->admitted_on);
        set_date(&in.situation.discharged_on, c->discharged_on);
        if (c->care != NULL)
            add_care(&in, c->care);
        droits_simulate(&in, &r);
        expect_bound_case(c, &r);
    }
}

static void test_simulate_overwrites_result(void **state)
{
    struct droits_input in;
    struct droits_result r;

    (void)state;
    memset(&r, 0xA5, sizeof(r));
    ame_base(&in);
    in.situation.regular_stay = DROITS_FAIT_OUI;
    droits_simulate(&in, &r);
    assert_refused(&r, "ame_sejour_regulier");
    assert_false(r.fallback);
    assert_int_equal(r.n_checks, 3);
}

/* ---- JSON input ------------------------------------------------------------ */

static json_t *J(const char *text)
{
    json_error_t err;
    json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);

    if (v == NULL)
        fail_msg("bad test JSON: %s (%s)", err.text, text);
    return v;
}

/* Parse body and return the errors array (caller decrefs), checking that the
 * verdict agrees with the array. */
static json_t *parse_errors(const char *body, struct droits_input *in)
{
    json_t *j = J(body), *errors = json_array();
    int rc = droits_input_from_json(j, D("2026-11-23"), in, errors);

    assert_int_equal(rc, json_array_size(errors) ? -1 : 0);
    json_decref(j);
    return errors;
}

/* The code of the error on field, or NULL. */
static const char *error_code(const json_t *errors, const char *field)
{
    size_t i;
    json_t *e;

    json_array_foreach(errors, i, e) {
        if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0) {
            assert_non_null(json_string_value(json_object_get(e, "message")));
            return json_string_value(json_object_get(e, "code"));
        }
    }
    return NULL;
}

static void expect_error(const char *body, const char *field, const char *code)
{
    struct droits_input in;
    json_t *errors = parse_errors(body, &in);
    const char *got = error_code(errors, field);

    if (got == NULL || strcmp(got, code) != 0) {
        char *dump = json_dumps(errors, 0);

        fail_msg("%s: want %s on %s, got %s", body, code, field, dump);
    }
    json_decref(errors);
}

static void expect_valid(const char *body, struct droits_input *in)
{
    json_t *errors = parse_errors(body, in);

    if (json_array_size(errors) != 0) {
        char *dump = json_dumps(errors, 0);

        fail_msg("%s: unexpected errors %s", body, dump);
    }
    json_decref(errors);
}

static void test_json_full_body(void **state)
{
    struct droits_input in;

    (void)state;
    expect_valid("{\"prestation\":\"ame\",\"received_on\":\"2026-11-20\","
                 "\"situation\":{\"puma_criterion\":\"residence\",\"residence_since\":"
                 "\"2025-06-01\",\"regular_stay\":false,\"irregular_since\":\"2026-01-05\","
                 "\"activity_start\":null,\"resources_under_ceiling\":true,"
                 "\"urgent_care_needed\":false,\"precarious\":true,\"puma_start\":null,"
                 "\"hospitalization\":{\"admitted_on\":\"2026-11-10\",\"discharged_on\":null},"
                 "\"care_dates\":[\"2026-11-10\",\"2026-11-12\"],\"unknown\":{\"x\":[1]}},"
                 "\"extra\":1}",
                 &in);
    assert_int_equal(in.prestation, DROITS_AME);
    assert_date(in.received_on, "2026-11-20");
    assert_date(in.deposited_on, "2026-11-20"); /* default: received_on */
    assert_date(in.decided_on, "2026-11-23");   /* default: today */
    assert_int_equal(in.situation.puma_criterion, DROITS_CRITERE_RESIDENCE);
    assert_date(in.situation.residence_since, "2025-06-01");
    assert_int_equal(in.situation.regular_stay, DROITS_FAIT_NON);
    assert_date(in.situation.irregular_since, "2026-01-05");
    assert_false(droits_date_set(in.situation.activity_start));
    assert_int_equal(in.situation.resources_under_ceiling, DROITS_FAIT_OUI);
    assert_false(in.situation.urgent_care_needed);
    assert_true(in.situation.precarious);
    assert_false(droits_date_set(in.situation.puma_start));
    assert_date(in.situation.admitted_on, "2026-11-10");
    assert_false(droits_date_set(in.situation.discharged_on));
    assert_int_equal(in.situation.n_care_dates, 2);
    assert_date(in.situation.care_dates[1], "2026-11-12");

    expect_valid("{\"prestation\":\"css\",\"received_on\":\"2022-04-30\","
                 "\"deposited_on\":\"2022-04-29\",\"decided_on\":\"2022-05-16\","
                 "\"situation\":{}}",
                 &in);
    assert_int_equal(in.prestation, DROITS_CSS);
    assert_date(in.deposited_on, "2022-04-29");
    assert_date(in.decided_on, "2022-05-16");
    assert_int_equal(in.situation.regular_stay, DROITS_FAIT_INCONNU);
    assert_int_equal(in.situation.resources_under_ceiling, DROITS_FAIT_INCONNU);
    assert_int_equal(in.situation.n_care_dates, 0);

    /* null means "not said" everywhere, defaults included. */
    expect_valid("{\"prestation\":\"ame\",\"received_on\":\"2021-01-13\",\"deposited_on\":null,"
                 "\"decided_on\":null,\"situation\":{\"hospitalization\":null,"
                 "\"care_dates\":null,\"regular_stay\":null}}",
                 &in);
    assert_date(in.deposited_on, "2021-01-13");
    assert_date(in.decided_on, "2026-11-23");
}

static void test_json_root_and_prestation(void **state)
{
    struct droits_input in;

    (void)state;
    expect_error("[]", "", "invalid_type");
    expect_error("\"ame\"", "", "invalid_type");
    expect_error("null", "", "invalid_type");
    expect_error("42", "", "invalid_type");
    assert_int_equal(droits_input_from_json(NULL, D("2026-11-23"), &in, NULL), -1);

    expect_error("{\"received_on\":\"2021-01-13\",\"situation\":{}}", "prestation", "required");
    expect_error("{\"prestation\":null}", "prestation", "required");
    expect_error("{\"prestation\":1}", "prestation", "invalid_type");
    expect_error("{\"prestation\":[\"ame\"]}", "prestation", "invalid_type");
    expect_error("{\"prestation\":\"AME\"}", "prestation", "invalid_enum");
    expect_error("{\"prestation\":\"cmu\"}", "prestation", "invalid_enum");
    expect_error("{\"prestation\":\"\"}", "prestation", "invalid_enum");
    expect_error("{\"prestation\":\"ame\\u0000\"}", "prestation", "invalid_enum");
}

static void test_json_dates(void **state)
{
    (void)state;
    expect_error("{\"prestation\":\"ame\",\"situation\":{}}", "received_on", "required");
    expect_error("{\"received_on\":null}", "received_on", "required");
    expect_error("{\"received_on\":20210113}", "received_on", "invalid_type");
    expect_error("{\"received_on\":true}", "received_on", "invalid_type");
    expect_error("{\"received_on\":{\"y\":2021}}", "received_on", "invalid_type");
    expect_error("{\"received_on\":\"2021-02-29\"}", "received_on", "invalid_date");
    expect_error("{\"received_on\":\"2021-04-31\"}", "received_on", "invalid_date");
    expect_error("{\"received_on\":\"2021-2-1\"}", "received_on", "invalid_date");
    expect_error("{\"received_on\":\"13/01/2021\"}", "received_on", "invalid_date");
    expect_error("{\"received_on\":\"2021-01-13T00:00:00Z\"}", "received_on", "invalid_date");
    expect_error("{\"received_on\":\"\"}", "received_on", "invalid_date");
    expect_error("{\"received_on\":\"2021-01-13\\u0000junk\"}", "received_on", "invalid_date");
    expect_error("{\"received_on\":\"9999-01-01\"}", "received_on", "invalid_range");
    expect_error("{\"deposited_on\":\"2020-02-30\"}", "deposited_on", "invalid_date");
    expect_error("{\"decided_on\":5}", "decided_on", "invalid_type");

    /* Order of the three dates. */
    expect_error("{\"prestation\":\"ame\",\"received_on\":\"2021-01-13\","
                 "\"deposited_on\":\"2021-01-14\",\"situation\":{}}",
                 "deposited_on", "invalid_range");
    expect_error("{\"prestation\":\"ame\",\"received_on\":\"2021-01-13\","
                 "\"decided_on\":\"2021-01-12\",\"situation\":{}}",
                 "decided_on", "invalid_range");
    /* decided_on defaulting to today (2026-11-23) before a later receipt. */
    expect_error("{\"prestation\":\"ame\",\"received_on\":\"2027-01-13\",\"situation\":{}}",
                 "decided_on", "invalid_range");
}

static void test_json_long_strings(void **state)
{
    size_t len = 100000;
    char *big = malloc(len + 1);
    json_t *body, *errors = json_array();
    struct droits_input in;

    (void)state;
    assert_non_null(big);
    memset(big, '2', len);
    big[len] = '\0';
    body = json_pack("{s:s, s:s, s:{s:s, s:s, s:[s]}}", "prestation", big, "received_on", big,
                     "situation", "puma_criterion", big, "irregular_since", big, "care_dates",
                     big);
    assert_non_null(body);
    assert_int_equal(droits_input_from_json(body, D("2026-11-23"), &in, errors), -1);
    assert_string_equal(error_code(errors, "prestation"), "invalid_enum");
    assert_string_equal(error_code(errors, "received_on"), "invalid_date");
    assert_string_equal(error_code(errors, "situation.puma_criterion"), "invalid_enum");
    assert_string_equal(error_code(errors, "situation.irregular_since"), "invalid_date");
    assert_string_equal(error_code(errors, "situation.care_dates[0]"), "invalid_date");
    /* Messages never echo the caller's value. */
    {
        size_t i;
        json_t *e;

        json_array_foreach(errors, i, e)
            assert_true(strlen(json_string_value(json_object_get(e, "message"))) < 200);
    }
    json_decref(errors);
    json_decref(body);
    free(big);
}

static void test_json_situation_types(void **state)
{
    struct droits_input in;
    json_t *errors;

    (void)state;
    expect_error("{\"prestation\":\"ame\",\"received_on\":\"2021-01-13\"}", "situation",
                 "required");
    expect_error("{\"situation\":null}", "situation", "required");
    expect_error("{\"situation\":[]}", "situation", "invalid_type");
    expect_error("{\"situation\":\"x\"}", "situation", "invalid_type");

    /* Every wrong member listed at once, under its JSON path. */
    errors = parse_errors(
        "{\"prestation\":\"css\",\"received_on\":\"2022-04-30\",\"situation\":{"
        "\"puma_criterion\":7,\"residence_since\":\"2021-02-29\",\"regular_stay\":\"true\","
        "\"irregular_since\":[],\"activity_start\":false,\"resources_under_ceiling\":1,"
        "\"urgent_care_needed\":\"oui\",\"precarious\":{},\"puma_start\":\"2022-13-01\","
        "\"hospitalization\":[],\"care_dates\":\"2022-04-01\"}}",
        &in);
    assert_string_equal(error_code(errors, "situation.puma_criterion"), "invalid_type");
    assert_string_equal(error_code(errors, "situation.residence_since"), "invalid_date");
    assert_string_equal(error_code(errors, "situation.regular_stay"), "invalid_type");
    assert_string_equal(error_code(errors, "situation.irregular_since"), "invalid_type");
    assert_string_equal(error_code(errors, "situation.activity_start"), "invalid_type");
    assert_string_equal(error_code(errors, "situation.resources_under_ceiling"), "invalid_type");
    assert_string_equal(error_code(errors, "situation.urgent_care_needed"), "invalid_type");
    assert_string_equal(error_code(errors, "situation.precarious"), "invalid_type");
    assert_string_equal(error_code(errors, "situation.puma_start"), "invalid_date");
    assert_string_equal(error_code(errors, "situation.hospitalization"), "invalid_type");
    assert_string_equal(error_code(errors, "situation.care_dates"), "invalid_type");
    assert_int_equal(json_array_size(errors), 11);
    json_decref(errors);
}

static void test_json_puma_required(void **state)
{
    struct droits_input in;

    (void)state;
    expect_error("{\"prestation\":\"puma\",\"received_on\":\"2021-04-22\",\"situation\":{}}",
                 "situation.puma_criterion", "required");
    expect_error("{\"prestation\":\"puma\",\"received_on\":\"2021-04-22\","
                 "\"situation\":{\"puma_criterion\":\"Residence\"}}",
                 "situation.puma_criterion", "invalid_enum");
    expect_error("{\"prestation\":\"puma\",\"received_on\":\"2021-04-22\","
                 "\"situation\":{\"puma_criterion\":\"activite\"}}",
                 "situation.activity_start", "required");
    /* Other prestations do not need a criterion, but a bad one is still bad. */
    expect_valid("{\"prestation\":\"ame\",\"received_on\":\"2021-04-22\",\"situation\":{}}",
                 &in);
    expect_error("{\"prestation\":\"ame\",\"received_on\":\"2021-04-22\","
                 "\"situation\":{\"puma_criterion\":\"x\"}}",
                 "situation.puma_criterion", "invalid_enum");
    /* Residence criterion without its date is a refusal, not a 422. */
    expect_valid("{\"prestation\":\"puma\",\"received_on\":\"2021-04-22\","
                 "\"situation\":{\"puma_criterion\":\"residence\"}}",
                 &in);
    expect_valid("{\"prestation\":\"puma\",\"received_on\":\"2021-04-22\","
                 "\"situation\":{\"puma_criterion\":\"activite\","
                 "\"activity_start\":\"2021-01-04\"}}",
                 &in);
    assert_int_equal(in.situation.puma_criterion, DROITS_CRITERE_ACTIVITE);
    assert_date(in.situation.activity_start, "2021-01-04");
}

static void test_json_hospitalization(void **state)
{
    struct droits_input in;

    (void)state;
    expect_error("{\"situation\":{\"hospitalization\":\"2021-01-01\"}}",
                 "situation.hospitalization", "invalid_type");
    expect_error("{\"situation\":{\"hospitalization\":{\"admitted_on\":\"2021-02-29\"}}}",
                 "situation.hospitalization.admitted_on", "invalid_date");
    expect_error("{\"situation\":{\"hospitalization\":{\"admitted_on\":\"2021-01-10\","
                 "\"discharged_on\":1}}}",
                 "situation.hospitalization.discharged_on", "invalid_type");
    expect_error("{\"situation\":{\"hospitalization\":{\"admitted_on\":\"2021-01-10\","
                 "\"discharged_on\":\"2021-01-09\"}}}",
                 "situation.hospitalization.discharged_on", "invalid_range");
    expect_error("{\"situation\":{\"hospitalization\":{\"discharged_on\":\"2021-01-09\"}}}",
                 "situation.hospitalization.admitted_on", "required");

    expect_valid("{\"prestation\":\"ame\",\"received_on\":\"2021-04-22\",\"situation\":{"
                 "\"hospitalization\":{\"admitted_on\":\"2021-01-10\","
                 "\"discharged_on\":\"2021-01-10\"}}}",
                 &in);
    assert_date(in.situation.admitted_on, "2021-01-10");
    assert_date(in.situation.discharged_on, "2021-01-10");
    /* An empty or all-null hospitalisation is no hospitalisation. */
    expect_valid("{\"prestation\":\"ame\",\"received_on\":\"2021-04-22\",\"situation\":{"
                 "\"hospitalization\":{\"admitted_on\":null,\"discharged_on\":null}}}",
                 &in);
    assert_false(droits_date_set(in.situation.admitted_on));
    expect_valid("{\"prestation\":\"ame\",\"received_on\":\"2021-04-22\",\"situation\":{"
                 "\"hospitalization\":{}}}",
                 &in);
    assert_false(droits_date_set(in.situation.admitted_on));
}

static void test_json_care_dates(void **state)
{
    struct droits_input in;
    json_t *body, *dates, *errors;

    (void)state;
    expect_error("{\"situation\":{\"care_dates\":{}}}", "situation.care_dates", "invalid_type");
    expect_error("{\"situation\":{\"care_dates\":[\"2021-01-01\",\"2021-01-02\",\"2021-02-29\"]}}",
                 "situation.care_dates[2]", "invalid_date");
    expect_error("{\"situation\":{\"care_dates\":[null]}}", "situation.care_dates[0]",
                 "invalid_type");
    expect_error("{\"situation\":{\"care_dates\":[[\"2021-01-01\"]]}}",
                 "situation.care_dates[0]", "invalid_type");
    expect_error("{\"situation\":{\"care_dates\":[1, {\"a\":[[[]]]}]}}",
                 "situation.care_dates[1]", "invalid_type");

    /* 366 dates are accepted, 367 are not; a huge list costs one error. */
    dates = json_array();
    for (int i = 0; i < 366; i++) {
        char buf[CAL_DATE_LEN];

        json_array_append_new(dates, json_string(cal_format(cal_add_days(D("2020-01-01"), i),
                                                            buf)));
    }
    body = json_pack("{s:s, s:s, s:{s:O}}", "prestation", "ame", "received_on", "2021-04-22",
                     "situation", "care_dates", dates);
    errors = json_array();
    assert_int_equal(droits_input_from_json(body, D("2026-11-23"), &in, errors), 0);
    assert_int_equal(in.situation.n_care_dates, 366);
    assert_date(in.situation.care_dates[365], "2020-12-31");
    json_array_append_new(dates, json_string("2021-01-01"));
    assert_int_equal(droits_input_from_json(body, D("2026-11-23"), &in, errors), -1);
    assert_int_equal(json_array_size(errors), 1);
    assert_string_equal(error_code(errors, "situation.care_dates"), "invalid_range");
    json_decref(body);
    json_decref(errors);

    while (json_array_size(dates) < 200000)
        json_array_append_new(dates, json_integer(1));
    body = json_pack("{s:s, s:s, s:{s:o}}", "prestation", "ame", "received_on", "2021-04-22",
                     "situation", "care_dates", dates);
    errors = json_array();
    assert_int_equal(droits_input_from_json(body, D("2026-11-23"), &in, errors), -1);
    assert_int_equal(json_array_size(errors), 1);
    json_decref(body);
    json_decref(errors);
}

static void test_json_errors_may_be_null_or_prefilled(void **state)
{
    struct droits_input in;
    json_t *body = J("{\"prestation\":\"ame\",\"received_on\":\"2021-04-22\",\"situation\":{}}");
    json_t *bad = J("{\"prestation\":\"ame\",\"received_on\":\"2021-02-29\",\"situation\":{}}");
    json_t *errors = J("[{\"field\":\"applicant.sex\",\"code\":\"required\",\"message\":\"x\"}]");

    (void)state;
    assert_int_equal(droits_input_from_json(body, D("2026-11-23"), &in, NULL), 0);
    assert_int_equal(droits_input_from_json(bad, D("2026-11-23"), &in, NULL), -1);
    /* Other validators' entries do not make this input invalid. */
    assert_int_equal(droits_input_from_json(body, D("2026-11-23"), &in, errors), 0);
    assert_int_equal(json_array_size(errors), 1);
    assert_int_equal(droits_input_from_json(bad, D("2026-11-23"), &in, errors), -1);
    assert_int_equal(json_array_size(errors), 2);
    json_decref(body);
    json_decref(bad);
    json_decref(errors);
}

static void test_json_from_situation(void **state)
{
    struct droits_input in;
    struct droits_result r;
    json_t *situation = J("{\"regular_stay\":false,\"irregular_since\":\"2021-01-05\","
                          "\"resources_under_ceiling\":true,\"hospitalization\":"
                          "{\"admitted_on\":\"2021-04-10\",\"discharged_on\":null}}");
    json_t *errors = json_array();

    (void)state;
    assert_int_equal(droits_input_from_situation(situation, "ame", D("2021-04-22"),
                                                 DROITS_NO_DATE, D("2021-05-03"), &in, errors),
                     0);
    assert_date(in.deposited_on, "2021-04-22");
    droits_simulate(&in, &r);
    assert_granted(&r, "2021-04-10", "2022-04-09", "ame_retroactivite_soins", true);

    /* The dates are the dossier's own: their order is not judged here. */
    assert_int_equal(droits_input_from_situation(situation, "ame", D("2021-04-22"),
                                                 D("2021-04-23"), D("2021-01-01"), &in, errors),
                     0);
    assert_date(in.deposited_on, "2021-04-23");
    assert_int_equal(json_array_size(errors), 0);

    assert_int_equal(droits_input_from_situation(situation, "AME", D("2021-04-22"),
                                                 DROITS_NO_DATE, D("2021-05-03"), &in, errors),
                     -1);
    assert_string_equal(error_code(errors, "prestation"), "invalid_enum");
    json_array_clear(errors);
    assert_int_equal(droits_input_from_situation(situation, NULL, D("2021-04-22"),
                                                 DROITS_NO_DATE, D("2021-05-03"), &in, errors),
                     -1);
    assert_string_equal(error_code(errors, "prestation"), "required");
    json_array_clear(errors);
    assert_int_equal(droits_input_from_situation(NULL, "css", D("2021-04-22"), DROITS_NO_DATE,
                                                 D("2021-05-03"), &in, errors),
                     -1);
    assert_string_equal(error_code(errors, "situation"), "required");
    json_array_clear(errors);
    json_decref(situation);

    situation = J("{\"care_dates\":[\"2021-01-01\",\"x\"],\"puma_criterion\":null}");
    assert_int_equal(droits_input_from_situation(situation, "puma", D("2021-04-22"),
                                                 DROITS_NO_DATE, D("2021-05-03"), &in, errors),
                     -1);
    assert_string_equal(error_code(errors, "situation.care_dates[1]"), "invalid_date");
    assert_string_equal(error_code(errors, "situation.puma_criterion"), "required");
    json_decref(situation);
    json_decref(errors);
}

/* ---- JSON output ----------------------------------------------------------- */

static void assert_output_shape(const json_t *o)
{
    static const char *keys[] = {"eligible", "start",   "end",    "retroactive",
                                 "basis",    "refusal", "checks", "fallback"};
    const json_t *checks, *c, *fb;
    size_t i;

    assert_true(json_is_object(o));
    assert_int_equal(json_object_size(o), 8);
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        assert_non_null(json_object_get(o, keys[i]));
    assert_true(json_is_boolean(json_object_get(o, "eligible")));
    assert_true(json_is_boolean(json_object_get(o, "retroactive")));
    checks = json_object_get(o, "checks");
    assert_true(json_is_array(checks));
    json_array_foreach(checks, i, c) {
        assert_int_equal(json_object_size(c), 3);
        assert_true(json_is_string(json_object_get(c, "code")));
        assert_true(json_is_boolean(json_object_get(c, "ok")));
        assert_true(json_is_string(json_object_get(c, "detail")));
    }
    fb = json_object_get(o, "fallback");
    if (!json_is_null(fb)) {
        assert_int_equal(json_object_size(fb), 2);
        assert_string_equal(json_string_value(json_object_get(fb, "coverage")),
                            "soins_urgents");
        assert_true(json_is_string(json_object_get(fb, "start")));
    }
    if (json_is_true(json_object_get(o, "eligible"))) {
        assert_true(json_is_string(json_object_get(o, "start")));
        assert_true(json_is_string(json_object_get(o, "basis")));
        assert_true(json_is_null(json_object_get(o, "refusal")));
        assert_true(json_is_null(fb));
    } else {
        assert_true(json_is_null(json_object_get(o, "start")));
        assert_true(json_is_null(json_object_get(o, "end")));
        assert_true(json_is_null(json_object_get(o, "basis")));
        assert_false(json_is_true(json_object_get(o, "retroactive")));
    }
}

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void test_output_eligible_and_puma_end(void **state)
{
    struct droits_input in;
    struct droits_result r;
    json_t *o;

    (void)state;
    ame_base(&in);
    in.situation.admitted_on = D("2021-04-10");
    droits_simulate(&in, &r);
    o = droits_result_to_json(&r);
    assert_output_shape(o);
    assert_true(json_is_true(json_object_get(o, "eligible")));
    assert_string_equal(jstr(o, "start"), "2021-04-10");
    assert_string_equal(jstr(o, "end"), "2022-04-09");
    assert_true(json_is_true(json_object_get(o, "retroactive")));
    assert_string_equal(jstr(o, "basis"), "ame_retroactivite_soins");
    assert_true(json_is_null(json_object_get(o, "fallback")));
    assert_string_equal(jstr(json_array_get(json_object_get(o, "checks"), 2), "code"),
                        "ame_residence_plus_3_mois");
    json_decref(o);

    puma_base(&in);
    droits_simulate(&in, &r);
    o = droits_result_to_json(&r);
    assert_output_shape(o);
    assert_string_equal(jstr(o, "start"), "2021-04-22");
    assert_true(json_is_null(json_object_get(o, "end")));
    assert_true(json_is_false(json_object_get(o, "retroactive")));
    json_decref(o);
}

static void test_output_simulation_endpoint(void **state)
{
    json_t *body = J("{\"prestation\":\"ame\",\"received_on\":\"2021-01-13\","
                     "\"decided_on\":\"2021-02-01\",\"situation\":{\"regular_stay\":false,"
                     "\"irregular_since\":\"2020-11-21\",\"resources_under_ceiling\":true,"
                     "\"hospitalization\":{\"admitted_on\":\"2020-11-25\"}}}");
    json_t *errors = json_array(), *o, *fb;

    (void)state;
    o = droits_simulate_json(body, D("2026-11-23"), errors);
    assert_non_null(o);
    assert_int_equal(json_array_size(errors), 0);
    assert_output_shape(o);
    assert_true(json_is_false(json_object_get(o, "eligible")));
    assert_string_equal(jstr(o, "refusal"), "ame_residence_insuffisante");
    fb = json_object_get(o, "fallback");
    assert_string_equal(jstr(fb, "coverage"), "soins_urgents");
    assert_string_equal(jstr(fb, "start"), "2020-11-25");
    json_decref(o);
    json_decref(body);

    body = J("{\"prestation\":\"ame\",\"received_on\":\"2021-02-29\",\"situation\":{}}");
    assert_null(droits_simulate_json(body, D("2026-11-23"), errors));
    assert_string_equal(error_code(errors, "received_on"), "invalid_date");
    json_decref(body);
    json_decref(errors);
}

static void test_output_refused_ignores_leftovers(void **state)
{
    struct droits_result r;
    json_t *o;

    (void)state;
    /* A hand-made result that contradicts itself is still written by the rules
     * of the contract: start/end/basis null when not eligible. */
    memset(&r, 0, sizeof(r));
    r.eligible = false;
    r.start = D("2021-01-01");
    r.end = D("2021-12-31");
    r.basis = DROITS_BASIS_AME_DEPOT;
    r.retroactive = true;
    r.refusal = DROITS_REFUSAL_AME_RESSOURCES;
    r.n_checks = 1000; /* out of bounds: clamped */
    for (size_t i = 0; i < DROITS_MAX_CHECKS; i++) {
        r.checks[i].code = "x";
        memset(r.checks[i].detail, 'a', sizeof(r.checks[i].detail)); /* no NUL */
    }
    o = droits_result_to_json(&r);
    assert_output_shape(o);
    assert_int_equal(json_array_size(json_object_get(o, "checks")), DROITS_MAX_CHECKS);
    assert_int_equal(strlen(jstr(json_array_get(json_object_get(o, "checks"), 0), "detail")),
                     DROITS_DETAIL_LEN);
    assert_string_equal(jstr(o, "refusal"), "ame_ressources");
    json_decref(o);
}

/* ---- property test --------------------------------------------------------- */

/* splitmix64: small, fast and the same on every machine. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int rand_between(uint64_t *s, int lo, int hi) /* inclusive */
{
    return lo + (int)(next_rand(s) % (uint64_t)(hi - lo + 1));
}

/* A day of 2019–2027, one time in three an edge day (1st, 28th–31st, Feb 29). */
static cal_date rand_date(uint64_t *s)
{
    cal_date d;

    d.y = rand_between(s, 2019, 2027);
    d.m = rand_between(s, 1, 12);
    if (rand_between(s, 0, 2) == 0) {
        static const int edges[] = {1, 28, 29, 30, 31};
        int dim = cal_days_in_month(d.y, d.m);

        d.d = edges[rand_between(s, 0, 4)];
        if (d.d > dim)
            d.d = dim;
    } else {
        d.d = rand_between(s, 1, cal_days_in_month(d.y, d.m));
    }
    return d;
}

/* A date near a bound: ref + months, give or take a couple of days. */
static cal_date rand_near(uint64_t *s, cal_date ref, int months)
{
    return cal_add_days(cal_add_months(ref, months), rand_between(s, -2, 2));
}

/* Half the time independent, half the time near ref + months (where bounds are). */
static cal_date rand_date_or_near(uint64_t *s, cal_date ref, int months)
{
    return rand_between(s, 0, 1) ? rand_date(s) : rand_near(s, ref, months);
}

static enum droits_fait rand_fact(uint64_t *s)
{
    static const enum droits_fait v[] = {DROITS_FAIT_OUI, DROITS_FAIT_OUI, DROITS_FAIT_OUI,
                                         DROITS_FAIT_NON, DROITS_FAIT_INCONNU};

    return v[rand_between(s, 0, 4)];
}

static cal_date maybe(uint64_t *s, cal_date d, int percent_absent)
{
    return rand_between(s, 1, 100) <= percent_absent ? DROITS_NO_DATE : d;
}

/* A valid input (as the JSON reader would accept it). */
static void rand_input(uint64_t *s, struct droits_input *in)
{
    struct droits_situation *st = &in->situation;
    cal_date dep;

    memset(in, 0, sizeof(*in));
    in->prestation = (enum droits_prestation)rand_between(s, DROITS_PUMA, DROITS_AME);
    dep = rand_date(s);
    in->deposited_on = dep;
    in->received_on = rand_between(s, 0, 2) ? dep : cal_add_days(dep, rand_between(s, 0, 20));
    in->decided_on = cal_add_days(in->received_on, rand_between(s, 0, 120));

    st->puma_criterion = rand_between(s, 0, 3) ? DROITS_CRITERE_RESIDENCE
                                               : DROITS_CRITERE_ACTIVITE;
    st->residence_since = maybe(s, rand_date_or_near(s, in->received_on, -3), 10);
    st->regular_stay = rand_fact(s);
    st->irregular_since = maybe(s, rand_date_or_near(s, dep, -3), 10);
    st->activity_start = rand_date_or_near(s, in->received_on, -1);
    if (in->prestation != DROITS_PUMA || st->puma_criterion != DROITS_CRITERE_ACTIVITE)
        st->activity_start = maybe(s, st->activity_start, 50);
    st->resources_under_ceiling = rand_fact(s);
    st->urgent_care_needed = rand_between(s, 0, 3) == 0;
    st->precarious = rand_between(s, 0, 3) == 0;
    st->puma_start = maybe(s, rand_date_or_near(s, dep, -1), 15);
    if (rand_between(s, 0, 1)) {
        st->admitted_on = rand_date_or_near(s, dep, -rand_between(s, 0, 4));
        if (rand_between(s, 0, 1)) {
            st->discharged_on = cal_add_days(st->admitted_on, rand_between(s, 0, 60));
            if (rand_between(s, 0, 1)) /* aim at the one-month / 90-day bounds */
                st->discharged_on = rand_near(s, dep, -rand_between(s, 1, 3));
            if (cal_cmp(st->discharged_on, st->admitted_on) < 0)
                st->discharged_on = st->admitted_on;
        }
    }
    if (rand_between(s, 0, 1)) {
        size_t n = rand_between(s, 0, 50) == 0 ? DROITS_MAX_CARE_DATES
                                               : (size_t)rand_between(s, 1, 6);

        for (size_t i = 0; i < n; i++)
            st->care_dates[i] = rand_between(s, 0, 1) ? rand_date(s)
                                                      : cal_add_days(dep, -rand_between(s, -5, 95));
        st->n_care_dates = n;
    }
}

static bool basis_of(enum droits_prestation p, enum droits_basis b)
{
    switch (p) {
    case DROITS_PUMA:
        return b == DROITS_BASIS_PUMA_RECEPTION || b == DROITS_BASIS_PUMA_ACTIVITE;
    case DROITS_CSS:
        return b >= DROITS_BASIS_CSS_HOSPITALISATION && b <= DROITS_BASIS_CSS_DEBUT_PUMA;
    case DROITS_AME:
        return b == DROITS_BASIS_AME_DEPOT || b == DROITS_BASIS_AME_RETROACTIVITE_SOINS;
    default:
        return false;
    }
}

/* The condition check a refusal comes from. */
static bool refusal_matches(enum droits_refusal r, const char *code)
{
    switch (r) {
    case DROITS_REFUSAL_PUMA_SEJOUR_IRREGULIER:
        return strcmp(code, "puma_sejour_regulier") == 0;
    case DROITS_REFUSAL_PUMA_RESIDENCE_INSUFFISANTE:
        return strcmp(code, "puma_residence_3_mois") == 0 || strcmp(code, "puma_critere") == 0;
    case DROITS_REFUSAL_CSS_SANS_PUMA:
        return strcmp(code, "css_puma") == 0;
    case DROITS_REFUSAL_CSS_RESSOURCES:
        return strcmp(code, "css_ressources") == 0;
    case DROITS_REFUSAL_AME_SEJOUR_REGULIER:
        return strcmp(code, "ame_sejour_irregulier") == 0;
    case DROITS_REFUSAL_AME_RESSOURCES:
        return strcmp(code, "ame_ressources") == 0;
    case DROITS_REFUSAL_AME_RESIDENCE_INSUFFISANTE:
        return strcmp(code, "ame_residence_plus_3_mois") == 0;
    default:
        return false;
    }
}

static bool refusal_of(enum droits_prestation p, enum droits_refusal r)
{
    switch (p) {
    case DROITS_PUMA:
        return r == DROITS_REFUSAL_PUMA_SEJOUR_IRREGULIER ||
               r == DROITS_REFUSAL_PUMA_RESIDENCE_INSUFFISANTE;
    case DROITS_CSS:
        return r == DROITS_REFUSAL_CSS_SANS_PUMA || r == DROITS_REFUSAL_CSS_RESSOURCES;
    case DROITS_AME:
        return r >= DROITS_REFUSAL_AME_SEJOUR_REGULIER &&
               r <= DROITS_REFUSAL_AME_RESIDENCE_INSUFFISANTE;
    default:
        return false;
    }
}

static void assert_invariants(const struct droits_input *in, const struct droits_result *r)
{
    const struct droits_situation *s = &in->situation;

    assert_true(r->n_checks >= 1 && r->n_checks <= DROITS_MAX_CHECKS);
    for (size_t i = 0; i < r->n_checks; i++) {
        assert_non_null(r->checks[i].code);
        assert_true(r->checks[i].detail[0] != '\0');
        /* No sentence is ever cut by its buffer. */
        assert_true(strlen(r->checks[i].detail) < DROITS_DETAIL_LEN - 1);
    }
    /* eligible ⇔ start; refusal ⇔ not eligible; basis ⇔ eligible. */
    assert_int_equal(r->eligible, droits_date_set(r->start));
    assert_int_equal(r->refusal != DROITS_REFUSAL_NONE, !r->eligible);
    assert_int_equal(r->basis != DROITS_BASIS_NONE, r->eligible);
    if (r->eligible) {
        assert_true(basis_of(in->prestation, r->basis));
        assert_int_equal(r->retroactive,
                         cal_cmp(r->start, droits_normal_start(in)) < 0);
        assert_false(r->fallback);
    } else {
        const struct droits_check *first_failed = NULL;

        assert_true(refusal_of(in->prestation, r->refusal));
        assert_false(r->retroactive);
        assert_false(droits_date_set(r->end));
        for (size_t i = 0; i < r->n_checks && first_failed == NULL; i++)
            if (!r->checks[i].ok)
                first_failed = &r->checks[i];
        assert_non_null(first_failed);
        assert_true(refusal_matches(r->refusal, first_failed->code));
    }
    /* A term, when there is one, ends after it starts: one year less a day. */
    if (droits_date_set(r->end)) {
        assert_true(r->eligible);
        assert_true(cal_cmp(r->start, r->end) <= 0);
        assert_int_equal(cal_cmp(r->end, cal_add_days(cal_add_months(r->start, 12), -1)), 0);
    }
    switch (in->prestation) {
    case DROITS_PUMA:
        assert_false(droits_date_set(r->end));
        if (r->basis == DROITS_BASIS_PUMA_RECEPTION)
            assert_int_equal(cal_cmp(r->start, in->received_on), 0);
        break;
    case DROITS_CSS:
        if (r->eligible) {
            assert_true(droits_date_set(r->end));
            assert_true(cal_cmp(r->start, s->puma_start) >= 0);
            if (r->basis == DROITS_BASIS_CSS_DEBUT_PUMA)
                assert_int_equal(cal_cmp(r->start, s->puma_start), 0);
            else
                assert_int_equal(r->start.d, 1);
            /* Never later than the normal rule, unless held back by the PUMa. */
            if (r->basis != DROITS_BASIS_CSS_DEBUT_PUMA)
                assert_true(cal_cmp(r->start, cal_first_of_next_month(in->decided_on)) <= 0);
        }
        break;
    case DROITS_AME:
        if (r->eligible) {
            assert_true(droits_date_set(r->end));
            assert_true(cal_cmp(r->start, in->deposited_on) <= 0);
            assert_int_equal(r->basis == DROITS_BASIS_AME_RETROACTIVITE_SOINS,
                             cal_cmp(r->start, in->deposited_on) < 0);
            /* Retroactive only to a day of care on which the three months held. */
            if (r->retroactive)
                assert_true(cal_cmp(cal_add_months(s->irregular_since, 3), r->start) < 0);
        }
        if (r->fallback) {
            assert_int_equal(r->refusal, DROITS_REFUSAL_AME_RESIDENCE_INSUFFISANTE);
            assert_true(cal_cmp(r->fallback_start, in->deposited_on) <= 0);
        }
        break;
    default:
        fail();
    }
    if (in->prestation != DROITS_AME)
        assert_false(r->fallback);
}

/* The JSON body a partner would send for in. */
static json_t *input_to_json(const struct droits_input *in)
{
    const struct droits_situation *s = &in->situation;
    json_t *sit = json_object(), *body = json_object(), *care;
    char buf[CAL_DATE_LEN];

#define DATE_OR_NULL(d) (droits_date_set(d) ? json_string(cal_format((d), buf)) : json_null())
#define FACT(f) ((f) == DROITS_FAIT_INCONNU ? json_null() : json_boolean((f) == DROITS_FAIT_OUI))
    json_object_set_new(body, "prestation", json_string(droits_prestation_name(in->prestation)));
    json_object_set_new(body, "received_on", DATE_OR_NULL(in->received_on));
    json_object_set_new(body, "deposited_on", DATE_OR_NULL(in->deposited_on));
    json_object_set_new(body, "decided_on", DATE_OR_NULL(in->decided_on));
    json_object_set_new(sit, "puma_criterion",
                        json_string(s->puma_criterion == DROITS_CRITERE_ACTIVITE ? "activite"
                                                                                  : "residence"));
    json_object_set_new(sit, "residence_since", DATE_OR_NULL(s->residence_since));
    json_object_set_new(sit, "regular_stay", FACT(s->regular_stay));
    json_object_set_new(sit, "irregular_since", DATE_OR_NULL(s->irregular_since));
    json_object_set_new(sit, "activity_start", DATE_OR_NULL(s->activity_start));
    json_object_set_new(sit, "resources_under_ceiling", FACT(s->resources_under_ceiling));
    json_object_set_new(sit, "urgent_care_needed", json_boolean(s->urgent_care_needed));
    json_object_set_new(sit, "precarious", json_boolean(s->precarious));
    json_object_set_new(sit, "puma_start", DATE_OR_NULL(s->puma_start));
    if (droits_date_set(s->admitted_on))
        json_object_set_new(sit, "hospitalization",
                            json_pack("{s:o, s:o}", "admitted_on", DATE_OR_NULL(s->admitted_on),
                                      "discharged_on", DATE_OR_NULL(s->discharged_on)));
    care = json_array();
    for (size_t i = 0; i < s->n_care_dates; i++)
        json_array_append_new(care, DATE_OR_NULL(s->care_dates[i]));
    json_object_set_new(sit, "care_dates", care);
    json_object_set_new(body, "situation", sit);
#undef DATE_OR_NULL
#undef FACT
    return body;
}

static void test_property_random_inputs(void **state)
{
    uint64_t seed = 0x5EED2026u;
    struct droits_input in, back;
    struct droits_result r, r2;
    int counts[4] = {0, 0, 0, 0}, eligible = 0, retro = 0, fallback = 0;

    (void)state;
    for (int i = 0; i < 20000; i++) {
        rand_input(&seed, &in);
        droits_simulate(&in, &r);
        assert_invariants(&in, &r);
        counts[in.prestation]++;
        eligible += r.eligible;
        retro += r.retroactive;
        fallback += r.fallback;

        /* One in five also goes the JSON way and must come back the same. */
        if (i % 5 == 0) {
            json_t *body = input_to_json(&in), *errors = json_array(), *out;

            if (droits_input_from_json(body, D("2026-11-23"), &back, errors) != 0) {
                char *dump = json_dumps(errors, 0);

                fail_msg("valid input refused: %s", dump);
            }
            droits_simulate(&back, &r2);
            assert_int_equal(r2.eligible, r.eligible);
            assert_int_equal(cal_cmp(r2.start, r.start), 0);
            assert_int_equal(cal_cmp(r2.end, r.end), 0);
            assert_int_equal(r2.basis, r.basis);
            assert_int_equal(r2.refusal, r.refusal);
            assert_int_equal(r2.retroactive, r.retroactive);
            assert_int_equal(r2.fallback, r.fallback);
            assert_int_equal(r2.n_checks, r.n_checks);
            out = droits_result_to_json(&r2);
            assert_output_shape(out);
            if (r.eligible && in.prestation != DROITS_PUMA)
                assert_true(strcmp(jstr(out, "start"), jstr(out, "end")) <= 0);
            json_decref(out);
            json_decref(errors);
            json_decref(body);
        }
    }
    /* The generator must actually reach every branch of interest. */
    assert_true(counts[DROITS_PUMA] > 5000 && counts[DROITS_CSS] > 5000 &&
                counts[DROITS_AME] > 5000);
    assert_true(eligible > 2000 && eligible < 18000);
    assert_true(retro > 500);
    assert_true(fallback > 100);
}

/* Every basis and every refusal is reached by the random inputs. */
static void test_property_coverage(void **state)
{
    uint64_t seed = 42;
    bool basis_seen[DROITS_BASIS_AME_RETROACTIVITE_SOINS + 1] = {false};
    bool refusal_seen[DROITS_REFUSAL_AME_RESIDENCE_INSUFFISANTE + 1] = {false};
    struct droits_input in;
    struct droits_result r;

    (void)state;
    for (int i = 0; i < 20000; i++) {
        rand_input(&seed, &in);
        droits_simulate(&in, &r);
        basis_seen[r.basis] = true;
        refusal_seen[r.refusal] = true;
    }
    for (int b = DROITS_BASIS_PUMA_RECEPTION; b <= DROITS_BASIS_AME_RETROACTIVITE_SOINS; b++)
        if (!basis_seen[b])
            fail_msg("basis %s never produced", droits_basis_name((enum droits_basis)b));
    for (int f = DROITS_REFUSAL_PUMA_SEJOUR_IRREGULIER;
         f <= DROITS_REFUSAL_AME_RESIDENCE_INSUFFISANTE; f++)
        if (!refusal_seen[f])
            fail_msg("refusal %s never produced", droits_refusal_name((enum droits_refusal)f));
}

/* ---- hostile JSON fuzz ------------------------------------------------------ */

static json_t *junk(uint64_t *s, int depth);

static json_t *junk_string(uint64_t *s)
{
    static const char *samples[] = {
        "2021-01-05", "2021-02-29", "2024-02-29", "9999-12-31", "0000-01-01", "2021-1-5",
        "puma",       "css",        "ame",        "residence",  "activite",   "true",
        "",           "null",       "2021-01-05T00:00:00Z",     "\xc3\xa9t\xc3\xa9",
    };
    char buf[64];
    int n;

    if (rand_between(s, 0, 3))
        return json_string(samples[rand_between(s, 0, (int)(sizeof(samples) /
                                                                sizeof(samples[0])) - 1)]);
    n = rand_between(s, 0, (int)sizeof(buf) - 1);
    for (int i = 0; i < n; i++)
        buf[i] = rand_between(s, 0, 1) ? "0123456789-"[rand_between(s, 0, 10)]
                                       : (char)rand_between(s, 0, 127); /* ASCII: valid UTF-8 */
    return json_stringn(buf, (size_t)n); /* may hold U+0000 */
}

static json_t *junk(uint64_t *s, int depth)
{
    static const char *keys[] = {"prestation", "received_on", "admitted_on", "care_dates",
                                 "situation",  "x",           ""};
    int kind = rand_between(s, 0, depth > 3 ? 5 : 7);

    switch (kind) {
    case 0:
        return json_null();
    case 1:
        return json_boolean(rand_between(s, 0, 1));
    case 2:
        return json_integer((json_int_t)next_rand(s));
    case 3:
        return json_real((double)rand_between(s, -1000, 1000) / 7.0);
    case 4:
    case 5:
        return junk_string(s);
    case 6: {
        json_t *a = json_array();
        int n = rand_between(s, 0, 5);

        for (int i = 0; i < n; i++)
            json_array_append_new(a, junk(s, depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        int n = rand_between(s, 0, 4);

        for (int i = 0; i < n; i++)
            json_object_set_new(o, keys[rand_between(s, 0, 6)], junk(s, depth + 1));
        return o;
    }
    }
}

/* A value for a member: absent (NULL), junk, or one that is fine. */
static json_t *member(uint64_t *s, json_t *good)
{
    switch (rand_between(s, 0, 3)) {
    case 0:
        json_decref(good);
        return NULL;
    case 1:
        json_decref(good);
        return junk(s, 0);
    default:
        return good;
    }
}

static void set_maybe(json_t *o, const char *key, json_t *v)
{
    if (v != NULL)
        json_object_set_new(o, key, v);
}

static void test_fuzz_hostile_json(void **state)
{
    uint64_t seed = 0xBADC0FFEEu;
    int valid = 0;

    (void)state;
    for (int i = 0; i < 5000; i++) {
        json_t *body, *sit, *hosp, *care, *errors = json_array(), *out;
        struct droits_input in;
        struct droits_result r;
        int rc;

        if (rand_between(&seed, 0, 20) == 0) {
            body = junk(&seed, 0);
        } else {
            body = json_object();
            sit = json_object();
            hosp = json_object();
            care = json_array();
            set_maybe(body, "prestation",
                      member(&seed, json_string(droits_prestation_name(
                                        (enum droits_prestation)rand_between(&seed, 1, 3)))));
            set_maybe(body, "received_on", member(&seed, json_string("2021-04-22")));
            set_maybe(body, "deposited_on", member(&seed, json_string("2021-04-20")));
            set_maybe(body, "decided_on", member(&seed, json_string("2021-05-02")));
            set_maybe(sit, "puma_criterion", member(&seed, json_string("residence")));
            set_maybe(sit, "residence_since", member(&seed, json_string("2020-01-31")));
            set_maybe(sit, "regular_stay", member(&seed, json_boolean(rand_between(&seed, 0, 1))));
            set_maybe(sit, "irregular_since", member(&seed, json_string("2021-01-05")));
            set_maybe(sit, "activity_start", member(&seed, json_string("2021-03-01")));
            set_maybe(sit, "resources_under_ceiling", member(&seed, json_true()));
            set_maybe(sit, "urgent_care_needed", member(&seed, json_false()));
            set_maybe(sit, "precarious", member(&seed, json_true()));
            set_maybe(sit, "puma_start", member(&seed, json_string("2020-02-29")));
            set_maybe(hosp, "admitted_on", member(&seed, json_string("2021-04-10")));
            set_maybe(hosp, "discharged_on", member(&seed, json_string("2021-04-12")));
            set_maybe(sit, "hospitalization", member(&seed, hosp));
            for (int k = rand_between(&seed, 0, 4); k > 0; k--)
                json_array_append_new(care, rand_between(&seed, 0, 2) ? json_string("2021-04-01")
                                                                       : junk(&seed, 1));
            set_maybe(sit, "care_dates", member(&seed, care));
            set_maybe(body, "situation", member(&seed, sit));
        }
        rc = droits_input_from_json(body, D("2026-11-23"), &in, errors);
        assert_int_equal(rc, json_array_size(errors) ? -1 : 0);
        if (rc == 0) {
            valid++;
            droits_simulate(&in, &r);
            assert_invariants(&in, &r);
            out = droits_result_to_json(&r);
            assert_output_shape(out);
            json_decref(out);
        } else {
            size_t k;
            json_t *e;

            json_array_foreach(errors, k, e) {
                const char *code = jstr(e, "code");

                assert_non_null(jstr(e, "field"));
                assert_true(strcmp(code, "required") == 0 || strcmp(code, "invalid_type") == 0 ||
                            strcmp(code, "invalid_date") == 0 ||
                            strcmp(code, "invalid_enum") == 0 ||
                            strcmp(code, "invalid_range") == 0);
            }
        }
        /* The dossier path reads the same situation with the same verdict on it. */
        {
            json_t *e2 = json_array();

            droits_input_from_situation(json_object_get(body, "situation"), "ame",
                                        D("2021-04-22"), DROITS_NO_DATE, D("2021-05-02"), &in,
                                        e2);
            json_decref(e2);
        }
        json_decref(errors);
        json_decref(body);
    }
    assert_true(valid > 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_unknown_prestation),
        cmocka_unit_test(test_puma_residence_exactly_three_months),
        cmocka_unit_test(test_puma_regular_stay_first),
        cmocka_unit_test(test_puma_residence_missing),
        cmocka_unit_test(test_puma_activity),
        cmocka_unit_test(test_css_seed_example),
        cmocka_unit_test(test_css_hospitalisation_two_months),
        cmocka_unit_test(test_css_discharged_one_month),
        cmocka_unit_test(test_css_urgence),
        cmocka_unit_test(test_css_earliest_rule_wins),
        cmocka_unit_test(test_css_never_before_puma),
        cmocka_unit_test(test_css_refusals),
        cmocka_unit_test(test_ame_seed_example_1),
        cmocka_unit_test(test_ame_seed_example_2),
        cmocka_unit_test(test_ame_more_than_three_months),
        cmocka_unit_test(test_ame_retroactivity_90_days),
        cmocka_unit_test(test_ame_three_months_on_care_date),
        cmocka_unit_test(test_ame_earliest_qualifying_care),
        cmocka_unit_test(test_ame_care_on_or_after_deposit),
        cmocka_unit_test(test_ame_refusals),
        cmocka_unit_test(test_ame_fallback_only_three_months),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_simulate_overwrites_result),
        cmocka_unit_test(test_json_full_body),
        cmocka_unit_test(test_json_root_and_prestation),
        cmocka_unit_test(test_json_dates),
        cmocka_unit_test(test_json_long_strings),
        cmocka_unit_test(test_json_situation_types),
        cmocka_unit_test(test_json_puma_required),
        cmocka_unit_test(test_json_hospitalization),
        cmocka_unit_test(test_json_care_dates),
        cmocka_unit_test(test_json_errors_may_be_null_or_prefilled),
        cmocka_unit_test(test_json_from_situation),
        cmocka_unit_test(test_output_eligible_and_puma_end),
        cmocka_unit_test(test_output_simulation_endpoint),
        cmocka_unit_test(test_output_refused_ignores_leftovers),
        cmocka_unit_test(test_property_random_inputs),
        cmocka_unit_test(test_property_coverage),
        cmocka_unit_test(test_fuzz_hostile_json),
    };

    assert_true(cal_init());
    return cmocka_run_group_tests(tests, NULL, NULL);
}
