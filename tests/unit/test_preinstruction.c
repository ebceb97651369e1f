/*
 * test_preinstruction.c — the workers' pre-instruction (SPEC §7): the required
 * pieces table, completeness, retroactive requests and the rights proposal.
 *
 * Every requirement of the default table is tested met and unmet for each
 * prestation; the table loader is fed valid, malformed and subtly wrong tables;
 * hostile pieces, situations, dates and unchecked tables are thrown at the run,
 * which must answer a well-formed object every time; and the proposal is
 * compared with what the rights engine answers for the same input.
 */
#include "errassert.h"

#include <pthread.h>
#include <unistd.h>

#include "calendar.h"
#include "caltest.h"
#include "droits.h"
#include "droits_json.h"
#include "dossier_valid.h"
#include "preinstruction.h"

/* ---- helpers --------------------------------------------------------------- */

/* Situations. Dates are chosen around a receipt on 2026-11-20, decided (for
 * the proposal) on the same day. */
#define PUMA_SIT "{\"puma_criterion\":\"residence\",\"residence_since\":\"2025-01-01\"," \
                 "\"regular_stay\":true}"
#define CSS_SIT "{\"puma_start\":\"2020-01-01\",\"resources_under_ceiling\":true}"
#define AME_SIT "{\"regular_stay\":false,\"irregular_since\":\"2025-01-05\"," \
                "\"resources_under_ceiling\":true}"
#define AME_CARE_SIT "{\"regular_stay\":false,\"irregular_since\":\"2025-01-05\","        \
                     "\"resources_under_ceiling\":true,\"care_dates\":[\"2026-11-10\"]}"

#define ALL_PIECES "[{\"kind\":\"identite\"},{\"kind\":\"justificatif_domicile\"}," \
                   "{\"kind\":\"justificatif_ressources\"},{\"kind\":\"justificatif_soins\"}]"

/* Every result must have this shape, whatever went in. */
static void assert_shape(const json_t *r)
{
    size_t i;
    json_t *v;

    assert_non_null(r);
    assert_true(json_is_object(r));
    assert_int_equal(json_object_size(r), 4);
    assert_true(json_is_boolean(json_object_get(r, "complete")));
    assert_true(json_is_array(json_object_get(r, "missing_pieces")));
    json_array_foreach(json_object_get(r, "missing_pieces"), i, v) {
        assert_true(json_is_string(v));
        assert_true(dossier_piece_kind_valid(json_string_value(v)));
    }
    assert_int_equal(json_is_true(json_object_get(r, "complete")),
                     json_array_size(json_object_get(r, "missing_pieces")) == 0);
    assert_true(json_is_array(json_object_get(r, "checks")));
    json_array_foreach(json_object_get(r, "checks"), i, v) {
        assert_true(json_is_object(v));
        assert_int_equal(json_object_size(v), 3);
        assert_true(json_is_string(json_object_get(v, "code")));
        assert_true(json_is_boolean(json_object_get(v, "ok")));
        assert_true(json_is_string(json_object_get(v, "detail")));
        assert_true(json_string_length(json_object_get(v, "detail")) > 0);
    }
    v = json_object_get(r, "proposal");
    assert_true(json_is_null(v) || json_is_object(v));
}

/* Run with situation and pieces given as JSON text (NULL: a NULL pointer). */
static json_t *run_full(const json_t *table, const char *prestation, const char *situation,
                        const char *pieces, cal_date received, cal_date deposit, cal_date decided)
{
    json_t *s = situation != NULL ? J(situation) : NULL;
    json_t *p = pieces != NULL ? J(pieces) : NULL;
    json_t *r = preinstruction_run(table, prestation, s, p, received, deposit, decided);

    assert_shape(r);
    json_decref(s);
    json_decref(p);
    return r;
}

/* The usual case: received, deposited and pre-instructed on 2026-11-20. */
static json_t *run(const char *prestation, const char *situation, const char *pieces)
{
    return run_full(NULL, prestation, situation, pieces, D("2026-11-20"), DROITS_NO_DATE,
                    D("2026-11-20"));
}

static const json_t *find_check(const json_t *r, const char *code)
{
    size_t i;
    json_t *c;

    json_array_foreach(json_object_get(r, "checks"), i, c)
        if (strcmp(json_string_value(json_object_get(c, "code")), code) == 0)
            return c;
    return NULL;
}

static const char *detail_of(const json_t *r, const char *code)
{
    const json_t *c = find_check(r, code);

    if (c == NULL)
        fail_msg("check %s absent", code);
    return json_string_value(json_object_get(c, "detail"));
}

static void assert_check(const json_t *r, const char *code, bool ok)
{
    const json_t *c = find_check(r, code);

    if (c == NULL) {
        char *s = json_dumps(r, JSON_INDENT(1));

        print_message("%s\n", s);
        free(s);
        fail_msg("check %s absent", code);
    }
    assert_int_equal(json_is_true(json_object_get(c, "ok")), ok);
}

static void assert_no_check(const json_t *r, const char *code)
{
    if (find_check(r, code) != NULL)
        fail_msg("check %s inattendu", code);
}

/* missing_pieces as a comma-separated list ("" for none). */
static void assert_missing(const json_t *r, const char *want)
{
    char got[512] = "";
    size_t i;
    json_t *v;

    json_array_foreach(json_object_get(r, "missing_pieces"), i, v) {
        if (i > 0)
            strcat(got, ",");
        strcat(got, json_string_value(v));
    }
    assert_string_equal(got, want);
    assert_int_equal(json_is_true(json_object_get(r, "complete")), want[0] == '\0');
}

static bool contains(const char *haystack, const char *needle)
{
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

/* ---- the default table ------------------------------------------------------ */

/* deploy/pieces-requises.json, from the repository root or a build directory. */
static json_t *load_shipped_table(void)
{
    static const char *const candidates[] = {
        "deploy/pieces-requises.json", "../deploy/pieces-requises.json",
        "../../deploy/pieces-requises.json", "../../../deploy/pieces-requises.json", NULL};
    char err[256];

    for (size_t i = 0; candidates[i] != NULL; i++) {
        json_t *t = NULL;

        if (access(candidates[i], R_OK) != 0)
            continue;
        if (preinstruction_table_load(candidates[i], &t, err, sizeof(err)) != 0)
            fail_msg("%s", err);
        return t;
    }
    fail_msg("deploy/pieces-requises.json introuvable depuis le répertoire courant");
    return NULL;
}

static void test_default_table_is_shipped_table(void **state)
{
    json_t *builtin = preinstruction_table_default();
    json_t *shipped = load_shipped_table();
    char err[256];

    (void)state;
    assert_non_null(builtin);
    assert_int_equal(preinstruction_table_check(builtin, err, sizeof(err)), 0);
    assert_true(json_equal(builtin, shipped));
    assert_int_equal(json_array_size(json_object_get(builtin, "requirements")), 4);
    json_decref(builtin);
    json_decref(shipped);

    /* Each call returns the caller's own copy. */
    builtin = preinstruction_table_default();
    shipped = preinstruction_table_default();
    assert_ptr_not_equal(builtin, shipped);
    json_array_clear(json_object_get(builtin, "requirements"));
    assert_int_equal(json_array_size(json_object_get(shipped, "requirements")), 4);
    json_decref(builtin);
    json_decref(shipped);
}

/* One request's pieces against the table, one row a case: checks lists
 * "code=1" (present and met), "code=0" (present and unmet) and "-code"
 * (absent), separated by spaces; missing is missing_pieces joined by commas. */
struct requirement_case {
    const char *name, *prestation, *situation, *pieces, *checks, *missing;
};

#define ID "{\"kind\":\"identite\"}"
#define DOMICILE "{\"kind\":\"justificatif_domicile\"}"
#define DOMICILIATION "{\"kind\":\"attestation_domiciliation\"}"
#define RESSOURCES "{\"kind\":\"justificatif_ressources\"}"

static const struct requirement_case requirement_cases[] = {
    {"puma, nothing given: identity and residence, not resources", "puma", PUMA_SIT, "[]",
     "piece_identite=0 piece_residence=0 -piece_ressources -piece_soins",
     "identite,justificatif_domicile"},
    {"puma, identity only", "puma", PUMA_SIT, "[" ID "]",
     "piece_identite=1 piece_residence=0", "justificatif_domicile"},
    {"puma, residence only", "puma", PUMA_SIT, "[" DOMICILE "]",
     "piece_identite=0 piece_residence=1", "identite"},
    {"puma, complete", "puma", PUMA_SIT, "[" ID "," DOMICILE "]",
     "piece_identite=1 piece_residence=1 -piece_ressources", ""},
    /* A PUMa request is never retroactive: care declared before the deposit
     * asks for no proof of care. */
    {"puma with care before the deposit", "puma",
     "{\"puma_criterion\":\"residence\",\"residence_since\":\"2025-01-01\","
     "\"regular_stay\":true,\"care_dates\":[\"2026-10-01\"],"
     "\"hospitalization\":{\"admitted_on\":\"2026-09-01\",\"discharged_on\":null}}",
     "[" ID "," DOMICILE "]", "-piece_soins", ""},
    {"css, nothing given", "css", CSS_SIT, "[]",
     "piece_identite=0 piece_residence=0 piece_ressources=0 -piece_soins",
     "identite,justificatif_domicile,justificatif_ressources"},
    {"css without resources", "css", CSS_SIT, "[" ID "," DOMICILE "]", "piece_ressources=0",
     "justificatif_ressources"},
    {"css, complete", "css", CSS_SIT, "[" ID "," DOMICILE "," RESSOURCES "]",
     "piece_identite=1 piece_residence=1 piece_ressources=1", ""},
    {"css, resources only: identity and residence still missing", "css", CSS_SIT,
     "[" RESSOURCES "]", "piece_ressources=1", "identite,justificatif_domicile"},
    {"ame, nothing given", "ame", AME_SIT, "[]",
     "piece_identite=0 piece_residence=0 piece_ressources=0 -piece_soins",
     "identite,justificatif_domicile,justificatif_ressources"},
    {"ame, complete with a domiciliation", "ame", AME_SIT,
     "[" ID "," DOMICILIATION "," RESSOURCES "]",
     "piece_identite=1 piece_residence=1 piece_ressources=1", ""},
    {"ame without residence", "ame", AME_SIT, "[" ID "," RESSOURCES "]", "piece_residence=0",
     "justificatif_domicile"},
};

static void expect_requirement_case(const struct requirement_case *c, const json_t *r)
{
    char checks[256], got[512] = "", *save = NULL;
    size_t i;
    json_t *v;

    snprintf(checks, sizeof(checks), "%s", c->checks);
    for (char *t = strtok_r(checks, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save)) {
        const json_t *found;
        char *eq = strchr(t, '=');

        if (t[0] == '-') {
            if (find_check(r, t + 1) != NULL)
                fail_msg("case \"%s\": check %s unexpected", c->name, t + 1);
            continue;
        }
        *eq = '\0';
        found = find_check(r, t);
        if (found == NULL)
            fail_msg("case \"%s\": check %s absent", c->name, t);
        if (json_is_true(json_object_get(found, "ok")) != (eq[1] == '1'))
            fail_msg("case \"%s\": check %s ok should be %c", c->name, t, eq[1]);
    }
    json_array_foreach(json_object_get(r, "missing_pieces"), i, v) {
        if (i > 0)
            strcat(got, ",");
        strcat(got, json_string_value(v));
    }
    if (strcmp(got, c->missing) != 0)
        fail_msg("case \"%s\": missing \"%s\", expected \"%s\"", c->name, got, c->missing);
    if (json_is_true(json_object_get(r, "complete")) != (c->missing[0] == '\0'))
        fail_msg("case \"%s\": complete disagrees with the missing pieces", c->name);
}

static void test_requirements(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(requirement_cases) / sizeof(requirement_cases[0]); i++) {
        const struct requirement_case *c = &requirement_cases[i];
        json_t *r = run(c->prestation, c->situation, c->pieces);

        expect_requirement_case(c, r);
        json_decref(r);
    }
}

/* What a complete request proposes. */
static void test_complete_requests_propose(void **state)
{
    json_t *r;

    (void)state;
    /* CSS: not retroactive, the month after the decision. */
    r = run("css", CSS_SIT, "[" ID "," DOMICILE "," RESSOURCES "]");
    assert_false(json_is_true(json_object_get(json_object_get(r, "proposal"), "retroactive")));
    json_decref(r);
    r = run("ame", AME_SIT, "[" ID "," DOMICILIATION "," RESSOURCES "]");
    assert_true(json_is_true(json_object_get(json_object_get(r, "proposal"), "eligible")));
    json_decref(r);
}

/* The alternatives of any_of, and what satisfies nothing. */
static void test_alternatives(void **state)
{
    json_t *r;

    (void)state;
    /* A titre de séjour is an identity document; a domiciliation a residence. */
    r = run("css", CSS_SIT,
            "[{\"kind\":\"titre_sejour\"},{\"kind\":\"attestation_domiciliation\"},"
            "{\"kind\":\"justificatif_ressources\"}]");
    assert_check(r, "piece_identite", true);
    assert_check(r, "piece_residence", true);
    assert_true(contains(detail_of(r, "piece_identite"), "titre_sejour"));
    assert_true(contains(detail_of(r, "piece_residence"), "attestation_domiciliation"));
    assert_missing(r, "");
    json_decref(r);

    /* Both alternatives given: the first of any_of is named. */
    r = run("puma", PUMA_SIT,
            "[{\"kind\":\"titre_sejour\"},{\"kind\":\"identite\"},"
            "{\"kind\":\"justificatif_domicile\"}]");
    assert_true(contains(detail_of(r, "piece_identite"), "(identite)"));
    json_decref(r);

    /* "autre" and pieces of the wrong requirement satisfy nothing. */
    r = run("ame", AME_SIT,
            "[{\"kind\":\"autre\"},{\"kind\":\"justificatif_soins\"},{\"kind\":\"autre\"}]");
    assert_missing(r, "identite,justificatif_domicile,justificatif_ressources");
    assert_no_check(r, "pieces"); /* known kinds: nothing unreadable */
    json_decref(r);

    /* The same piece twice counts once and harms nothing. */
    r = run("puma", PUMA_SIT,
            "[{\"kind\":\"identite\"},{\"kind\":\"identite\"},"
            "{\"kind\":\"justificatif_domicile\"}]");
    assert_missing(r, "");
    json_decref(r);
}

static void test_check_details(void **state)
{
    json_t *r;
    const char *d;

    (void)state;
    r = run("css", CSS_SIT, "[{\"kind\":\"identite\"}]");
    d = detail_of(r, "piece_identite");
    assert_true(contains(d, "pièce fournie"));
    assert_true(contains(d, "Pièce d'identité"));
    d = detail_of(r, "piece_residence");
    assert_true(contains(d, "pièce manquante"));
    assert_true(contains(d, "justificatif_domicile ou attestation_domiciliation"));
    d = detail_of(r, "piece_ressources");
    assert_true(contains(d, "type attendu : justificatif_ressources"));
    json_decref(r);

    /* Completeness checks come first, in table order, before the conditions. */
    r = run("css", CSS_SIT, "[]");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r, "checks"), 0), "code")),
                        "piece_identite");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r, "checks"), 1), "code")),
                        "piece_residence");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r, "checks"), 2), "code")),
                        "piece_ressources");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r, "checks"), 3), "code")),
                        "css_puma");
    json_decref(r);
}

/* ---- retroactive requests --------------------------------------------------- */

static void test_retroactive_ame_requires_care_proof(void **state)
{
    json_t *r;
    const json_t *p;

    (void)state;
    /* Care on 2026-11-10, deposit 2026-11-20: rights from the care date. */
    r = run("ame", AME_CARE_SIT,
            "[{\"kind\":\"identite\"},{\"kind\":\"justificatif_domicile\"},"
            "{\"kind\":\"justificatif_ressources\"}]");
    p = json_object_get(r, "proposal");
    assert_true(json_is_true(json_object_get(p, "retroactive")));
    assert_string_equal(json_string_value(json_object_get(p, "start")), "2026-11-10");
    assert_check(r, "piece_soins", false);
    assert_missing(r, "justificatif_soins");
    assert_true(contains(detail_of(r, "piece_soins"), "rétroactive"));
    assert_true(contains(detail_of(r, "piece_soins"), "2026-11-10"));
    json_decref(r);

    r = run("ame", AME_CARE_SIT, ALL_PIECES);
    assert_check(r, "piece_soins", true);
    assert_missing(r, "");
    json_decref(r);

    /* Nothing at all: the four kinds, proof of care last. */
    r = run("ame", AME_CARE_SIT, "[]");
    assert_missing(r,
                   "identite,justificatif_domicile,justificatif_ressources,justificatif_soins");
    json_decref(r);

    /* Care on the deposit day is covered by the normal start: no proof. */
    r = run("ame",
            "{\"regular_stay\":false,\"irregular_since\":\"2025-01-05\","
            "\"resources_under_ceiling\":true,\"care_dates\":[\"2026-11-20\"]}",
            "[{\"kind\":\"identite\"},{\"kind\":\"justificatif_domicile\"},"
            "{\"kind\":\"justificatif_ressources\"}]");
    assert_no_check(r, "piece_soins");
    assert_missing(r, "");
    json_decref(r);

    /* The AME deposit date is the partner's when the caller says so: care on
     * 2026-11-10, deposited 2026-11-12, received 2026-11-20. */
    r = run_full(NULL, "ame", AME_CARE_SIT, "[]", D("2026-11-20"), D("2026-11-12"),
                 D("2026-11-20"));
    assert_check(r, "piece_soins", false);
    json_decref(r);
    /* Deposited on the care date itself: not before, no proof of care. */
    r = run_full(NULL, "ame", AME_CARE_SIT, "[]", D("2026-11-20"), D("2026-11-10"),
                 D("2026-11-20"));
    assert_no_check(r, "piece_soins");
    json_decref(r);
}

/* Care before the deposit that the simulation did not turn into an earlier
 * start still asks for its proof (documented choice). */
static void test_care_before_deposit_without_retroactivity(void **state)
{
    json_t *r;
    const json_t *p;

    (void)state;
    /* More than 90 days before the deposit: no retroactivity, proof asked. */
    r = run("ame",
            "{\"regular_stay\":false,\"irregular_since\":\"2025-01-05\","
            "\"resources_under_ceiling\":true,\"care_dates\":[\"2026-01-10\"]}",
            "[{\"kind\":\"identite\"},{\"kind\":\"justificatif_domicile\"},"
            "{\"kind\":\"justificatif_ressources\"}]");
    p = json_object_get(r, "proposal");
    assert_true(json_is_true(json_object_get(p, "eligible")));
    assert_false(json_is_true(json_object_get(p, "retroactive")));
    assert_check(r, "piece_soins", false);
    assert_true(contains(detail_of(r, "piece_soins"), "soins antérieurs au dépôt du 2026-11-20"));
    assert_missing(r, "justificatif_soins");
    json_decref(r);

    /* Refused for the three months, soins urgents fallback: proof asked. */
    r = run("ame",
            "{\"regular_stay\":false,\"irregular_since\":\"2026-10-01\","
            "\"resources_under_ceiling\":true,\"hospitalization\":"
            "{\"admitted_on\":\"2026-11-10\",\"discharged_on\":\"2026-11-12\"}}",
            ALL_PIECES);
    p = json_object_get(r, "proposal");
    assert_false(json_is_true(json_object_get(p, "eligible")));
    assert_true(json_is_object(json_object_get(p, "fallback")));
    assert_check(r, "piece_soins", true);
    assert_check(r, "ame_residence_plus_3_mois", false);
    assert_missing(r, "");
    json_decref(r);

    /* CSS: a hospitalisation before the deposit asks for proof, even when too
     * old for the hospitalisation rule... */
    r = run("css",
            "{\"puma_start\":\"2020-01-01\",\"resources_under_ceiling\":true,"
            "\"hospitalization\":{\"admitted_on\":\"2026-01-10\","
            "\"discharged_on\":\"2026-01-20\"}}",
            "[{\"kind\":\"identite\"},{\"kind\":\"justificatif_domicile\"},"
            "{\"kind\":\"justificatif_ressources\"}]");
    assert_false(json_is_true(json_object_get(json_object_get(r, "proposal"), "retroactive")));
    assert_check(r, "piece_soins", false);
    json_decref(r);
    /* ...but CSS ignores care_dates, and so does its pre-instruction. */
    r = run("css",
            "{\"puma_start\":\"2020-01-01\",\"resources_under_ceiling\":true,"
            "\"care_dates\":[\"2026-11-01\"]}",
            "[{\"kind\":\"identite\"},{\"kind\":\"justificatif_domicile\"},"
            "{\"kind\":\"justificatif_ressources\"}]");
    assert_no_check(r, "piece_soins");
    assert_missing(r, "");
    json_decref(r);

    /* An invalid situation (no proposal) still sees the declared care. */
    r = run("ame",
            "{\"regular_stay\":\"non\",\"irregular_since\":\"2025-01-05\","
            "\"care_dates\":[\"2026-11-10\",\"pas une date\"]}",
            "[]");
    assert_true(json_is_null(json_object_get(r, "proposal")));
    assert_check(r, "piece_soins", false);
    assert_check(r, "simulation", false);
    json_decref(r);
}

static void test_retroactive_css(void **state)
{
    json_t *r;

    (void)state;
    /* Hospitalised before the deposit: rights from the month of admission. */
    r = run("css",
            "{\"puma_start\":\"2020-01-01\",\"resources_under_ceiling\":true,"
            "\"hospitalization\":{\"admitted_on\":\"2026-11-10\",\"discharged_on\":null}}",
            "[{\"kind\":\"identite\"},{\"kind\":\"justificatif_domicile\"},"
            "{\"kind\":\"justificatif_ressources\"}]");
    assert_true(json_is_true(json_object_get(json_object_get(r, "proposal"), "retroactive")));
    assert_check(r, "piece_soins", false);
    assert_missing(r, "justificatif_soins");
    json_decref(r);

    /* Precarious: the month of the deposit, earlier than the month after the
     * decision, is retroactive in SPEC §5's sense, so proof of care is asked
     * (documented consequence of the spec's rule). */
    r = run("css",
            "{\"puma_start\":\"2020-01-01\",\"resources_under_ceiling\":true,"
            "\"precarious\":true}",
            ALL_PIECES);
    assert_true(json_is_true(json_object_get(json_object_get(r, "proposal"), "retroactive")));
    assert_check(r, "piece_soins", true);
    assert_missing(r, "");
    json_decref(r);

    /* Refused: not retroactive, no care before deposit, no proof asked. */
    r = run("css", "{\"resources_under_ceiling\":true,\"precarious\":true}", "[]");
    assert_false(json_is_true(json_object_get(json_object_get(r, "proposal"), "eligible")));
    assert_no_check(r, "piece_soins");
    assert_check(r, "css_puma", false);
    json_decref(r);
}

/* ---- the proposal ------------------------------------------------------------ */

static json_t *engine(const char *situation, const char *prestation, cal_date received,
                      cal_date deposit, cal_date decided)
{
    struct droits_input in;
    struct droits_result out;
    json_t *s = J(situation);
    json_t *errors = json_array();
    json_t *o;

    assert_int_equal(droits_input_from_situation(s, prestation, received, deposit, decided, &in,
                                                 errors),
                     0);
    droits_simulate(&in, &out);
    o = droits_result_to_json(&out);
    json_decref(s);
    json_decref(errors);
    return o;
}

static bool is_start_rule(const char *code)
{
    static const char *const rules[] = {"css_hospitalisation", "css_urgence",
                                        "css_mois_suivant_decision", "css_debut_puma",
                                        "ame_retroactivite_soins", "ame_soins_urgents", NULL};

    for (size_t i = 0; rules[i] != NULL; i++)
        if (strcmp(code, rules[i]) == 0)
            return true;
    return false;
}

static void test_proposal_equals_engine(void **state)
{
    static const struct {
        const char *prestation, *situation, *received, *deposit, *decided;
    } cases[] = {
        {"puma", PUMA_SIT, "2026-11-20", NULL, "2026-11-20"},
        {"puma", "{\"puma_criterion\":\"residence\",\"residence_since\":\"2026-10-01\","
                 "\"regular_stay\":true}", "2026-11-20", NULL, "2026-11-20"},
        {"puma", "{\"puma_criterion\":\"activite\",\"activity_start\":\"2026-09-01\","
                 "\"regular_stay\":true}", "2026-11-20", NULL, "2026-11-25"},
        {"css", CSS_SIT, "2026-11-20", NULL, "2026-12-03"},
        {"css", "{\"puma_start\":\"2022-01-01\",\"resources_under_ceiling\":true,"
                "\"hospitalization\":{\"admitted_on\":\"2022-04-10\",\"discharged_on\":null}}",
         "2022-04-30", NULL, "2022-05-15"},
        {"css", "{\"resources_under_ceiling\":false,\"puma_start\":\"2020-01-01\"}",
         "2026-11-20", NULL, "2026-11-20"},
        {"ame", "{\"regular_stay\":false,\"irregular_since\":\"2021-01-05\","
                "\"resources_under_ceiling\":true,\"hospitalization\":"
                "{\"admitted_on\":\"2021-04-10\",\"discharged_on\":null}}",
         "2021-04-22", NULL, "2021-05-03"},
        {"ame", "{\"regular_stay\":false,\"irregular_since\":\"2020-11-21\","
                "\"resources_under_ceiling\":true,\"hospitalization\":"
                "{\"admitted_on\":\"2020-11-25\",\"discharged_on\":null}}",
         "2021-01-13", NULL, "2021-01-20"},
        {"ame", AME_CARE_SIT, "2026-11-20", "2026-11-15", "2026-11-27"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cal_date dep = cases[i].deposit ? D(cases[i].deposit) : DROITS_NO_DATE;
        json_t *want = engine(cases[i].situation, cases[i].prestation, D(cases[i].received), dep,
                              D(cases[i].decided));
        json_t *r = run_full(NULL, cases[i].prestation, cases[i].situation, ALL_PIECES,
                             D(cases[i].received), dep, D(cases[i].decided));
        const json_t *proposal = json_object_get(r, "proposal");
        size_t j;
        json_t *c;

        if (!json_equal(proposal, want))
            fail_msg("cas %zu : la proposition diffère du moteur de droits", i);
        /* Each eligibility condition is repeated as written; start rules are not. */
        json_array_foreach(json_object_get(want, "checks"), j, c) {
            const char *code = json_string_value(json_object_get(c, "code"));
            const json_t *mine = find_check(r, code);

            if (is_start_rule(code)) {
                assert_null(mine);
            } else {
                assert_non_null(mine);
                assert_true(json_equal(mine, c));
            }
        }
        assert_no_check(r, "simulation");
        json_decref(want);
        json_decref(r);
    }
}

static void test_dates(void **state)
{
    json_t *a, *b;

    (void)state;
    /* DROITS_NO_DATE as deposit means received_on. */
    a = run_full(NULL, "ame", AME_CARE_SIT, "[]", D("2026-11-20"), DROITS_NO_DATE,
                 D("2026-11-20"));
    b = run_full(NULL, "ame", AME_CARE_SIT, "[]", D("2026-11-20"), D("2026-11-20"),
                 D("2026-11-20"));
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);

    /* A dossier still "depose": received_on is its deposit date. */
    a = run_full(NULL, "ame", AME_SIT, "[]", D("2026-11-18"), D("2026-11-18"), D("2026-11-20"));
    assert_true(json_is_object(json_object_get(a, "proposal")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(a, "proposal"),
                                                          "start")),
                        "2026-11-18");
    json_decref(a);

    /* Unusable dates: no proposal, a failed "simulation" check, pieces judged. */
    {
        const cal_date bad[] = {DROITS_NO_DATE, {2026, 2, 30}, {9999, 12, 31}, {2026, 13, 1},
                                {-5, 1, 1}};

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            a = run_full(NULL, "ame", AME_SIT, "[]", bad[i], DROITS_NO_DATE, D("2026-11-20"));
            assert_true(json_is_null(json_object_get(a, "proposal")));
            assert_check(a, "simulation", false);
            assert_true(contains(detail_of(a, "simulation"), "date"));
            assert_missing(a, "identite,justificatif_domicile,justificatif_ressources");
            json_decref(a);
            a = run_full(NULL, "ame", AME_SIT, "[]", D("2026-11-20"), DROITS_NO_DATE, bad[i]);
            assert_check(a, "simulation", false);
            json_decref(a);
            if (!droits_date_set(bad[i]))
                continue; /* absent deposit: received_on, tested above */
            a = run_full(NULL, "ame", AME_SIT, "[]", D("2026-11-20"), bad[i], D("2026-11-20"));
            assert_check(a, "simulation", false);
            json_decref(a);
        }
    }
}

/* ---- the table loader --------------------------------------------------------- */

/* Write text to a fresh temporary file; the caller unlinks path. */
static void write_temp(char *path, size_t len, const char *text)
{
    int fd;
    size_t n = strlen(text);

    snprintf(path, len, "/tmp/epart-pieces-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
}

static int load_text(const char *text, json_t **out, char *err, size_t errlen)
{
    char path[64];
    int rc;

    write_temp(path, sizeof(path), text);
    rc = preinstruction_table_load(path, out, err, errlen);
    unlink(path);
    return rc;
}

static void test_table_load_valid(void **state)
{
    json_t *t = NULL, *r;
    char err[256] = "";

    (void)state;
    /* A table of its own: titre de séjour not an identity, a piece for all. */
    assert_int_equal(
        load_text("{\"requirements\":["
                  "{\"code\":\"id\",\"any_of\":[\"identite\"],\"when\":\"always\"},"
                  "{\"code\":\"sejour\",\"label\":\"Titre de séjour\",\"any_of\":"
                  "[\"titre_sejour\"],\"prestations\":[\"puma\"]}]}",
                  &t, err, sizeof(err)),
        0);
    assert_non_null(t);
    r = run_full(t, "puma", PUMA_SIT, "[{\"kind\":\"titre_sejour\"}]", D("2026-11-20"),
                 DROITS_NO_DATE, D("2026-11-20"));
    assert_check(r, "piece_id", false);
    assert_check(r, "piece_sejour", true);
    assert_missing(r, "identite");
    /* The label falls back to the code. */
    assert_true(contains(detail_of(r, "piece_id"), "« id »"));
    json_decref(r);
    r = run_full(t, "ame", AME_SIT, "[{\"kind\":\"identite\"}]", D("2026-11-20"),
                 DROITS_NO_DATE, D("2026-11-20"));
    assert_no_check(r, "piece_sejour");
    assert_missing(r, "");
    json_decref(r);
    json_decref(t);

    /* No requirement at all: every dossier is complete. */
    assert_int_equal(load_text("{\"requirements\":[],\"description\":\"vide\"}", &t, err,
                               sizeof(err)),
                     0);
    r = run_full(t, "css", CSS_SIT, "[]", D("2026-11-20"), DROITS_NO_DATE, D("2026-11-20"));
    assert_missing(r, "");
    assert_true(json_is_object(json_object_get(r, "proposal")));
    json_decref(r);
    json_decref(t);

    /* Two requirements asking for the same first kind list it once. */
    assert_int_equal(
        load_text("{\"requirements\":["
                  "{\"code\":\"a\",\"any_of\":[\"justificatif_domicile\"]},"
                  "{\"code\":\"b\",\"any_of\":[\"justificatif_ressources\"]},"
                  "{\"code\":\"c\",\"any_of\":[\"justificatif_domicile\","
                  "\"attestation_domiciliation\"]}]}",
                  &t, err, sizeof(err)),
        0);
    r = run_full(t, "puma", PUMA_SIT, "[]", D("2026-11-20"), DROITS_NO_DATE, D("2026-11-20"));
    assert_missing(r, "justificatif_domicile,justificatif_ressources");
    assert_check(r, "piece_a", false);
    assert_check(r, "piece_c", false);
    json_decref(r);
    json_decref(t);

    /* The longest code and label are accepted. */
    {
        char text[1024], code[PREINSTRUCTION_CODE_MAX + 1], label[PREINSTRUCTION_LABEL_MAX + 1];

        memset(code, 'a', PREINSTRUCTION_CODE_MAX);
        code[PREINSTRUCTION_CODE_MAX] = '\0';
        for (int i = 0; i < PREINSTRUCTION_LABEL_MAX; i += 2)
            memcpy(label + i, "\xc3\xa9", 2); /* é: 2 bytes */
        label[PREINSTRUCTION_LABEL_MAX] = '\0';
        snprintf(text, sizeof(text),
                 "{\"requirements\":[{\"code\":\"%s\",\"label\":\"%s\",\"any_of\":"
                 "[\"identite\",\"justificatif_domicile\",\"attestation_domiciliation\","
                 "\"justificatif_ressources\",\"justificatif_soins\",\"titre_sejour\","
                 "\"autre\"]}]}",
                 code, label);
        assert_int_equal(load_text(text, &t, err, sizeof(err)), 0);
        r = run_full(t, "css", CSS_SIT, "[]", D("2026-11-20"), DROITS_NO_DATE, D("2026-11-20"));
        assert_missing(r, "identite");
        json_decref(r);
        json_decref(t);
    }
}

static void assert_load_fails(const char *text, const char *in_message)
{
    json_t *t = (json_t *)1;
    char err[512] = "";

    if (load_text(text, &t, err, sizeof(err)) != -1)
        fail_msg("table acceptée à tort : %s", text);
    assert_null(t);
    if (!contains(err, in_message))
        fail_msg("message « %s » sans « %s »", err, in_message);
}

static void test_table_load_invalid(void **state)
{
    json_t *t = (json_t *)1;
    char err[256] = "", big[8192];
    size_t n;

    (void)state;
    /* Not JSON, or not the right JSON. */
    assert_load_fails("{\"requirements\":[", "line");
    assert_load_fails("", "line");
    assert_load_fails("[]", "JSON object");
    assert_load_fails("{}", "requirements");
    assert_load_fails("{\"requirements\":{}}", "requirements");
    assert_load_fails("{\"requirements\":[],\"requirement\":[]}", "requirement");
    assert_load_fails("{\"requirements\":[],\"description\":5}", "description");
    assert_load_fails("{\"requirements\":[],\"requirements\":[]}", "duplicate");
    assert_load_fails("{\"requirements\":[42]}", "requirements[0]");

    /* Kinds. */
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"passeport\"]}]}",
                      "unknown piece kind");
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"Identite\"]}]}",
                      "any_of[0]");
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"identite\",\"x\"]}]}",
                      "any_of[1]");
    /* A NUL inside a kind is refused by the parser; built by hand, by the check. */
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"identite\\u0000\"]}]}",
                      "line");
    {
        json_t *tbl = J("{\"requirements\":[{\"code\":\"a\",\"any_of\":[]}]}");

        json_array_append_new(json_object_get(json_array_get(json_object_get(tbl, "requirements"),
                                                             0),
                                              "any_of"),
                              json_stringn("identite\0x", 10));
        assert_int_equal(preinstruction_table_check(tbl, err, sizeof(err)), -1);
        assert_true(contains(err, "any_of[0]"));
        json_decref(tbl);
    }
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[]}]}", "any_of");
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":\"identite\"}]}", "any_of");
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[1]}]}", "any_of[0]");
    assert_load_fails("{\"requirements\":[{\"code\":\"a\"}]}", "any_of");
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"identite\","
                      "\"identite\"]}]}",
                      "twice");

    /* Prestations. */
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"identite\"],"
                      "\"prestations\":[\"cmu\"]}]}",
                      "unknown prestation");
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"identite\"],"
                      "\"prestations\":[\"PUMA\"]}]}",
                      "prestations[0]");
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"identite\"],"
                      "\"prestations\":[]}]}",
                      "prestations");
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"identite\"],"
                      "\"prestations\":\"css\"}]}",
                      "prestations");
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"identite\"],"
                      "\"prestations\":[\"css\",\"css\"]}]}",
                      "twice");
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"identite\"],"
                      "\"prestations\":null}]}",
                      "prestations");

    /* when. */
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"identite\"],"
                      "\"when\":\"retroactif\"}]}",
                      "when");
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"identite\"],"
                      "\"when\":true}]}",
                      "when");
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"identite\"],"
                      "\"when\":\"\"}]}",
                      "when");

    /* Codes, labels, members. */
    assert_load_fails("{\"requirements\":[{\"any_of\":[\"identite\"]}]}", "code");
    assert_load_fails("{\"requirements\":[{\"code\":\"\",\"any_of\":[\"identite\"]}]}", "code");
    assert_load_fails("{\"requirements\":[{\"code\":\"Identite\",\"any_of\":[\"identite\"]}]}",
                      "code");
    assert_load_fails("{\"requirements\":[{\"code\":\"1a\",\"any_of\":[\"identite\"]}]}",
                      "code");
    assert_load_fails("{\"requirements\":[{\"code\":\"a-b\",\"any_of\":[\"identite\"]}]}",
                      "code");
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"identite\"]},"
                      "{\"code\":\"a\",\"any_of\":[\"autre\"]}]}",
                      "used twice");
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"identite\"],"
                      "\"label\":\"\"}]}",
                      "label");
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"identite\"],"
                      "\"label\":null}]}",
                      "label");
    assert_load_fails("{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"identite\"],"
                      "\"prestation\":[\"css\"]}]}",
                      "unknown member \"prestation\"");
    {
        char text[256], code[PREINSTRUCTION_CODE_MAX + 2];

        memset(code, 'a', sizeof(code) - 1);
        code[sizeof(code) - 1] = '\0';
        snprintf(text, sizeof(text),
                 "{\"requirements\":[{\"code\":\"%s\",\"any_of\":[\"identite\"]}]}", code);
        assert_load_fails(text, "code");
    }
    {
        char text[1024], label[PREINSTRUCTION_LABEL_MAX + 2];

        memset(label, 'x', sizeof(label) - 1);
        label[sizeof(label) - 1] = '\0';
        snprintf(text, sizeof(text),
                 "{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"identite\"],"
                 "\"label\":\"%s\"}]}",
                 label);
        assert_load_fails(text, "label");
    }

    /* Too many requirements. */
    n = (size_t)snprintf(big, sizeof(big), "{\"requirements\":[");
    for (int i = 0; i <= PREINSTRUCTION_MAX_REQUIREMENTS; i++)
        n += (size_t)snprintf(big + n, sizeof(big) - n,
                              "%s{\"code\":\"r%d\",\"any_of\":[\"autre\"]}", i ? "," : "", i);
    snprintf(big + n, sizeof(big) - n, "]}");
    assert_load_fails(big, "at most");

    /* A missing file; a NULL path; err may be NULL. */
    assert_int_equal(preinstruction_table_load("/nonexistent/pieces.json", &t, err, sizeof(err)),
                     -1);
    assert_null(t);
    assert_true(contains(err, "/nonexistent/pieces.json"));
    t = (json_t *)1;
    assert_int_equal(preinstruction_table_load(NULL, &t, err, sizeof(err)), -1);
    assert_null(t);
    assert_int_equal(preinstruction_table_load("/nonexistent/pieces.json", &t, NULL, 0), -1);
    assert_int_equal(preinstruction_table_check(NULL, NULL, 0), -1);
    assert_int_equal(preinstruction_table_check(NULL, err, 1), -1);
    assert_string_equal(err, "");
}

/* ---- hostile inputs ---------------------------------------------------------- */

static void test_hostile_pieces(void **state)
{
    static const char *const not_arrays[] = {"{}", "{\"kind\":\"identite\"}", "\"identite\"",
                                             "42", "true"};
    json_t *r;

    (void)state;
    for (size_t i = 0; i < sizeof(not_arrays) / sizeof(not_arrays[0]); i++) {
        r = run("css", CSS_SIT, not_arrays[i]);
        assert_check(r, "pieces", false);
        assert_true(contains(detail_of(r, "pieces"), "pas un tableau"));
        assert_missing(r, "identite,justificatif_domicile,justificatif_ressources");
        json_decref(r);
    }

    /* NULL and null are no pieces, without complaint. */
    r = run("puma", PUMA_SIT, NULL);
    assert_no_check(r, "pieces");
    assert_missing(r, "identite,justificatif_domicile");
    json_decref(r);
    r = run("puma", PUMA_SIT, "null");
    assert_no_check(r, "pieces");
    assert_missing(r, "identite,justificatif_domicile");
    json_decref(r);

    /* Entries that are not objects, kinds that are not known strings: counted
     * as unreadable, while the readable ones still count. */
    r = run("puma", PUMA_SIT,
            "[1, \"identite\", null, [\"identite\"], {}, {\"kind\":null}, {\"kind\":7},"
            " {\"kind\":{\"x\":1}}, {\"kind\":[\"identite\"]}, {\"kind\":\"IDENTITE\"},"
            " {\"kind\":\"passeport\"}, {\"kind\":\"justificatif_domicile\"}]");
    assert_check(r, "pieces", false);
    assert_true(contains(detail_of(r, "pieces"), "11 pièce(s) illisible(s)"));
    assert_check(r, "piece_identite", false);
    assert_check(r, "piece_residence", true);
    assert_missing(r, "identite");
    assert_true(json_is_object(json_object_get(r, "proposal")));
    json_decref(r);

    /* A kind with a NUL inside (only a program can build one) is not "identite". */
    {
        json_t *pieces = json_pack("[{s:s#}]", "kind", "identite\0x", 10);
        json_t *sit = J(PUMA_SIT);

        r = preinstruction_run(NULL, "puma", sit, pieces, D("2026-11-20"), DROITS_NO_DATE,
                               D("2026-11-20"));
        assert_shape(r);
        assert_check(r, "pieces", false);
        assert_check(r, "piece_identite", false);
        json_decref(r);
        json_decref(pieces);
        json_decref(sit);
    }

    /* The pieces check comes first. */
    r = run("puma", PUMA_SIT, "[0]");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r, "checks"), 0), "code")),
                        "pieces");
    json_decref(r);

    /* Many pieces. */
    {
        json_t *pieces = json_array();
        json_t *s = J(PUMA_SIT);

        for (int i = 0; i < 20000; i++)
            json_array_append_new(pieces, json_pack("{s:s}", "kind", i % 2 ? "autre" : "identite"));
        r = preinstruction_run(NULL, "puma", s, pieces, D("2026-11-20"), DROITS_NO_DATE,
                               D("2026-11-20"));
        assert_shape(r);
        assert_missing(r, "justificatif_domicile");
        json_decref(r);
        json_decref(pieces);
        json_decref(s);
    }
}

static void test_hostile_situation(void **state)
{
    static const char *const situations[] = {"null", "[]", "\"ame\"", "3", "{}",
                                             "{\"irregular_since\":\"2025-02-30\"}",
                                             "{\"care_dates\":{\"a\":1}}"};
    json_t *r;
    const char *d;

    (void)state;
    /* A NULL pointer. */
    r = run("ame", NULL, ALL_PIECES);
    assert_true(json_is_null(json_object_get(r, "proposal")));
    assert_check(r, "simulation", false);
    assert_true(contains(detail_of(r, "simulation"), "situation"));
    assert_missing(r, "");
    json_decref(r);

    for (size_t i = 0; i < sizeof(situations) / sizeof(situations[0]); i++) {
        r = run("puma", situations[i], "[]");
        assert_true(json_is_null(json_object_get(r, "proposal")));
        assert_check(r, "simulation", false);
        assert_missing(r, "identite,justificatif_domicile");
        json_decref(r);
    }

    /* The detail names the invalid fields, at most three of them. */
    r = run("ame",
            "{\"regular_stay\":\"non\",\"irregular_since\":\"2025-02-30\","
            "\"resources_under_ceiling\":1,\"precarious\":\"oui\",\"care_dates\":5}",
            "[]");
    d = detail_of(r, "simulation");
    assert_true(contains(d, "situation.regular_stay"));
    assert_true(contains(d, "situation.irregular_since"));
    assert_true(contains(d, "Et 2 autre(s)"));
    assert_no_check(r, "ame_ressources");
    json_decref(r);

    /* Prestation unknown or absent: no simulation; every requirement applies. */
    r = run("AME", AME_SIT, "[]");
    assert_check(r, "simulation", false);
    assert_true(contains(detail_of(r, "simulation"), "prestation"));
    assert_missing(r, "identite,justificatif_domicile,justificatif_ressources");
    json_decref(r);
    r = run(NULL, AME_SIT, ALL_PIECES);
    assert_check(r, "simulation", false);
    assert_check(r, "piece_ressources", true);
    assert_missing(r, "");
    json_decref(r);
}

/* A table that never went through the check must not crash the run. */
static void test_unchecked_tables(void **state)
{
    static const char *const tables[] = {
        "[]", "42", "{}", "{\"requirements\":{}}", "{\"requirements\":[1,null,[]]}",
        "{\"requirements\":[{\"any_of\":[\"identite\"]}]}",
        "{\"requirements\":[{\"code\":\"a\"}]}",
        "{\"requirements\":[{\"code\":\"a\",\"any_of\":\"identite\"}]}",
        "{\"requirements\":[{\"code\":\"a\",\"any_of\":[]}]}",
        "{\"requirements\":[{\"code\":\"a\",\"any_of\":[\"x\",5,null]}]}",
        "{\"requirements\":[{\"code\":\"A B\",\"any_of\":[\"identite\"]}]}",
        "{\"requirements\":[{\"code\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
        "\"any_of\":[\"identite\"]}]}",
    };
    json_t *r;

    (void)state;
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        json_t *t = J(tables[i]);

        assert_int_equal(preinstruction_table_check(t, NULL, 0), -1);
        r = run_full(t, "css", CSS_SIT, "[]", D("2026-11-20"), DROITS_NO_DATE, D("2026-11-20"));
        assert_missing(r, "");
        json_decref(r);
        json_decref(t);
    }

    /* Unknown kinds in any_of are ignored, the first known one is asked for;
     * unreadable prestations and when read as absent; an over-long label
     * gives way to the code. */
    {
        char text[2048], label[600];
        json_t *t;

        memset(label, 'x', sizeof(label) - 1);
        label[sizeof(label) - 1] = '\0';
        snprintf(text, sizeof(text),
                 "{\"requirements\":[{\"code\":\"a\",\"label\":\"%s\",\"any_of\":[\"x\","
                 "\"justificatif_soins\",\"identite\"],\"prestations\":\"puma\","
                 "\"when\":\"parfois\"}]}",
                 label);
        t = J(text);
        r = run_full(t, "css", CSS_SIT, "[]", D("2026-11-20"), DROITS_NO_DATE, D("2026-11-20"));
        assert_missing(r, "justificatif_soins");
        assert_true(contains(detail_of(r, "piece_a"), "« a »"));
        assert_true(contains(detail_of(r, "piece_a"), "justificatif_soins ou identite"));
        json_decref(r);
        json_decref(t);
    }
}

/* Random JSON of every type, nested a little. */
static unsigned long rng_state = 0x2545F4914F6CDD1DUL;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

static json_t *random_value(int depth)
{
    static const char *const strings[] = {
        "identite", "titre_sejour", "justificatif_domicile", "attestation_domiciliation",
        "justificatif_ressources", "justificatif_soins", "autre", "2026-11-10", "2026-02-30",
        "2025-01-05", "", "puma", "css", "ame", "always", "retroactive", "\xc3\xa9t\xc3\xa9"};
    static const char *const keys[] = {
        "kind", "code", "any_of", "prestations", "when", "label", "requirements",
        "regular_stay", "irregular_since", "resources_under_ceiling", "care_dates",
        "hospitalization", "admitted_on", "discharged_on", "puma_start", "precarious",
        "puma_criterion", "residence_since"};
    json_t *v, *c;
    unsigned n;

    switch (depth > 3 ? rnd(5) : rnd(8)) {
    case 0: return json_null();
    case 1: return json_boolean(rnd(2));
    case 2: return json_integer((json_int_t)rnd(1000) - 500);
    case 3: return json_real(0.5);
    case 4: return json_string(strings[rnd(sizeof(strings) / sizeof(strings[0]))]);
    case 5:
    case 6:
        v = json_object();
        n = rnd(6);
        for (unsigned i = 0; i < n; i++) {
            c = random_value(depth + 1);
            json_object_set_new(v, keys[rnd(sizeof(keys) / sizeof(keys[0]))], c);
        }
        return v;
    default:
        v = json_array();
        n = rnd(6);
        for (unsigned i = 0; i < n; i++)
            json_array_append_new(v, random_value(depth + 1));
        return v;
    }
}

static void test_fuzz_random_inputs(void **state)
{
    static const char *const prestations[] = {"puma", "css", "ame", "x", NULL};
    json_t *def = preinstruction_table_default();

    (void)state;
    for (int i = 0; i < 20000; i++) {
        json_t *table = rnd(3) == 0 ? random_value(0) : NULL;
        json_t *situation = random_value(0);
        json_t *pieces = random_value(0);
        const char *p = prestations[rnd(5)];
        cal_date received = cal_add_days(D("2026-01-01"), rnd(400));
        cal_date deposit = rnd(2) ? DROITS_NO_DATE : cal_add_days(received, -(int)rnd(20));
        json_t *r = preinstruction_run(table != NULL ? table : (rnd(2) ? def : NULL), p,
                                       situation, pieces, received, deposit,
                                       cal_add_days(received, rnd(60)));

        assert_shape(r);
        json_decref(r);
        json_decref(table);
        json_decref(situation);
        json_decref(pieces);
    }
    json_decref(def);
}

/* ---- threads ----------------------------------------------------------------- */

struct thread_arg {
    const json_t *table;
    const json_t *situation;
    const json_t *pieces;
    const json_t *want;
    int mismatches;
};

static void *thread_main(void *p)
{
    struct thread_arg *a = p;

    for (int i = 0; i < 300; i++) {
        json_t *r = preinstruction_run(i % 2 ? a->table : NULL, "ame", a->situation, a->pieces,
                                       D("2026-11-20"), DROITS_NO_DATE, D("2026-11-20"));

        if (r == NULL || !json_equal(r, a->want))
            a->mismatches++;
        json_decref(r);
    }
    return NULL;
}

static void test_threads_share_a_table(void **state)
{
    json_t *table = preinstruction_table_default();
    json_t *situation = J(AME_CARE_SIT);
    json_t *pieces = J("[{\"kind\":\"titre_sejour\"}]");
    json_t *want = preinstruction_run(table, "ame", situation, pieces, D("2026-11-20"),
                                      DROITS_NO_DATE, D("2026-11-20"));
    struct thread_arg args[4];
    pthread_t th[4];

    (void)state;
    assert_shape(want);
    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){table, situation, pieces, want, 0};
        assert_int_equal(pthread_create(&th[i], NULL, thread_main, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(args[i].mismatches, 0);
    }
    json_decref(want);
    json_decref(pieces);
    json_decref(situation);
    json_decref(table);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_table_is_shipped_table),
        cmocka_unit_test(test_requirements),
        cmocka_unit_test(test_complete_requests_propose),
        cmocka_unit_test(test_alternatives),
        cmocka_unit_test(test_check_details),
        cmocka_unit_test(test_retroactive_ame_requires_care_proof),
        cmocka_unit_test(test_care_before_deposit_without_retroactivity),
        cmocka_unit_test(test_retroactive_css),
        cmocka_unit_test(test_proposal_equals_engine),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_table_load_valid),
        cmocka_unit_test(test_table_load_invalid),
        cmocka_unit_test(test_hostile_pieces),
        cmocka_unit_test(test_hostile_situation),
        cmocka_unit_test(test_unchecked_tables),
        cmocka_unit_test(test_fuzz_random_inputs),
        cmocka_unit_test(test_threads_share_a_table),
    };

    assert_true(cal_init());
    return cmocka_run_group_tests(tests, NULL, NULL);
}
