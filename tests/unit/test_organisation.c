/*
 * test_organisation.c — conventions in force (SPEC §3), AME habilitation, and
 * the bodies of POST and PATCH /v1/organisations.
 */
#include "errassert.h"

#include "calendar.h"
#include "caltest.h"
#include "organisation.h"

static bool in_force(const char *convention, const char *day)
{
    json_t *c = J(convention);
    bool r = convention_in_force(c, D(day));

    json_decref(c);
    return r;
}

/* ---- conventions ------------------------------------------------------------- */

static void test_convention_term(void **state)
{
    const char *c = "{\"signed_on\":\"2025-11-23\",\"duration_months\":12,"
                    "\"tacit_renewal\":false,\"terminated_on\":null}";

    (void)state;
    assert_false(in_force(c, "2025-11-22"));
    assert_true(in_force(c, "2025-11-23")); /* signed_on ≤ t */
    assert_true(in_force(c, "2026-11-22"));
    assert_false(in_force(c, "2026-11-23")); /* t < signed_on + 12 months */
    assert_false(in_force(c, "2030-01-01"));
}

static void test_convention_month_end(void **state)
{
    (void)state;
    /* 2026-01-31 + 1 month = 2026-02-28 (clamped). */
    assert_true(in_force("{\"signed_on\":\"2026-01-31\",\"duration_months\":1,"
                         "\"tacit_renewal\":false}", "2026-02-27"));
    assert_false(in_force("{\"signed_on\":\"2026-01-31\",\"duration_months\":1,"
                          "\"tacit_renewal\":false}", "2026-02-28"));
    /* Leap day: 2024-02-29 + 12 months = 2025-02-28. */
    assert_true(in_force("{\"signed_on\":\"2024-02-29\",\"tacit_renewal\":false}", "2025-02-27"));
    assert_false(in_force("{\"signed_on\":\"2024-02-29\",\"tacit_renewal\":false}", "2025-02-28"));
    assert_true(in_force("{\"signed_on\":\"2024-02-29\",\"duration_months\":48,"
                         "\"tacit_renewal\":false}", "2028-02-28"));
    assert_false(in_force("{\"signed_on\":\"2024-02-29\",\"duration_months\":48,"
                          "\"tacit_renewal\":false}", "2028-02-29"));
}

static void test_convention_tacit_and_termination(void **state)
{
    const char *tacit = "{\"signed_on\":\"2020-03-15\",\"duration_months\":12,"
                        "\"tacit_renewal\":true,\"terminated_on\":null}";
    const char *ended = "{\"signed_on\":\"2020-03-15\",\"duration_months\":12,"
                        "\"tacit_renewal\":true,\"terminated_on\":\"2026-06-30\"}";

    (void)state;
    assert_true(in_force(tacit, "2020-03-15"));
    assert_true(in_force(tacit, "2035-12-31"));
    assert_false(in_force(tacit, "2020-03-14"));
    assert_true(in_force(ended, "2026-06-30")); /* t ≤ terminated_on */
    assert_false(in_force(ended, "2026-07-01"));
    /* Termination also cuts a fixed term short, and cannot extend it. */
    assert_false(in_force("{\"signed_on\":\"2026-01-01\",\"tacit_renewal\":false,"
                          "\"terminated_on\":\"2026-03-01\"}", "2026-03-02"));
    assert_false(in_force("{\"signed_on\":\"2026-01-01\",\"tacit_renewal\":false,"
                          "\"terminated_on\":\"2030-01-01\"}", "2027-01-01"));
    /* Terminated the day it was signed: in force that day only. */
    assert_true(in_force("{\"signed_on\":\"2026-01-01\",\"terminated_on\":\"2026-01-01\"}",
                         "2026-01-01"));
    assert_false(in_force("{\"signed_on\":\"2026-01-01\",\"terminated_on\":\"2026-01-01\"}",
                          "2026-01-02"));
}

static void test_convention_defaults_and_malformed(void **state)
{
    org_convention c;
    json_t *j;

    (void)state;
    /* Defaults: 12 months, tacit renewal, not terminated. */
    j = J("{\"signed_on\":\"2025-11-23\"}");
    assert_true(org_convention_parse(j, &c));
    assert_int_equal(c.duration_months, 12);
    assert_true(c.tacit_renewal);
    assert_false(c.terminated);
    json_decref(j);
    assert_true(in_force("{\"signed_on\":\"2025-11-23\"}", "2040-01-01"));
    assert_true(in_force("{\"signed_on\":\"2025-11-23\",\"duration_months\":null,"
                         "\"tacit_renewal\":null}", "2040-01-01"));
    assert_true(org_convention_in_force_at(&c, D("2025-11-23")));

    /* A damaged convention is never in force. */
    static const char *const bad[] = {
        "null", "[]", "\"2025-11-23\"", "{}", "{\"signed_on\":null}",
        "{\"signed_on\":\"2025-02-29\"}", "{\"signed_on\":\"23/11/2025\"}",
        "{\"signed_on\":20251123}", "{\"signed_on\":\"2025-11-23\",\"duration_months\":0}",
        "{\"signed_on\":\"2025-11-23\",\"duration_months\":-12}",
        "{\"signed_on\":\"2025-11-23\",\"duration_months\":121}",
        "{\"signed_on\":\"2025-11-23\",\"duration_months\":\"12\"}",
        "{\"signed_on\":\"2025-11-23\",\"duration_months\":12.0}",
        "{\"signed_on\":\"2025-11-23\",\"tacit_renewal\":\"true\"}",
        "{\"signed_on\":\"2025-11-23\",\"tacit_renewal\":1}",
        "{\"signed_on\":\"2025-11-23\",\"terminated_on\":\"2026-13-01\"}",
        "{\"signed_on\":\"2025-11-23\",\"terminated_on\":false}", NULL};
    for (const char *const *b = bad; *b; b++) {
        if (in_force(*b, "2026-01-01"))
            fail_msg("convention malformée jugée en vigueur : %s", *b);
        j = J(*b);
        assert_false(org_convention_parse(j, &c));
        json_decref(j);
    }
    assert_false(convention_in_force(NULL, D("2026-01-01")));
    assert_false(org_convention_parse(NULL, &c));
}

static const char *state_on(const char *convention, const char *day)
{
    json_t *c = json_loads(convention, 0, NULL);
    const char *s = convention_state(c, D(day));

    json_decref(c);
    return s;
}

static void test_convention_state(void **state)
{
    (void)state;
    const char *fixed = "{\"signed_on\":\"2025-01-15\",\"duration_months\":12,"
                        "\"tacit_renewal\":false}";
    const char *ended = "{\"signed_on\":\"2023-01-01\",\"tacit_renewal\":true,"
                        "\"terminated_on\":\"2024-12-31\"}";

    assert_string_equal(state_on(fixed, "2025-01-14"), "a_venir");
    assert_string_equal(state_on(fixed, "2025-01-15"), "en_vigueur");
    assert_string_equal(state_on(fixed, "2026-01-14"), "en_vigueur");
    assert_string_equal(state_on(fixed, "2026-01-15"), "echue");
    assert_string_equal(state_on(ended, "2024-12-31"), "en_vigueur");
    assert_string_equal(state_on(ended, "2025-01-01"), "resiliee");
    /* terminated but also past its term: résiliée, the act that ended it */
    assert_string_equal(state_on("{\"signed_on\":\"2020-01-01\",\"tacit_renewal\":false,"
                                 "\"terminated_on\":\"2020-06-30\"}", "2026-01-01"),
                        "resiliee");
    assert_null(state_on("{}", "2026-01-01"));
    assert_null(state_on("null", "2026-01-01"));
}

static void test_ame_habilitation(void **state)
{
    static const char *const kinds[] = {"ccas", "cias", "pass_ville", "pass_hospitaliere",
                                        "etablissement_sante", "france_services", "siao",
                                        "association", "mission_locale", "autre", NULL};

    (void)state;
    for (const char *const *k = kinds; *k; k++) {
        bool always = !strcmp(*k, "pass_ville") || !strcmp(*k, "pass_hospitaliere") ||
                      !strcmp(*k, "etablissement_sante");

        assert_true(org_kind_valid(*k));
        assert_int_equal(org_may_send_ame_first(*k, false), always);
        assert_int_equal(org_may_send_ame_first(*k, true),
                         always || !strcmp(*k, "france_services"));
    }
    assert_false(org_may_send_ame_first(NULL, true));
    assert_false(org_may_send_ame_first("", true));
    assert_false(org_may_send_ame_first("France_services", true));
    assert_false(org_may_send_ame_first("pass_ville ", true));
    assert_false(org_kind_valid("CCAS"));
    assert_false(org_kind_valid(NULL));
    assert_false(org_kind_valid("hopital"));
}

/* ---- creation ------------------------------------------------------------------ */

static const char *const VALID_ORG =
    "{\"name\":\"PASS de ville de La Rochelle\",\"kind\":\"pass_ville\","
    "\"siret\":\"73282932000074\",\"finess\":\"170000001\",\"caisse\":\"171\","
    "\"ame_habilitation\":false,"
    "\"convention\":{\"signed_on\":\"2025-11-23\",\"duration_months\":12,"
    "\"tacit_renewal\":true,\"terminated_on\":null},"
    "\"referent\":{\"name\":\"Claire Martin\",\"email\":\"claire.martin@example.fr\","
    "\"phone\":\"05 46 00 00 00\"}}";

static json_t *create(json_t *body)
{
    json_t *errors = json_array();
    int n = org_validate_create(body, errors);

    assert_err_shape(errors);
    assert_int_equal((size_t)n, json_array_size(errors));
    json_decref(body);
    return errors;
}

/* VALID_ORG with member key of object sub ("" for the top) set to value
 * (NULL removes it); expect exactly the one error field/code, or none. */
static void create_with(const char *sub, const char *key, json_t *value, const char *field,
                        const char *code)
{
    char dotted[128];

    snprintf(dotted, sizeof(dotted), "%s%s%s", sub, sub[0] ? "." : "", key);
    assert_changed_field(create, VALID_ORG, dotted, value, field, code);
}

static void test_create_valid(void **state)
{
    json_t *errors;

    (void)state;
    errors = create(J(VALID_ORG));
    assert_no_errors(errors);
    json_decref(errors);
    errors = create(J("{\"name\":\"CCAS d'Aytré\",\"kind\":\"ccas\",\"siret\":\"35600000000048\","
                      "\"caisse\":\"171\",\"convention\":{\"signed_on\":\"2026-01-01\"}}"));
    assert_no_errors(errors);
    json_decref(errors);
    /* Free text is data, not code. */
    create_with("", "name", json_string("'; DROP TABLE organisations;--"), NULL, NULL);
    create_with("", "name", json_string("<script>alert(1)</script>"), NULL, NULL);
    create_with("", "finess", json_string("2A0000017"), NULL, NULL);
    create_with("", "finess", json_null(), NULL, NULL);
    create_with("", "finess", NULL, NULL, NULL);
    create_with("", "referent", json_null(), NULL, NULL);
    create_with("", "referent", json_object(), NULL, NULL);
    create_with("", "ame_habilitation", json_true(), NULL, NULL);
    create_with("", "siret", json_string("35600000049837"), NULL, NULL); /* La Poste */
    create_with("convention", "signed_on", json_string("2030-01-01"), NULL, NULL);
    create_with("convention", "terminated_on", json_string("2025-11-23"), NULL, NULL);
    create_with("convention", "duration_months", json_integer(120), NULL, NULL);
    create_with("convention", "duration_months", json_integer(1), NULL, NULL);
}

static void test_create_not_object_and_empty(void **state)
{
    static const char *const bodies[] = {"[]", "\"org\"", "12", "null", "false"};
    json_t *errors;

    (void)state;
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        errors = create(J(bodies[i]));
        assert_int_equal(json_array_size(errors), 1);
        assert_err(errors, "", "invalid_type");
        json_decref(errors);
    }
    errors = json_array();
    assert_int_equal(org_validate_create(NULL, errors), 1);
    json_decref(errors);

    errors = create(J("{}"));
    assert_err(errors, "name", "required");
    assert_err(errors, "kind", "required");
    assert_err(errors, "caisse", "required");
    assert_err(errors, "convention", "required");
    assert_int_equal(json_array_size(errors), 4);
    json_decref(errors);
}

static void test_create_everything_wrong(void **state)
{
    json_t *errors;

    (void)state;
    errors = create(J("{\"id\":\"0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b\",\"version\":3,"
                      "\"created_at\":\"2026-01-01T00:00:00Z\",\"org\":\"x\","
                      "\"name\":\"\",\"kind\":\"hopital\",\"siret\":\"73282932000075\","
                      "\"finess\":\"17000001\",\"caisse\":\"17\",\"ame_habilitation\":\"oui\","
                      "\"convention\":{\"signed_on\":\"2026-02-30\",\"duration_months\":0,"
                      "\"tacit_renewal\":\"yes\",\"terminated_on\":\"never\",\"x\":1},"
                      "\"referent\":{\"name\":\"Dr. <b>\",\"email\":\"claire\","
                      "\"phone\":\"12\",\"role\":\"x\"}}"));
    assert_err(errors, "id", "read_only");
    assert_err(errors, "version", "read_only");
    assert_err(errors, "created_at", "read_only");
    assert_err(errors, "org", "unknown_field");
    assert_err(errors, "name", "required");
    assert_err(errors, "kind", "invalid_enum");
    assert_err(errors, "siret", "invalid_siret");
    assert_err(errors, "finess", "invalid_format");
    assert_err(errors, "caisse", "invalid_format");
    assert_err(errors, "ame_habilitation", "invalid_type");
    assert_err(errors, "convention.signed_on", "invalid_date");
    assert_err(errors, "convention.duration_months", "invalid_range");
    assert_err(errors, "convention.tacit_renewal", "invalid_type");
    assert_err(errors, "convention.terminated_on", "invalid_date");
    assert_err(errors, "convention.x", "unknown_field");
    assert_err(errors, "referent.name", "invalid_format");
    assert_err(errors, "referent.email", "invalid_format");
    assert_err(errors, "referent.phone", "invalid_format");
    assert_err(errors, "referent.role", "unknown_field");
    assert_int_equal(json_array_size(errors), 19);
    json_decref(errors);
}

static void test_create_fields(void **state)
{
    char buf[260];

    (void)state;
    memset(buf, 'n', 201);
    buf[201] = '\0';
    create_with("", "name", json_string(buf), "name", "too_long");
    buf[200] = '\0';
    create_with("", "name", json_string(buf), NULL, NULL);
    create_with("", "name", json_string("CCAS\nde X"), "name", "invalid_format");
    create_with("", "name", json_integer(1), "name", "invalid_type");
    create_with("", "kind", json_string("CCAS"), "kind", "invalid_enum");
    create_with("", "kind", json_null(), "kind", "required");
    create_with("", "siret", json_string("732 829 320 00074"), "siret", "invalid_siret");
    create_with("", "siret", json_string("7328293200007"), "siret", "invalid_siret");
    create_with("", "siret", json_string("35600000012345"), "siret", "invalid_siret");
    create_with("", "siret", json_string("'; DROP TABLE organisations;--"), "siret",
                "invalid_siret");
    create_with("", "siret", json_integer(73282932000074), "siret", "invalid_type");
    /* SIRET is optional (checked when given) */
    create_with("", "siret", json_null(), NULL, NULL);
    create_with("", "caisse", json_string("1710"), "caisse", "invalid_format");
    create_with("", "caisse", json_string("A71"), "caisse", "invalid_format");
    create_with("", "caisse", json_string(" 171"), "caisse", "invalid_format");
    create_with("", "caisse", json_integer(171), "caisse", "invalid_type");
    create_with("", "caisse", json_string("974"), NULL, NULL);
    create_with("", "finess", json_string("2C0000017"), "finess", "invalid_format");
    create_with("", "finess", json_string("1700000010"), "finess", "invalid_format");
    create_with("", "finess", json_integer(170000001), "finess", "invalid_type");
    create_with("", "ame_habilitation", json_string("true"), "ame_habilitation",
                "invalid_type");
    create_with("", "referent", json_string("Claire"), "referent", "invalid_type");
    create_with("", "convention", json_string("2025-11-23"), "convention", "invalid_type");
    create_with("", "convention", json_null(), "convention", "required");
    create_with("convention", "signed_on", NULL, "convention.signed_on", "required");
    create_with("convention", "signed_on", json_string("2021-02-29"), "convention.signed_on",
                "invalid_date");
    create_with("convention", "duration_months", json_integer(121),
                "convention.duration_months", "invalid_range");
    create_with("convention", "duration_months", json_real(12.0), "convention.duration_months",
                "invalid_type");
    create_with("convention", "duration_months", json_string("12"),
                "convention.duration_months", "invalid_type");
    create_with("convention", "terminated_on", json_string("2025-11-22"),
                "convention.terminated_on", "invalid_range");
    create_with("convention", "tacit_renewal", json_integer(0), "convention.tacit_renewal",
                "invalid_type");
}

/* ---- patch --------------------------------------------------------------------- */

static void patch_case(const char *patch, const char *current, const char *field,
                       const char *code)
{
    json_t *p = J(patch), *c = current != NULL ? J(current) : NULL, *errors = json_array();
    int n = org_validate_patch(p, c, errors);

    assert_err_shape(errors);
    assert_int_equal((size_t)n, json_array_size(errors));
    assert_only_err(errors, field, code, patch);
    json_decref(p);
    json_decref(c);
    json_decref(errors);
}

static void test_patch(void **state)
{
    (void)state;
    patch_case("{}", NULL, NULL, NULL);
    patch_case("{\"name\":\"Nouveau nom\"}", VALID_ORG, NULL, NULL);
    patch_case("{\"ame_habilitation\":true}", VALID_ORG, NULL, NULL);
    patch_case("{\"ame_habilitation\":null}", VALID_ORG, NULL, NULL); /* back to default */
    patch_case("{\"finess\":null,\"referent\":null}", VALID_ORG, NULL, NULL);
    patch_case("{\"referent\":{\"phone\":null}}", VALID_ORG, NULL, NULL);
    patch_case("{\"convention\":{\"terminated_on\":\"2026-12-31\"}}", VALID_ORG, NULL, NULL);
    patch_case("{\"convention\":{\"duration_months\":null}}", VALID_ORG, NULL, NULL);

    patch_case("{\"name\":null}", VALID_ORG, "name", "required");
    patch_case("{\"kind\":null}", VALID_ORG, "kind", "required");
    patch_case("{\"siret\":null}", VALID_ORG, NULL, NULL);
    patch_case("{\"caisse\":null}", VALID_ORG, "caisse", "required");
    patch_case("{\"convention\":null}", VALID_ORG, "convention", "required");
    patch_case("{\"convention\":{\"signed_on\":null}}", VALID_ORG, "convention.signed_on",
               "required");
    patch_case("{\"name\":\"\"}", VALID_ORG, "name", "required");
    patch_case("{\"kind\":\"clinique\"}", VALID_ORG, "kind", "invalid_enum");
    patch_case("{\"siret\":\"73282932000075\"}", VALID_ORG, "siret", "invalid_siret");
    patch_case("{\"id\":\"0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b\"}", VALID_ORG, "id",
               "read_only");
    patch_case("{\"version\":2}", VALID_ORG, "version", "read_only");
    patch_case("{\"updated_at\":null}", VALID_ORG, "updated_at", "read_only");
    patch_case("{\"status\":\"active\"}", VALID_ORG, "status", "unknown_field");
    patch_case("[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"x\"}]", VALID_ORG, "",
               "invalid_type");

    /* Order of the convention dates, half from the patch, half from the record. */
    patch_case("{\"convention\":{\"terminated_on\":\"2025-11-22\"}}", VALID_ORG,
               "convention.terminated_on", "invalid_range");
    patch_case("{\"convention\":{\"terminated_on\":\"2025-11-22\"}}", NULL, NULL, NULL);
    patch_case("{\"convention\":{\"signed_on\":\"2027-01-01\"}}",
               "{\"convention\":{\"signed_on\":\"2025-01-01\",\"terminated_on\":\"2026-06-30\"}}",
               "convention.signed_on", "invalid_range");
    patch_case("{\"convention\":{\"signed_on\":\"2027-01-01\",\"terminated_on\":null}}",
               "{\"convention\":{\"signed_on\":\"2025-01-01\",\"terminated_on\":\"2026-06-30\"}}",
               NULL, NULL);
    patch_case("{\"convention\":{\"signed_on\":\"2027-01-01\",\"terminated_on\":\"2026-06-30\"}}",
               NULL, "convention.terminated_on", "invalid_range");
    patch_case("{\"convention\":{\"signed_on\":\"2026-06-30\"}}",
               "{\"convention\":{\"signed_on\":\"2025-01-01\",\"terminated_on\":\"2026-06-30\"}}",
               NULL, NULL);
}

static void test_apply_defaults(void **state)
{
    json_t *org, *c;

    (void)state;
    org = J("{\"name\":\"CCAS\",\"kind\":\"ccas\",\"siret\":\"73282932000074\","
            "\"caisse\":\"171\",\"convention\":{\"signed_on\":\"2026-01-01\","
            "\"duration_months\":null}}");
    org_apply_defaults(org);
    assert_true(json_is_false(json_object_get(org, "ame_habilitation")));
    assert_true(json_is_null(json_object_get(org, "finess")));
    assert_true(json_is_null(json_object_get(org, "referent")));
    c = json_object_get(org, "convention");
    assert_int_equal(json_integer_value(json_object_get(c, "duration_months")), 12);
    assert_true(json_is_true(json_object_get(c, "tacit_renewal")));
    assert_true(json_is_null(json_object_get(c, "terminated_on")));
    assert_null(json_object_get(org, "id")); /* the server's business, not this one */
    json_decref(org);

    /* Values given are kept. */
    org = J(VALID_ORG);
    json_object_set_new(org, "ame_habilitation", json_true());
    json_object_set_new(json_object_get(org, "convention"), "tacit_renewal", json_false());
    json_object_set_new(json_object_get(org, "convention"), "duration_months", json_integer(36));
    json_object_set_new(json_object_get(org, "convention"), "terminated_on",
                        json_string("2027-01-01"));
    org_apply_defaults(org);
    assert_true(json_is_true(json_object_get(org, "ame_habilitation")));
    c = json_object_get(org, "convention");
    assert_true(json_is_false(json_object_get(c, "tacit_renewal")));
    assert_int_equal(json_integer_value(json_object_get(c, "duration_months")), 36);
    assert_string_equal(json_string_value(json_object_get(c, "terminated_on")), "2027-01-01");
    assert_string_equal(json_string_value(json_object_get(org, "finess")), "170000001");
    json_decref(org);

    /* Harmless on anything else. */
    org_apply_defaults(NULL);
    org = J("[1]");
    org_apply_defaults(org);
    assert_int_equal(json_array_size(org), 1);
    json_decref(org);
    org = J("{\"convention\":\"x\"}");
    org_apply_defaults(org);
    assert_string_equal(json_string_value(json_object_get(org, "convention")), "x");
    json_decref(org);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convention_term),
        cmocka_unit_test(test_convention_month_end),
        cmocka_unit_test(test_convention_tacit_and_termination),
        cmocka_unit_test(test_convention_defaults_and_malformed),
        cmocka_unit_test(test_convention_state),
        cmocka_unit_test(test_ame_habilitation),
        cmocka_unit_test(test_create_valid),
        cmocka_unit_test(test_create_not_object_and_empty),
        cmocka_unit_test(test_create_everything_wrong),
        cmocka_unit_test(test_create_fields),
        cmocka_unit_test(test_patch),
        cmocka_unit_test(test_apply_defaults),
    };

    cal_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
