/*
 * test_signalement_valid.c — the body of POST /v1/signalements (SPEC §8) and the
 * table of the 26 parcours attentionnés, compared with data/parcours.json when
 * that file can be found.
 */
#include "errassert.h"

#include "calendar.h"
#include "signalement_valid.h"

static const cal_date TODAY = {2026, 11, 23};

static const char *const VALID =
    "{\"person\":{\"last_name\":\"Durand\",\"first_names\":[\"Jeanne\"],"
    "\"birth_date\":\"1950-05-04\",\"phone\":\"06 12 34 56 78\",\"email\":null},"
    "\"reasons\":[\"avance_de_frais\",\"isolement_deplacement\"],"
    "\"parcours\":\"renoncement_soins\","
    "\"consent\":{\"obtained_on\":\"2026-11-23\",\"informed\":true}}";

static json_t *run(json_t *body)
{
    json_t *errors = json_array();
    int n = signalement_validate(body, TODAY, errors);

    assert_err_shape(errors);
    assert_int_equal((size_t)n, json_array_size(errors));
    json_decref(body);
    return errors;
}

/* VALID with top-level member key set to value (NULL removes it); expect
 * exactly one error field/code, or none when field is NULL. */
static void with(const char *key, json_t *value, const char *field, const char *code)
{
    assert_changed_field(run, VALID, key, value, field, code);
}

static void test_valid(void **state)
{
    json_t *errors;

    (void)state;
    errors = run(J(VALID));
    assert_no_errors(errors);
    json_decref(errors);
    with("comment", json_string("Personne isolée,\nrappeler le matin."), NULL, NULL);
    with("comment", json_null(), NULL, NULL);
    with("reasons", J("[\"demarches_inconnues\",\"sans_complementaire\","
                      "\"difficulte_rendez_vous\",\"avance_de_frais\",\"isolement_deplacement\","
                      "\"numerique\",\"autre\"]"), NULL, NULL);
    /* The contact person: sex optional, the applicant's other fields allowed. */
    with("person", J("{\"last_name\":\"Durand\",\"first_names\":[\"Jeanne\"],"
                     "\"birth_date\":\"1950-05-04\",\"sex\":\"F\",\"nir\":\"285022A00412355\","
                     "\"address\":{\"postal_code\":\"17000\",\"city\":\"La Rochelle\"}}"),
         NULL, NULL);
}

static void test_not_object_and_empty(void **state)
{
    json_t *errors;

    (void)state;
    errors = run(J("[]"));
    assert_int_equal(json_array_size(errors), 1);
    assert_err(errors, "", "invalid_type");
    json_decref(errors);
    errors = json_array();
    assert_int_equal(signalement_validate(NULL, TODAY, errors), 1);
    json_decref(errors);

    errors = run(J("{}"));
    assert_err(errors, "person", "required");
    assert_err(errors, "reasons", "required");
    assert_err(errors, "parcours", "required");
    assert_err(errors, "consent", "required");
    assert_int_equal(json_array_size(errors), 4);
    json_decref(errors);
}

static void test_everything_wrong(void **state)
{
    json_t *errors;

    (void)state;
    errors = run(J("{\"person\":{\"last_name\":\"'; DROP TABLE signalements;--\","
                   "\"first_names\":[\"\"],\"birth_date\":\"2026-04-31\",\"phone\":\"123\","
                   "\"email\":\"a@b\",\"status\":\"x\"},"
                   "\"reasons\":[\"autre\",\"pas_le_temps\",\"autre\",null],"
                   "\"parcours\":\"<script>\",\"status\":\"pris_en_charge\","
                   "\"consent\":{\"obtained_on\":\"2026-11-24\",\"informed\":false},"
                   "\"comment\":7}"));
    assert_err(errors, "person.last_name", "invalid_format");
    assert_err(errors, "person.first_names[0]", "required");
    assert_err(errors, "person.birth_date", "invalid_date");
    assert_err(errors, "person.phone", "invalid_format");
    assert_err(errors, "person.email", "invalid_format");
    assert_err(errors, "person.status", "unknown_field");
    assert_err(errors, "reasons[1]", "invalid_enum");
    assert_err(errors, "reasons[2]", "duplicate");
    assert_err(errors, "reasons[3]", "required");
    assert_err(errors, "parcours", "invalid_enum");
    assert_err(errors, "status", "unknown_field");
    assert_err(errors, "consent.obtained_on", "future_date");
    assert_err(errors, "consent.informed", "must_be_true");
    assert_err(errors, "comment", "invalid_type");
    assert_int_equal(json_array_size(errors), 14);
    json_decref(errors);
}

static void test_fields(void **state)
{
    char big[2100];

    (void)state;
    with("person", json_null(), "person", "required");
    with("person", json_string("Durand"), "person", "invalid_type");
    with("person", J("{\"first_names\":[\"Jeanne\"],\"birth_date\":\"1950-05-04\"}"),
         "person.last_name", "required");
    with("person", J("{\"last_name\":\"Durand\",\"first_names\":[\"Jeanne\"]}"),
         "person.birth_date", "required");
    with("person", J("{\"last_name\":\"Durand\",\"first_names\":[\"Jeanne\"],"
                     "\"birth_date\":\"1950-05-04\",\"sex\":\"H\"}"),
         "person.sex", "invalid_enum");
    with("reasons", J("[]"), "reasons", "required");
    with("reasons", json_string("autre"), "reasons", "invalid_type");
    with("reasons", J("[\"autre\",\"numerique\",\"avance_de_frais\",\"sans_complementaire\","
                      "\"demarches_inconnues\",\"difficulte_rendez_vous\","
                      "\"isolement_deplacement\",\"autre\"]"), "reasons", "too_many");
    with("reasons", J("[\"Autre\"]"), "reasons[0]", "invalid_enum");
    with("reasons", J("[[\"autre\"]]"), "reasons[0]", "invalid_type");
    with("parcours", json_string("RENONCEMENT_SOINS"), "parcours", "invalid_enum");
    with("parcours", json_string("acces_droits_soins"), "parcours", "invalid_enum"); /* a theme */
    with("parcours", json_stringn("ald\0x", 5), "parcours", "invalid_format");
    with("parcours", json_string(""), "parcours", "required");
    with("parcours", json_integer(3), "parcours", "invalid_type");
    with("parcours", json_pack("[s]", "ald"), "parcours", "invalid_type");
    with("consent", json_false(), "consent", "invalid_type");
    with("consent", J("{\"obtained_on\":\"2026-11-23\"}"), "consent.informed", "required");
    memset(big, 'c', 2001);
    big[2001] = '\0';
    with("comment", json_string(big), "comment", "too_long");
    big[2000] = '\0';
    with("comment", json_string(big), NULL, NULL);
    with("comment", json_string("a\x01z"), "comment", "invalid_format");
}

/* Read the codes of data/parcours.json, if the file is reachable from here. */
static json_t *load_parcours(void)
{
    static const char *const paths[] = {"data/parcours.json", "../data/parcours.json",
                                        "../../data/parcours.json",
                                        "/work/shared/data/parcours.json", NULL};

    for (const char *const *p = paths; *p; p++) {
        json_t *j = json_load_file(*p, 0, NULL);

        if (j != NULL)
            return j;
    }
    return NULL;
}

static void test_parcours_table(void **state)
{
    json_t *file, *theme, *p;
    size_t i, k, n = 0;

    (void)state;
    for (i = 0; i < PARCOURS_COUNT; i++) {
        assert_non_null(parcours_code(i));
        assert_true(parcours_valid(parcours_code(i)));
        with("parcours", json_string(parcours_code(i)), NULL, NULL);
        for (k = 0; k < i; k++)
            assert_string_not_equal(parcours_code(i), parcours_code(k));
    }
    assert_null(parcours_code(PARCOURS_COUNT));
    assert_null(parcours_at(PARCOURS_COUNT));
    assert_string_equal(parcours_at(5)->label, "Renoncement aux soins");
    assert_null(parcours_code((size_t)-1));
    assert_false(parcours_valid(NULL));
    assert_false(parcours_valid(""));
    assert_true(parcours_valid("inclusion_numerique"));
    assert_true(parcours_valid("medecin_traitant"));
    assert_true(signalement_reason_valid("avance_de_frais"));
    assert_false(signalement_reason_valid("renoncement"));

    file = load_parcours();
    if (file == NULL) {
        print_message("data/parcours.json introuvable : comparaison sautée\n");
        return;
    }
    json_array_foreach(json_object_get(file, "themes"), i, theme) {
        json_array_foreach(json_object_get(theme, "parcours"), k, p) {
            const char *code = json_string_value(json_object_get(p, "code"));

            assert_non_null(code);
            assert_true(parcours_valid(code));
            assert_string_equal(parcours_code(n), code);
            assert_string_equal(parcours_at(n)->label,
                                json_string_value(json_object_get(p, "label")));
            assert_string_equal(parcours_at(n)->theme,
                                json_string_value(json_object_get(theme, "theme")));
            assert_string_equal(parcours_at(n)->theme_label,
                                json_string_value(json_object_get(theme, "label")));
            n++;
        }
    }
    assert_int_equal(n, PARCOURS_COUNT);
    json_decref(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_not_object_and_empty),
        cmocka_unit_test(test_everything_wrong),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_parcours_table),
    };

    cal_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
