/*
 * test_dossier_valid.c — the bodies of POST /v1/dossiers, /pieces,
 * /transitions and /messages: valid documents pass, and every invalid field of
 * a hostile one is listed with the right code.
 */
#include "errassert.h"

#include "calendar.h"
#include "dossier_valid.h"
#include "vfield.h"

static const cal_date TODAY = {2026, 11, 23};

static const char *const VALID_AME =
    "{\"prestation\":\"ame\",\"first_request\":true,\"deposited_on\":\"2026-11-20\","
    "\"transmit\":true,"
    "\"applicant\":{\"last_name\":\"DUPONT\",\"first_names\":[\"Marie\"],"
    "\"birth_date\":\"1980-02-29\",\"sex\":\"F\",\"nir\":null,\"phone\":\"0600000000\","
    "\"email\":null,\"language\":\"fr\",\"interpreter_needed\":false,"
    "\"address\":{\"line\":\"2 rue X\",\"postal_code\":\"17000\",\"city\":\"La Rochelle\"},"
    "\"domiciliation\":{\"organisme\":\"L'Escale\",\"since\":\"2025-01-10\"}},"
    "\"situation\":{\"puma_criterion\":\"residence\",\"residence_since\":\"2025-06-01\","
    "\"regular_stay\":false,\"irregular_since\":\"2026-01-05\",\"activity_start\":null,"
    "\"resources_under_ceiling\":true,\"urgent_care_needed\":false,\"precarious\":true,"
    "\"puma_start\":null,\"hospitalization\":{\"admitted_on\":\"2026-11-10\","
    "\"discharged_on\":null},\"care_dates\":[\"2026-11-10\"]},"
    "\"pieces\":[{\"kind\":\"identite\",\"filename\":\"passeport.pdf\","
    "\"sha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\","
    "\"size\":120034}],"
    "\"consent\":{\"obtained_on\":\"2026-11-20\",\"informed\":true}}";

#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

/* Validate body (consumed) and return the error list (caller decrefs), checking
 * the entries' shape and that the count returned matches the list. */
static json_t *validate(json_t *body)
{
    json_t *errors = json_array();
    int n = dossier_validate(body, TODAY, errors);

    assert_err_shape(errors);
    assert_int_equal((size_t)n, json_array_size(errors));
    json_decref(body);
    return errors;
}

/* Validate the valid AME body with one member changed; expect exactly one error. */
static void one_error(const char *path, json_t *value, const char *field, const char *code)
{
    assert_changed_field(validate, VALID_AME, path, value, field, code);
}

/* Validate the valid AME body with one member changed; expect no error. */
static void no_error(const char *path, json_t *value)
{
    assert_changed_field(validate, VALID_AME, path, value, NULL, NULL);
}

static json_t *str_repeat(const char *unit, int n)
{
    size_t len = strlen(unit);
    char *s = malloc(len * (size_t)n + 1);
    json_t *j;

    for (int i = 0; i < n; i++)
        memcpy(s + len * (size_t)i, unit, len);
    s[len * (size_t)n] = '\0';
    j = json_string(s);
    free(s);
    return j;
}

/* ---- valid bodies ----------------------------------------------------------- */

static void test_spec_example_is_valid(void **state)
{
    json_t *errors;

    (void)state;
    errors = validate(J(VALID_AME));
    assert_no_errors(errors);
    json_decref(errors);
}

static void test_minimal_bodies_per_prestation(void **state)
{
    static const char *const bodies[] = {
        "{\"prestation\":\"puma\",\"applicant\":{\"last_name\":\"Martin\",\"first_names\":[\"Paul\"],"
        "\"birth_date\":\"1990-01-01\",\"sex\":\"M\"},\"situation\":{\"puma_criterion\":\"residence\","
        "\"regular_stay\":true,\"residence_since\":\"2026-01-01\"},"
        "\"consent\":{\"obtained_on\":\"2026-11-23\",\"informed\":true}}",
        "{\"prestation\":\"puma\",\"applicant\":{\"last_name\":\"Martin\",\"first_names\":[\"Paul\"],"
        "\"birth_date\":\"1990-01-01\",\"sex\":\"X\"},\"situation\":{\"puma_criterion\":\"activite\","
        "\"regular_stay\":true,\"activity_start\":\"2026-03-01\"},"
        "\"consent\":{\"obtained_on\":\"2026-11-23\",\"informed\":true}}",
        "{\"prestation\":\"css\",\"applicant\":{\"last_name\":\"N'Diaye\",\"first_names\":[\"Aïssatou\","
        "\"Marie-Hélène\"],\"birth_date\":\"1990-01-01\",\"sex\":\"F\"},\"situation\":{"
        "\"puma_start\":\"2020-01-01\",\"resources_under_ceiling\":true},"
        "\"consent\":{\"obtained_on\":\"2026-11-23\",\"informed\":true}}",
        "{\"prestation\":\"ame\",\"applicant\":{\"last_name\":\"Ивanova\",\"first_names\":[\"Olga\"],"
        "\"birth_date\":\"1990-01-01\",\"sex\":\"F\"},\"situation\":{"
        "\"irregular_since\":\"2025-01-01\",\"resources_under_ceiling\":false},"
        "\"consent\":{\"obtained_on\":\"2026-11-23\",\"informed\":true},\"pieces\":[],"
        "\"first_request\":null,\"transmit\":false,\"deposited_on\":\"2026-11-23\"}",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        json_t *errors = validate(J(bodies[i]));

        assert_no_errors(errors);
        json_decref(errors);
    }
}

/* ---- the body as a whole ------------------------------------------------------ */

static void test_not_an_object(void **state)
{
    static const char *const bodies[] = {"[]", "\"ame\"", "1", "null", "true", "[{}]", "1.5"};
    json_t *errors;

    (void)state;
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        errors = validate(J(bodies[i]));
        assert_int_equal(json_array_size(errors), 1);
        assert_err(errors, "", "invalid_type");
        json_decref(errors);
    }
    errors = json_array();
    assert_int_equal(dossier_validate(NULL, TODAY, errors), 1);
    assert_err(errors, "", "invalid_type");
    json_decref(errors);
}

static void test_empty_object(void **state)
{
    json_t *errors;

    (void)state;
    errors = validate(J("{}"));
    assert_err(errors, "prestation", "required");
    assert_err(errors, "applicant", "required");
    assert_err(errors, "consent", "required");
    /* No prestation: nothing can be required of the situation. */
    assert_int_equal(json_array_size(errors), 3);
    json_decref(errors);
}

static void test_mass_assignment_refused(void **state)
{
    static const char *const owned[] = {"status", "org", "id", "reference", "received_at",
                                        "version", "received_on", "decision", "rights",
                                        "history", "override", NULL};
    json_t *body = J(VALID_AME), *errors;

    (void)state;
    for (const char *const *k = owned; *k; k++)
        json_object_set_new(body, *k, json_string("x"));
    json_set_path(body, "applicant.status", json_true());
    json_set_path(body, "situation.eligible", json_true());
    json_set_path(body, "situation.hospitalization.ward", json_string("B"));
    json_set_path(body, "consent.by", json_string("x"));
    json_object_set_new(json_array_get(json_object_get(body, "pieces"), 0), "url",
                        json_string("file:///etc/passwd"));
    errors = validate(body);
    for (const char *const *k = owned; *k; k++)
        assert_err(errors, *k, "unknown_field");
    assert_err(errors, "applicant.status", "unknown_field");
    assert_err(errors, "situation.eligible", "unknown_field");
    assert_err(errors, "situation.hospitalization.ward", "unknown_field");
    assert_err(errors, "consent.by", "unknown_field");
    assert_err(errors, "pieces[0].url", "unknown_field");
    assert_int_equal(json_array_size(errors), 11 + 5);
    json_decref(errors);
}

static void test_error_list_is_bounded(void **state)
{
    json_t *body = J(VALID_AME), *errors = json_array();
    char key[32];
    int n;

    (void)state;
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "junk%d", i);
        json_object_set_new(body, key, json_null());
    }
    n = dossier_validate(body, TODAY, errors);
    assert_int_equal(n, 5000); /* every problem counted */
    assert_int_equal(json_array_size(errors), VF_MAX_LISTED);
    json_decref(body);
    /* A full list does not make a later validation look clean. */
    body = json_object();
    assert_true(dossier_validate_message(body, errors) > 0);
    assert_int_equal(json_array_size(errors), VF_MAX_LISTED);
    json_decref(body);
    json_decref(errors);
}

/* Found by tests/fuzz/fuzz_dossier.c: an unknown key long enough for its path
 * to be cut at VF_PATH_MAX inside a multibyte character made the entry invalid
 * UTF-8, so it was counted but not listed. Every problem must be listed, under
 * a path cut at a character boundary. */
static void test_long_unicode_key_listed(void **state)
{
    char key[256];
    json_t *body = J(VALID_AME), *errors = json_array(), *applicant;
    const char *field;

    (void)state;
    /* "a" * 190 + "é": the cut at 191 bytes fell between the two bytes of é. */
    memset(key, 'a', 190);
    strcpy(key + 190, "\xc3\xa9");
    json_object_set_new(body, key, json_true());
    /* Nested: "applicant." + "x" * 180 + "€", cut inside the euro sign. */
    applicant = json_object_get(body, "applicant");
    memset(key, 'x', 180);
    strcpy(key + 180, "\xe2\x82\xac");
    json_object_set_new(applicant, key, json_true());

    assert_int_equal(dossier_validate(body, TODAY, errors), 2);
    assert_int_equal(json_array_size(errors), 2);
    field = json_string_value(json_object_get(json_array_get(errors, 0), "field"));
    assert_non_null(field);
    assert_int_equal(strlen(field), 190);
    field = json_string_value(json_object_get(json_array_get(errors, 1), "field"));
    assert_non_null(field);
    assert_int_equal(strlen(field), strlen("applicant.") + 180);
    json_decref(body);
    json_decref(errors);
}

/* ---- top-level fields --------------------------------------------------------- */

static void test_prestation(void **state)
{
    (void)state;
    static const struct field_case prestation_cases[] = {
        {"prestation", STR("AME"), "prestation", "invalid_enum"},
        {"prestation", STR("cmu"), "prestation", "invalid_enum"},
        {"prestation", STR(""), "prestation", "invalid_enum"},
        {"prestation", STRN("ame\0x", 5), "prestation", "invalid_enum"},
        {"prestation", STR("'; DROP TABLE dossiers;--"), "prestation", "invalid_enum"},
        {"prestation", JSN("1"), "prestation", "invalid_type"},
        {"prestation", JSN("[\"ame\"]"), "prestation", "invalid_type"},
        {"prestation", JSN("null"), "prestation", "required"},
        {"prestation", GONE, "prestation", "required"},
    };

    RUN_FIELD_CASES(validate, VALID_AME, prestation_cases);
}

static void test_flags_and_deposit(void **state)
{
    (void)state;
    static const struct field_case flags_and_deposit_cases[] = {
        {"first_request", STR("true"), "first_request", "invalid_type"},
        {"first_request", JSN("1"), "first_request", "invalid_type"},
        {"transmit", STR("false"), "transmit", "invalid_type"},
        {"transmit", JSN("0"), "transmit", "invalid_type"},
        {"first_request", JSN("false"), NULL, NULL},
        {"first_request", GONE, NULL, NULL},
        {"transmit", JSN("null"), NULL, NULL},
        {"deposited_on", GONE, NULL, NULL},
        {"deposited_on", STR("2026-11-23"), NULL, NULL}, /* today */
        {"deposited_on", STR("2026-11-24"), "deposited_on", "future_date"},
        {"deposited_on", STR("2026-04-31"), "deposited_on", "invalid_date"},
        {"deposited_on", STR("2021-02-29"), "deposited_on", "invalid_date"},
        {"deposited_on", STR("20/11/2026"), "deposited_on", "invalid_date"},
        {"deposited_on", STR("2026-11-20T10:00:00Z"), "deposited_on", "invalid_date"},
        {"deposited_on", STRN("2026-11-20\0", 11), "deposited_on", "invalid_date"},
        {"deposited_on", JSN("20261120"), "deposited_on", "invalid_type"},
    };

    RUN_FIELD_CASES(validate, VALID_AME, flags_and_deposit_cases);
}

/* ---- applicant ------------------------------------------------------------------ */

static void test_applicant_every_field_listed(void **state)
{
    json_t *body = J(VALID_AME), *errors;

    (void)state;
    json_set_path(body, "applicant",
                  J("{\"last_name\":42,\"first_names\":[],\"birth_date\":\"2021-02-29\","
                    "\"sex\":\"Z\",\"nir\":\"180021730000186\",\"phone\":\"abc\","
                    "\"email\":\"x@\",\"language\":\"french\","
                    "\"interpreter_needed\":\"false\","
                    "\"address\":{\"postal_code\":\"1700\"},"
                    "\"domiciliation\":{\"organisme\":\"L'Escale\","
                    "\"since\":\"2027-01-01\"},\"foo\":1}"));
    errors = validate(body);
    {
        static const char *const expected[][2] = {
            {"applicant.last_name", "invalid_type"},
            {"applicant.first_names", "required"},
            {"applicant.birth_date", "invalid_date"},
            {"applicant.sex", "invalid_enum"},
            {"applicant.nir", "invalid_nir"},
            {"applicant.phone", "invalid_format"},
            {"applicant.email", "invalid_format"},
            {"applicant.language", "invalid_format"},
            {"applicant.interpreter_needed", "invalid_type"},
            {"applicant.address.postal_code", "invalid_format"},
            {"applicant.address.city", "required"},
            {"applicant.domiciliation.since", "future_date"},
            {"applicant.foo", "unknown_field"},
        };

        ASSERT_ERRS_EXACTLY(errors, expected);
    }
    json_decref(errors);
}

static void test_applicant_required(void **state)
{
    json_t *body = J(VALID_AME), *errors;

    (void)state;
    json_set_path(body, "applicant", json_object());
    errors = validate(body);
    {
        static const char *const expected[][2] = {
            {"applicant.last_name", "required"},
            {"applicant.first_names", "required"},
            {"applicant.birth_date", "required"},
            {"applicant.sex", "required"},
        };

        ASSERT_ERRS_EXACTLY(errors, expected);
    }
    json_decref(errors);

    static const struct field_case applicant_required_cases[] = {
        {"applicant", JSN("[]"), "applicant", "invalid_type"},
        {"applicant", STR("DUPONT"), "applicant", "invalid_type"},
        {"applicant", JSN("null"), "applicant", "required"},
        {"applicant.last_name", STR(""), "applicant.last_name", "required"},
        {"applicant.last_name", STR(" "), "applicant.last_name", "required"},
        {"applicant.last_name", JSN("null"), "applicant.last_name", "required"},
        {"applicant.sex", JSN("null"), "applicant.sex", "required"},
    };

    RUN_FIELD_CASES(validate, VALID_AME, applicant_required_cases);
}

static void test_names(void **state)
{
    static const char *const good[] = {"DUPONT", "N'Diaye", "Le Gall", "Saint-Éloi",
                                       "O’Connor", "Müller", "Nguyễn", "Ивановa", "محمد",
                                       "St. John", "Ñúñez", "Ørsted", NULL};
    static const char *const bad[] = {"'; DROP TABLE dossiers;--", "<script>alert(1)</script>",
                                      "Robert\"); --", "DUPONT1", "a@b", "50%", "x=y", "+33",
                                      "Dupont_", "(Dupont)", "Du/pont", "Du\\pont", "---", "'",
                                      "« Dupont »", "Dupont×", "¿Dupont?", NULL};

    (void)state;
    for (const char *const *s = good; *s; s++)
        no_error("applicant.last_name", json_string(*s));
    for (const char *const *s = bad; *s; s++)
        one_error("applicant.last_name", json_string(*s), "applicant.last_name",
                  "invalid_format");
    /* Control and invisible characters. */
    static const struct field_case names_cases[] = {
        {"applicant.last_name", STR("DU\tPONT"), "applicant.last_name", "invalid_format"},
        {"applicant.last_name", STR("DU\nPONT"), "applicant.last_name", "invalid_format"},
        {"applicant.last_name", STRN("DU\0PONT", 7), "applicant.last_name", "invalid_format"},
        {"applicant.last_name", STR("DU\x7fPONT"), "applicant.last_name", "invalid_format"},
        {"applicant.last_name", STR("DU\xc2\x85PONT"), "applicant.last_name",
         "invalid_format"}, /* U+0085 */
        {"applicant.last_name", STR("\xe2\x80\xae" "TNOPUD"), "applicant.last_name",
         "invalid_format"}, /* U+202E */
        {"applicant.last_name", STR("DU\xe2\x80\x8bPONT"), "applicant.last_name",
         "invalid_format"}, /* U+200B */
        /* Lengths count characters. */
        {"applicant.last_name", REPEAT("A", 100), NULL, NULL},
        {"applicant.last_name", REPEAT("É", 100), NULL, NULL},
        {"applicant.last_name", REPEAT("A", 101), "applicant.last_name", "too_long"},
        {"applicant.last_name", REPEAT("É", 101), "applicant.last_name", "too_long"},
        {"applicant.last_name", REPEAT("A", 100000), "applicant.last_name", "too_long"},
        {"applicant.last_name", JSN("0"), "applicant.last_name", "invalid_type"},
        {"applicant.last_name", JSN("true"), "applicant.last_name", "invalid_type"},
        {"applicant.last_name", JSN("{}"), "applicant.last_name", "invalid_type"},
    };

    RUN_FIELD_CASES(validate, VALID_AME, names_cases);
}

static void test_first_names(void **state)
{
    json_t *body = J(VALID_AME), *errors, *many;

    (void)state;
    json_set_path(body, "applicant.first_names",
         J("[\"Marie\",\"\",3,null,\"Jean<script>\",[\"x\"],\"Anne\\u0007\"]"));
    errors = validate(body);
    assert_no_err_on(errors, "applicant.first_names[0]");
    {
        static const char *const expected[][2] = {
            {"applicant.first_names[1]", "required"},
            {"applicant.first_names[2]", "invalid_type"},
            {"applicant.first_names[3]", "required"},
            {"applicant.first_names[4]", "invalid_format"},
            {"applicant.first_names[5]", "invalid_type"},
            {"applicant.first_names[6]", "invalid_format"},
        };

        ASSERT_ERRS_EXACTLY(errors, expected);
    }
    json_decref(errors);

    many = json_array();
    for (int i = 0; i < 10; i++)
        json_array_append_new(many, json_string("Jean"));
    no_error("applicant.first_names", json_deep_copy(many));
    json_array_append_new(many, json_string("Jean"));
    one_error("applicant.first_names", many, "applicant.first_names", "too_many");
    static const struct field_case first_names_cases[] = {
        {"applicant.first_names", STR("Marie"), "applicant.first_names", "invalid_type"},
        {"applicant.first_names", JSN("[]"), "applicant.first_names", "required"},
        {"applicant.first_names", JSN("{\"0\":\"Marie\"}"), "applicant.first_names",
         "invalid_type"},
    };

    RUN_FIELD_CASES(validate, VALID_AME, first_names_cases);
    one_error("applicant.first_names", json_pack("[s]", "Marie-Hélène Jo\xc3\xabl\xe2\x80\x8b"),
              "applicant.first_names[0]", "invalid_format");
}

static void test_birth_date(void **state)
{
    (void)state;
    static const struct field_case birth_date_cases[] = {
        {"applicant.birth_date", STR("2000-02-29"), NULL, NULL},
        {"applicant.birth_date", STR("1900-01-01"), NULL, NULL},
        {"applicant.birth_date", STR("1899-12-31"), "applicant.birth_date", "invalid_range"},
        {"applicant.birth_date", STR("1900-02-29"), "applicant.birth_date", "invalid_date"},
        {"applicant.birth_date", STR("2026-04-31"), "applicant.birth_date", "invalid_date"},
        {"applicant.birth_date", STR("2026-00-10"), "applicant.birth_date", "invalid_date"},
        {"applicant.birth_date", STR("1980-2-29"), "applicant.birth_date", "invalid_date"},
        {"applicant.birth_date", STR("29/02/1980"), "applicant.birth_date", "invalid_date"},
        {"applicant.birth_date", STR("'; DROP TABLE dossiers;--"), "applicant.birth_date",
         "invalid_date"},
        {"applicant.birth_date", STR("2026-11-24"), "applicant.birth_date", "future_date"},
        {"applicant.birth_date", JSN("1980"), "applicant.birth_date", "invalid_type"},
        {"applicant.birth_date", JSN("{\"y\":1980}"), "applicant.birth_date", "invalid_type"},
    };

    RUN_FIELD_CASES(validate, VALID_AME, birth_date_cases);
}

static void test_sex_and_nir(void **state)
{
    json_t *errors, *body;
    const char *m1, *m2;

    (void)state;
    static const struct field_case sex_and_nir_cases[] = {
        {"applicant.sex", STR("M"), NULL, NULL},
        {"applicant.sex", STR("X"), NULL, NULL},
        {"applicant.sex", STR("f"), "applicant.sex", "invalid_enum"},
        {"applicant.sex", STR("Femme"), "applicant.sex", "invalid_enum"},
        {"applicant.sex", JSN("2"), "applicant.sex", "invalid_type"},
        {"applicant.nir", STR("280022930000102"), NULL, NULL}, /* key computed below */
        {"applicant.nir", STR("285022A00412355"), NULL, NULL}, /* Corse-du-Sud */
        {"applicant.nir", STR("190012B03304549"), NULL, NULL}, /* Haute-Corse */
        {"applicant.nir", JSN("null"), NULL, NULL},
        {"applicant.nir", STR("285022A00412356"), "applicant.nir", "invalid_nir"},
        {"applicant.nir", STR("2 80 02 29 300 001 02"), "applicant.nir", "invalid_nir"},
        {"applicant.nir", STR("2800229300001"), "applicant.nir", "invalid_nir"},
        {"applicant.nir", STR("'; DROP TABLE x"), "applicant.nir", "invalid_nir"},
        {"applicant.nir", JSN("280022930000102"), "applicant.nir", "invalid_type"},
        {"applicant.nir", STR(""), "applicant.nir", "invalid_format"},
    };

    RUN_FIELD_CASES(validate, VALID_AME, sex_and_nir_cases);

    /* Format and key errors carry different messages. */
    body = J(VALID_AME);
    json_set_path(body, "applicant.nir", json_string("285022A00412356"));
    errors = validate(body);
    m1 = json_string_value(json_object_get(json_array_get(errors, 0), "message"));
    body = J(VALID_AME);
    json_set_path(body, "applicant.nir", json_string("285022C00412355"));
    {
        json_t *errors2 = validate(body);

        m2 = json_string_value(json_object_get(json_array_get(errors2, 0), "message"));
        assert_string_not_equal(m1, m2);
        assert_non_null(strstr(m1, "clé"));
        json_decref(errors2);
    }
    json_decref(errors);
}

static void test_contact_fields(void **state)
{
    static const char *const phones[] = {"0612345678", "06 12 34 56 78", "06.12.34.56.78",
                                         "06-12-34-56-78", "+33612345678", "+33 6 12 34 56 78",
                                         "+262262123456", NULL};
    static const char *const bad_phones[] = {"612345678", "061234567", "06123456789", "+0612345678",
                                             "+1234567", "+1234567890123456", "06  12345678",
                                             "06 12 34 56 78 ", " 0612345678", "06123456ab",
                                             "+33-", "'; DROP TABLE dossiers;--",
                                             "<script>", "0612345678;", "tel:0612345678", NULL};
    static const char *const emails[] = {"marie@example.fr", "marie.dupont+cpam@sub.example.org",
                                         "o'brien@example.com", "a@b.co", "x_y@xn--bcher-kva.de",
                                         NULL};
    static const char *const bad_emails[] = {"marie", "@example.fr", "marie@", "marie@example",
                                             "marie@@example.fr", "ma rie@example.fr",
                                             "marie@exa mple.fr", ".marie@example.fr",
                                             "marie.@example.fr", "ma..rie@example.fr",
                                             "marie@-example.fr", "marie@example-.fr",
                                             "marie@example..fr", "marie@example.fr.",
                                             "marie@1.2.3.4", "<script>@x.fr",
                                             "a@b.c;DROP TABLE x", "\"m\"@example.fr",
                                             "marié@example.fr", "marie@exémple.fr", NULL};
    char local[80];

    (void)state;
    for (const char *const *s = phones; *s; s++)
        no_error("applicant.phone", json_string(*s));
    for (const char *const *s = bad_phones; *s; s++)
        one_error("applicant.phone", json_string(*s), "applicant.phone", "invalid_format");
    one_error("applicant.phone", json_integer(612345678), "applicant.phone", "invalid_type");
    one_error("applicant.phone", str_repeat("0", 31), "applicant.phone", "too_long");
    for (const char *const *s = emails; *s; s++)
        no_error("applicant.email", json_string(*s));
    for (const char *const *s = bad_emails; *s; s++)
        one_error("applicant.email", json_string(*s), "applicant.email", "invalid_format");
    memset(local, 'a', 65);
    memcpy(local + 65, "@example.fr", 12);
    one_error("applicant.email", json_string(local), "applicant.email", "invalid_format");
    local[1] = '@';
    local[2] = '\0';
    one_error("applicant.email", json_string(local), "applicant.email", "invalid_format");

    static const struct field_case contact_fields_cases[] = {
        {"applicant.language", STR("ber"), NULL, NULL},
        {"applicant.language", STR("EN"), NULL, NULL},
        {"applicant.language", STR("f"), "applicant.language", "invalid_format"},
        {"applicant.language", STR("fr-FR"), "applicant.language", "invalid_format"},
        {"applicant.language", REPEAT("f", 17), "applicant.language", "too_long"},
        {"applicant.language", STR("f1"), "applicant.language", "invalid_format"},
        {"applicant.interpreter_needed", STR("yes"), "applicant.interpreter_needed",
         "invalid_type"},
    };

    RUN_FIELD_CASES(validate, VALID_AME, contact_fields_cases);
}

static void test_address(void **state)
{
    (void)state;
    static const struct field_case address_cases[] = {
        {"applicant.address", JSN("null"), NULL, NULL},
        {"applicant.address.postal_code", STR("2A004"), NULL, NULL},
        {"applicant.address.postal_code", STR("97400"), NULL, NULL},
        {"applicant.address.line", GONE, NULL, NULL},
        /* Free text is data: stored as sent, escaped where it is displayed. */
        {"applicant.address.line", STR("'; DROP TABLE dossiers;--"), NULL, NULL},
        {"applicant.address.city", STR("<script>alert(1)</script>"), NULL, NULL},
        {"applicant.address.line", REPEAT("é", 200), NULL, NULL},
        {"applicant.address.line", REPEAT("é", 201), "applicant.address.line", "too_long"},
        {"applicant.address.line", STR("2 rue X\nBât. B"), "applicant.address.line",
         "invalid_format"},
        {"applicant.address.postal_code", STR("1700"), "applicant.address.postal_code",
         "invalid_format"},
        {"applicant.address.postal_code", STR("00100"), "applicant.address.postal_code",
         "invalid_format"},
        {"applicant.address.postal_code", STR("2C004"), "applicant.address.postal_code",
         "invalid_format"},
        {"applicant.address.postal_code", STR("17 000"), "applicant.address.postal_code",
         "invalid_format"},
        {"applicant.address.postal_code", JSN("17000"), "applicant.address.postal_code",
         "invalid_type"},
        {"applicant.address.postal_code", GONE, "applicant.address.postal_code", "required"},
        {"applicant.address.city", STR(""), "applicant.address.city", "required"},
        {"applicant.address.city", REPEAT("x", 101), "applicant.address.city", "too_long"},
        {"applicant.address", STR("2 rue X 17000 La Rochelle"), "applicant.address",
         "invalid_type"},
        {"applicant.address.country", STR("FR"), "applicant.address.country", "unknown_field"},
    };

    RUN_FIELD_CASES(validate, VALID_AME, address_cases);
}

static void test_domiciliation(void **state)
{
    (void)state;
    static const struct field_case domiciliation_cases[] = {
        {"applicant.domiciliation", JSN("null"), NULL, NULL},
        {"applicant.domiciliation.since", GONE, NULL, NULL},
        {"applicant.domiciliation.organisme", GONE, "applicant.domiciliation.organisme",
         "required"},
        {"applicant.domiciliation.organisme", REPEAT("o", 201),
         "applicant.domiciliation.organisme", "too_long"},
        {"applicant.domiciliation.since", STR("1979-12-31"), "applicant.domiciliation.since",
         "invalid_range"}, /* before birth */
        {"applicant.domiciliation.since", STR("2025-02-30"), "applicant.domiciliation.since",
         "invalid_date"},
        {"applicant.domiciliation", JSN("[]"), "applicant.domiciliation", "invalid_type"},
    };

    RUN_FIELD_CASES(validate, VALID_AME, domiciliation_cases);
}

/* ---- situation ------------------------------------------------------------------ */

static void test_required_by_prestation(void **state)
{
    json_t *body, *errors;

    (void)state;
    /* puma without situation. */
    body = J(VALID_AME);
    json_set_path(body, "prestation", json_string("puma"));
    json_set_path(body, "situation", NULL);
    errors = validate(body);
    {
        static const char *const expected[][2] = {
            {"situation.puma_criterion", "required"},
            {"situation.regular_stay", "required"},
        };

        ASSERT_ERRS_EXACTLY(errors, expected);
    }
    json_decref(errors);

    /* puma residence needs residence_since; activite needs activity_start. */
    body = J(VALID_AME);
    json_set_path(body, "prestation", json_string("puma"));
    json_set_path(body, "situation.residence_since", NULL);
    errors = validate(body);
    {
        static const char *const expected[][2] = {
            {"situation.residence_since", "required"},
        };

        ASSERT_ERRS_EXACTLY(errors, expected);
    }
    json_decref(errors);

    body = J(VALID_AME);
    json_set_path(body, "prestation", json_string("puma"));
    json_set_path(body, "situation.puma_criterion", json_string("activite"));
    errors = validate(body);
    {
        static const char *const expected[][2] = {
            {"situation.activity_start", "required"},
        };

        ASSERT_ERRS_EXACTLY(errors, expected);
    }
    json_decref(errors);

    /* An invalid criterion is the only error: which date is needed is unknown. */
    body = J(VALID_AME);
    json_set_path(body, "prestation", json_string("puma"));
    json_set_path(body, "situation.puma_criterion", json_string("travail"));
    json_set_path(body, "situation.residence_since", NULL);
    errors = validate(body);
    {
        static const char *const expected[][2] = {
            {"situation.puma_criterion", "invalid_enum"},
        };

        ASSERT_ERRS_EXACTLY(errors, expected);
    }
    json_decref(errors);

    /* css. */
    body = J(VALID_AME);
    json_set_path(body, "prestation", json_string("css"));
    json_set_path(body, "situation", json_object());
    errors = validate(body);
    {
        static const char *const expected[][2] = {
            {"situation.puma_start", "required"},
            {"situation.resources_under_ceiling", "required"},
        };

        ASSERT_ERRS_EXACTLY(errors, expected);
    }
    json_decref(errors);

    /* ame. */
    body = J(VALID_AME);
    json_set_path(body, "situation", json_null());
    errors = validate(body);
    {
        static const char *const expected[][2] = {
            {"situation.irregular_since", "required"},
            {"situation.resources_under_ceiling", "required"},
        };

        ASSERT_ERRS_EXACTLY(errors, expected);
    }
    json_decref(errors);

    static const struct field_case required_by_prestation_cases[] = {
        {"situation.resources_under_ceiling", JSN("null"), "situation.resources_under_ceiling",
         "required"},
        {"situation.resources_under_ceiling", STR("true"), "situation.resources_under_ceiling",
         "invalid_type"},
        {"situation.irregular_since", STR(""), "situation.irregular_since", "invalid_date"},
        {"situation", JSN("[]"), "situation", "invalid_type"},
        {"situation", STR("ame"), "situation", "invalid_type"},
    };

    RUN_FIELD_CASES(validate, VALID_AME, required_by_prestation_cases);
}

static void test_situation_fields(void **state)
{
    json_t *body, *errors;

    (void)state;
    body = J(VALID_AME);
    json_set_path(body, "situation",
                  J("{\"puma_criterion\":\"RESIDENCE\",\"residence_since\":\"1970-01-01\","
                    "\"regular_stay\":\"no\",\"irregular_since\":\"2026-13-01\","
                    "\"activity_start\":\"2027-01-01\",\"resources_under_ceiling\":1,"
                    "\"urgent_care_needed\":\"false\",\"precarious\":[],"
                    "\"puma_start\":\"1979-12-31\","
                    "\"hospitalization\":{\"admitted_on\":\"2026-11-10\","
                    "\"discharged_on\":\"2026-11-09\"},"
                    "\"care_dates\":[\"2026-11-10\",\"2026-13-01\",null,\"2030-01-01\",5,"
                    "\"1970-01-01\"],\"eligible\":true}"));
    errors = validate(body);
    assert_err(errors, "situation.puma_criterion", "invalid_enum");
    assert_err(errors, "situation.residence_since", "invalid_range");
    assert_err(errors, "situation.regular_stay", "invalid_type");
    assert_err(errors, "situation.irregular_since", "invalid_date");
    assert_err(errors, "situation.activity_start", "future_date");
    assert_err(errors, "situation.resources_under_ceiling", "invalid_type");
    assert_err(errors, "situation.urgent_care_needed", "invalid_type");
    assert_err(errors, "situation.precarious", "invalid_type");
    assert_err(errors, "situation.puma_start", "invalid_range");
    assert_err(errors, "situation.hospitalization.discharged_on", "invalid_range");
    assert_no_err_on(errors, "situation.care_dates[0]");
    assert_err(errors, "situation.care_dates[1]", "invalid_date");
    assert_err(errors, "situation.care_dates[2]", "required");
    assert_err(errors, "situation.care_dates[3]", "future_date");
    assert_err(errors, "situation.care_dates[4]", "invalid_type");
    assert_err(errors, "situation.care_dates[5]", "invalid_range");
    assert_err(errors, "situation.eligible", "unknown_field");
    assert_int_equal(json_array_size(errors), 16);
    json_decref(errors);
}

static void test_hospitalization_and_care_dates(void **state)
{
    json_t *dates;

    (void)state;
    static const struct field_case hospitalization_and_care_dates_cases[] = {
        {"situation.hospitalization", JSN("null"), NULL, NULL},
        {"situation.hospitalization.discharged_on", STR("2026-11-10"), NULL, NULL},
        {"situation.hospitalization.discharged_on", STR("2026-11-23"), NULL, NULL},
        {"situation.hospitalization.discharged_on", STR("2026-11-24"),
         "situation.hospitalization.discharged_on", "future_date"},
        {"situation.hospitalization.admitted_on", GONE, "situation.hospitalization.admitted_on",
         "required"},
        {"situation.hospitalization.admitted_on", STR("2026-11-31"),
         "situation.hospitalization.admitted_on", "invalid_date"},
        {"situation.hospitalization", STR("2026-11-10"), "situation.hospitalization",
         "invalid_type"},
        {"situation.irregular_since", STR("1979-12-31"), "situation.irregular_since",
         "invalid_range"},
        {"situation.irregular_since", STR("1980-02-29"), NULL, NULL}, /* the birth day itself */
    };

    RUN_FIELD_CASES(validate, VALID_AME, hospitalization_and_care_dates_cases);

    dates = json_array();
    for (int i = 0; i < 366; i++)
        json_array_append_new(dates, json_string("2026-11-10"));
    no_error("situation.care_dates", json_deep_copy(dates));
    json_array_append_new(dates, json_string("2026-11-10"));
    one_error("situation.care_dates", dates, "situation.care_dates", "too_many");
    static const struct field_case hospitalization_and_care_dates_cases2[] = {
        {"situation.care_dates", JSN("[]"), NULL, NULL},
        {"situation.care_dates", STR("2026-11-10"), "situation.care_dates", "invalid_type"},
        {"situation.care_dates", JSN("{\"a\":\"2026-11-10\"}"), "situation.care_dates",
         "invalid_type"},
    };

    RUN_FIELD_CASES(validate, VALID_AME, hospitalization_and_care_dates_cases2);
}

/* ---- pieces ---------------------------------------------------------------------- */

static void test_pieces(void **state)
{
    json_t *body, *errors, *pieces;

    (void)state;
    body = J(VALID_AME);
    json_set_path(body, "pieces",
         J("[{\"kind\":\"passport\",\"filename\":\"../../etc/passwd\",\"sha256\":\"xyz\","
           "\"size\":0},"
           "{},"
           "\"identite\","
           "{\"kind\":null,\"filename\":\"\",\"sha256\":\"" SHA "0\",\"size\":1.5},"
           "{\"kind\":\"autre\",\"filename\":\"a\\\\b.pdf\",\"sha256\":\"" SHA "\",\"size\":-1},"
           "{\"kind\":\"autre\",\"filename\":\"..\",\"sha256\":\"" SHA "\",\"size\":52428801},"
           "{\"kind\":\"autre\",\"filename\":\"ok.pdf\",\"sha256\":42,\"size\":\"100\"}]"));
    errors = validate(body);
    {
        static const char *const expected[][2] = {
            {"pieces[0].kind", "invalid_enum"},
            {"pieces[0].filename", "invalid_format"},
            {"pieces[0].sha256", "invalid_format"},
            {"pieces[0].size", "invalid_range"},
            {"pieces[1].kind", "required"},
            {"pieces[1].filename", "required"},
            {"pieces[1].sha256", "required"},
            {"pieces[1].size", "required"},
            {"pieces[2]", "invalid_type"},
            {"pieces[3].kind", "required"},
            {"pieces[3].filename", "required"},
            {"pieces[3].sha256", "invalid_format"},
            {"pieces[3].size", "invalid_type"},
            {"pieces[4].filename", "invalid_format"},
            {"pieces[4].size", "invalid_range"},
            {"pieces[5].filename", "invalid_format"},
            {"pieces[5].size", "invalid_range"},
            {"pieces[6].sha256", "invalid_type"},
            {"pieces[6].size", "invalid_type"},
        };

        ASSERT_ERRS_EXACTLY(errors, expected);
    }
    json_decref(errors);

    /* Boundaries. */
    body = J(VALID_AME);
    json_set_path(body, "pieces", json_pack("[{s:s, s:o, s:s, s:I}, {s:s, s:s, s:s, s:i}]",
                                   "kind", "justificatif_soins", "filename", str_repeat("f", 255),
                                   "sha256", "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
                                   "size", (json_int_t)50 * 1024 * 1024,
                                   "kind", "titre_sejour", "filename", "titre séjour (1).pdf",
                                   "sha256", SHA, "size", 1));
    errors = validate(body);
    assert_no_errors(errors);
    json_decref(errors);
    one_error("pieces", json_pack("[{s:s, s:o, s:s, s:i}]", "kind", "identite", "filename",
                                  str_repeat("f", 256), "sha256", SHA, "size", 10),
              "pieces[0].filename", "too_long");
    one_error("pieces", json_pack("[{s:s, s:s, s:s, s:i}]", "kind", "identite", "filename",
                                  "a\tb.pdf", "sha256", SHA, "size", 10),
              "pieces[0].filename", "invalid_format");
    one_error("pieces", json_pack("[{s:s, s:s, s:s, s:i}]", "kind", "identite", "filename",
                                  "a.pdf", "sha256",
                                  "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0g",
                                  "size", 10),
              "pieces[0].sha256", "invalid_format");
    one_error("pieces", json_pack("[{s:s, s:s, s:s, s:i}]", "kind", "identite", "filename",
                                  "a.pdf", "sha256",
                                  "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0",
                                  "size", 10),
              "pieces[0].sha256", "invalid_format");

    pieces = json_array();
    for (int i = 0; i < 50; i++)
        json_array_append_new(pieces, json_pack("{s:s, s:s, s:s, s:i}", "kind", "autre",
                                                "filename", "x.pdf", "sha256", SHA, "size", 1));
    no_error("pieces", json_deep_copy(pieces));
    json_array_append_new(pieces, json_pack("{}"));
    one_error("pieces", pieces, "pieces", "too_many");
    static const struct field_case pieces_cases[] = {
        {"pieces", JSN("{}"), "pieces", "invalid_type"},
        {"pieces", STR("passeport.pdf"), "pieces", "invalid_type"},
        {"pieces", JSN("null"), NULL, NULL},
    };

    RUN_FIELD_CASES(validate, VALID_AME, pieces_cases);

    /* Every kind of §4 is accepted. */
    {
        static const char *const kinds[] = {"identite", "justificatif_domicile",
                                            "attestation_domiciliation", "justificatif_ressources",
                                            "justificatif_soins", "titre_sejour", "autre", NULL};

        for (const char *const *k = kinds; *k; k++) {
            assert_true(dossier_piece_kind_valid(*k));
            no_error("pieces", json_pack("[{s:s, s:s, s:s, s:i}]", "kind", *k, "filename",
                                         "x.pdf", "sha256", SHA, "size", 1));
        }
        assert_false(dossier_piece_kind_valid("Identite"));
        assert_false(dossier_piece_kind_valid(NULL));
        assert_true(dossier_prestation_valid("css"));
        assert_false(dossier_prestation_valid("CSS"));
    }
}

static void test_pieces_endpoint(void **state)
{
    json_t *errors = json_array(), *body;

    (void)state;
    /* The reusable array check with a caller's path. */
    body = J("[{\"kind\":\"x\",\"filename\":\"a.pdf\",\"sha256\":\"" SHA "\",\"size\":1}]");
    assert_int_equal(dossier_validate_pieces(body, "nouvelles_pieces", errors), 1);
    assert_err(errors, "nouvelles_pieces[0].kind", "invalid_enum");
    json_decref(body);
    json_array_clear(errors);
    assert_int_equal(dossier_validate_pieces(NULL, "pieces", errors), 0);
    assert_int_equal(dossier_validate_pieces(json_null(), "pieces", errors), 0);

    /* {"pieces":[…]}: at least one piece, nothing else. */
    body = J("{\"pieces\":[{\"kind\":\"justificatif_ressources\",\"filename\":\"avis.pdf\","
             "\"sha256\":\"" SHA "\",\"size\":2048}]}");
    assert_int_equal(dossier_validate_pieces_body(body, errors), 0);
    json_decref(body);

    body = J("{}");
    assert_int_equal(dossier_validate_pieces_body(body, errors), 1);
    assert_err(errors, "pieces", "required");
    json_decref(body);
    json_array_clear(errors);

    body = J("{\"pieces\":[],\"status\":\"en_instruction\"}");
    assert_int_equal(dossier_validate_pieces_body(body, errors), 2);
    assert_err(errors, "pieces", "required");
    assert_err(errors, "status", "unknown_field");
    json_decref(body);
    json_array_clear(errors);

    body = J("[]");
    assert_int_equal(dossier_validate_pieces_body(body, errors), 1);
    assert_err(errors, "", "invalid_type");
    json_decref(body);
    json_array_clear(errors);
    assert_int_equal(dossier_validate_pieces_body(NULL, errors), 1);
    json_decref(errors);
}

/* ---- consent --------------------------------------------------------------------- */

static void test_consent(void **state)
{
    json_t *body, *errors;

    (void)state;
    static const struct field_case consent_cases[] = {
        {"consent", GONE, "consent", "required"},
        {"consent", JSN("null"), "consent", "required"},
        {"consent", JSN("true"), "consent", "invalid_type"},
        {"consent", JSN("[true]"), "consent", "invalid_type"},
        {"consent.informed", JSN("false"), "consent.informed", "must_be_true"},
        {"consent.informed", STR("true"), "consent.informed", "invalid_type"},
        {"consent.informed", JSN("1"), "consent.informed", "invalid_type"},
        {"consent.informed", JSN("null"), "consent.informed", "required"},
        {"consent.obtained_on", STR("2026-11-24"), "consent.obtained_on", "future_date"},
        {"consent.obtained_on", STR("2026-02-29"), "consent.obtained_on", "invalid_date"},
        {"consent.obtained_on", GONE, "consent.obtained_on", "required"},
    };

    RUN_FIELD_CASES(validate, VALID_AME, consent_cases);
    body = J(VALID_AME);
    json_set_path(body, "consent", json_object());
    errors = validate(body);
    {
        static const char *const expected[][2] = {
            {"consent.obtained_on", "required"},
            {"consent.informed", "required"},
        };

        ASSERT_ERRS_EXACTLY(errors, expected);
    }
    json_decref(errors);
}

static void test_everything_wrong_at_once(void **state)
{
    json_t *errors;

    (void)state;
    errors = validate(J("{\"prestation\":\"css\",\"first_request\":\"oui\",\"transmit\":null,"
                        "\"deposited_on\":\"2099-01-01\",\"status\":\"accorde\","
                        "\"applicant\":{\"last_name\":\"<script>alert(1)</script>\","
                        "\"first_names\":\"Marie\",\"birth_date\":null,\"sex\":\"F\"},"
                        "\"situation\":{\"resources_under_ceiling\":\"yes\"},"
                        "\"pieces\":[{\"kind\":\"identite\"}],"
                        "\"consent\":{\"obtained_on\":\"2026-11-20\",\"informed\":false}}"));
    {
        static const char *const expected[][2] = {
            {"first_request", "invalid_type"},
            {"deposited_on", "future_date"},
            {"status", "unknown_field"},
            {"applicant.last_name", "invalid_format"},
            {"applicant.first_names", "invalid_type"},
            {"applicant.birth_date", "required"},
            {"situation.resources_under_ceiling", "invalid_type"},
            {"situation.puma_start", "required"},
            {"pieces[0].filename", "required"},
            {"pieces[0].sha256", "required"},
            {"pieces[0].size", "required"},
            {"consent.informed", "must_be_true"},
        };

        ASSERT_ERRS_EXACTLY(errors, expected);
    }
    json_decref(errors);
}

/* ---- transitions ----------------------------------------------------------------- */

static json_t *transition(const char *action, const char *text)
{
    json_t *body = text != NULL ? J(text) : NULL;
    json_t *errors = json_array();
    int n = dossier_validate_transition(action, body, errors);

    assert_err_shape(errors);
    assert_int_equal((size_t)n, json_array_size(errors));
    json_decref(body);
    return errors;
}

static void transition_ok(const char *action, const char *text)
{
    json_t *errors = transition(action, text);

    assert_no_errors(errors);
    json_decref(errors);
}

static void transition_err(const char *action, const char *text, size_t count, const char *field,
                           const char *code)
{
    json_t *errors = transition(action, text);

    assert_err(errors, field, code);
    if (json_array_size(errors) != count) {
        err_dump(errors);
        fail_msg("%zu erreur(s) attendue(s) pour %s", count, text);
    }
    json_decref(errors);
}

static void test_transitions_valid(void **state)
{
    (void)state;
    transition_ok(NULL, "{\"action\":\"start_instruction\"}");
    transition_ok("start_instruction", NULL);
    transition_ok("start_instruction", "{}");
    transition_ok("start_instruction", "{\"action\":\"start_instruction\"}");
    transition_ok(NULL, "{\"action\":\"request_pieces\",\"pieces\":[\"justificatif_ressources\"],"
                        "\"message\":\"Merci de transmettre\\nvotre avis d'imposition.\"}");
    transition_ok(NULL, "{\"action\":\"request_pieces\",\"pieces\":[\"identite\",\"autre\"]}");
    transition_ok(NULL, "{\"action\":\"decide\",\"decision\":\"accord\"}");
    transition_ok(NULL, "{\"action\":\"decide\",\"decision\":\"accord\",\"motif\":\"dérogation\","
                        "\"rights\":{\"start\":\"2026-12-01\",\"end\":\"2027-11-30\"}}");
    transition_ok(NULL, "{\"action\":\"decide\",\"decision\":\"accord\",\"motif\":\"PUMa\","
                        "\"rights\":{\"start\":\"2026-11-01\",\"end\":null}}");
    transition_ok(NULL, "{\"action\":\"decide\",\"decision\":\"accord\","
                        "\"rights\":{\"start\":\"2026-11-01\",\"end\":\"2026-11-01\"}}");
    transition_ok(NULL, "{\"action\":\"decide\",\"decision\":\"refus\","
                        "\"motif\":\"Ressources supérieures au plafond\",\"rights\":null}");
    transition_ok(NULL, "{\"action\":\"close\",\"reason\":\"Demande en double\"}");
    transition_ok("close", "{\"reason\":\"'; DROP TABLE dossiers;--\"}");
}

static void test_transitions_invalid(void **state)
{
    json_t *big;
    char *text;

    (void)state;
    transition_err(NULL, "{}", 1, "action", "required");
    transition_err(NULL, "{\"action\":\"approve\"}", 1, "action", "invalid_enum");
    transition_err(NULL, "{\"action\":42}", 1, "action", "invalid_type");
    transition_err(NULL, "[\"decide\"]", 1, "", "invalid_type");
    transition_err(NULL, NULL, 1, "action", "required");
    transition_err("approve", "{}", 1, "action", "invalid_enum");
    transition_err("close", "{\"action\":\"decide\",\"reason\":\"x\"}", 1, "action",
                   "invalid_enum");
    transition_err("start_instruction", "{\"status\":\"accorde\"}", 1, "status",
                   "unknown_field");
    transition_err(NULL, "{\"action\":\"start_instruction\",\"decision\":\"accord\"}", 1,
                   "decision", "unknown_field");

    transition_err(NULL, "{\"action\":\"request_pieces\"}", 1, "pieces", "required");
    transition_err(NULL, "{\"action\":\"request_pieces\",\"pieces\":[]}", 1, "pieces",
                   "required");
    transition_err(NULL, "{\"action\":\"request_pieces\",\"pieces\":\"identite\"}", 1, "pieces",
                   "invalid_type");
    transition_err(NULL, "{\"action\":\"request_pieces\",\"pieces\":[\"identite\",\"rib\",7]}",
                   2, "pieces[1]", "invalid_enum");
    transition_err(NULL, "{\"action\":\"request_pieces\",\"pieces\":[\"identite\",\"rib\",7]}",
                   2, "pieces[2]", "invalid_type");
    transition_err(NULL, "{\"action\":\"request_pieces\",\"pieces\":[\"autre\",\"autre\"]}", 1,
                   "pieces[1]", "duplicate");
    transition_err(NULL, "{\"action\":\"request_pieces\",\"pieces\":[\"autre\",\"autre\","
                         "\"identite\",\"titre_sejour\",\"justificatif_soins\","
                         "\"justificatif_domicile\",\"attestation_domiciliation\","
                         "\"justificatif_ressources\"]}", 1, "pieces", "too_many");
    transition_err(NULL, "{\"action\":\"request_pieces\",\"pieces\":[\"autre\"],\"message\":\"\"}",
                   1, "message", "invalid_format");
    transition_err(NULL, "{\"action\":\"request_pieces\",\"pieces\":[\"autre\"],\"message\":5}",
                   1, "message", "invalid_type");
    transition_err(NULL, "{\"action\":\"request_pieces\",\"pieces\":[\"autre\"],\"reason\":\"x\"}",
                   1, "reason", "unknown_field");

    transition_err(NULL, "{\"action\":\"decide\"}", 1, "decision", "required");
    transition_err(NULL, "{\"action\":\"decide\",\"decision\":\"Accord\"}", 1, "decision",
                   "invalid_enum");
    /* a refusal's motif is recommended, not required (SPEC §4) */
    transition_ok(NULL, "{\"action\":\"decide\",\"decision\":\"refus\"}");
    transition_err(NULL, "{\"action\":\"decide\",\"decision\":\"refus\",\"motif\":\" \"}", 1,
                   "motif", "invalid_format");
    transition_err(NULL, "{\"action\":\"decide\",\"decision\":\"refus\",\"motif\":\"x\","
                         "\"rights\":{\"start\":\"2026-11-01\"}}", 1, "rights", "not_allowed");
    transition_err(NULL, "{\"action\":\"decide\",\"decision\":\"accord\","
                         "\"rights\":{\"start\":\"2026-11-02\",\"end\":\"2026-11-01\"}}", 1,
                   "rights.end", "invalid_range");
    transition_err(NULL, "{\"action\":\"decide\",\"decision\":\"accord\","
                         "\"rights\":{\"end\":\"2026-11-01\"}}", 1, "rights.start", "required");
    transition_err(NULL, "{\"action\":\"decide\",\"decision\":\"accord\","
                         "\"rights\":{\"start\":\"2026-02-30\"}}", 1, "rights.start",
                   "invalid_date");
    transition_err(NULL, "{\"action\":\"decide\",\"decision\":\"accord\","
                         "\"rights\":{\"start\":\"2026-11-01\",\"basis\":\"x\"}}", 1,
                   "rights.basis", "unknown_field");
    transition_err(NULL, "{\"action\":\"decide\",\"decision\":\"accord\",\"rights\":[]}", 1,
                   "rights", "invalid_type");
    transition_err(NULL, "{\"action\":\"decide\",\"decision\":\"accord\",\"override\":true}", 1,
                   "override", "unknown_field");

    transition_err(NULL, "{\"action\":\"close\"}", 1, "reason", "required");
    transition_err(NULL, "{\"action\":\"close\",\"reason\":\"\"}", 1, "reason", "required");
    transition_err(NULL, "{\"action\":\"close\",\"reason\":null}", 1, "reason", "required");
    transition_err(NULL, "{\"action\":\"close\",\"reason\":[\"x\"]}", 1, "reason",
                   "invalid_type");
    transition_err("close", NULL, 1, "reason", "required");

    big = json_pack("{s:s, s:o}", "action", "close", "reason", str_repeat("r", 2001));
    text = json_dumps(big, 0);
    transition_err(NULL, text, 1, "reason", "too_long");
    free(text);
    json_object_set_new(big, "reason", str_repeat("r", 2000));
    text = json_dumps(big, 0);
    transition_ok(NULL, text);
    free(text);
    json_decref(big);
}

/* ---- messages -------------------------------------------------------------------- */

static void test_messages(void **state)
{
    json_t *errors = json_array(), *body;

    (void)state;
    body = J("{\"body\":\"Bonjour,\\r\\nle dossier est complet.\\tMerci.\"}");
    assert_int_equal(dossier_validate_message(body, errors), 0);
    json_decref(body);

    body = json_pack("{s:o}", "body", str_repeat("é", 5000));
    assert_int_equal(dossier_validate_message(body, errors), 0);
    json_object_set_new(body, "body", str_repeat("é", 5001));
    assert_int_equal(dossier_validate_message(body, errors), 1);
    assert_err(errors, "body", "too_long");
    json_decref(body);
    json_array_clear(errors);

    body = J("{\"body\":\"\"}");
    assert_int_equal(dossier_validate_message(body, errors), 1);
    assert_err(errors, "body", "required");
    json_decref(body);
    json_array_clear(errors);

    body = J("{\"body\":5}");
    assert_int_equal(dossier_validate_message(body, errors), 1);
    assert_err(errors, "body", "invalid_type");
    json_decref(body);
    json_array_clear(errors);

    body = J("{\"text\":\"x\",\"author\":\"caisse\"}");
    assert_int_equal(dossier_validate_message(body, errors), 3);
    assert_err(errors, "body", "required");
    assert_err(errors, "text", "unknown_field");
    assert_err(errors, "author", "unknown_field");
    json_decref(body);
    json_array_clear(errors);

    body = J("{\"body\":\"bip\\u0007\"}");
    assert_int_equal(dossier_validate_message(body, errors), 1);
    assert_err(errors, "body", "invalid_format");
    json_decref(body);
    json_array_clear(errors);

    body = J("\"Bonjour\"");
    assert_int_equal(dossier_validate_message(body, errors), 1);
    assert_err(errors, "", "invalid_type");
    json_decref(body);
    json_decref(errors);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_example_is_valid),
        cmocka_unit_test(test_minimal_bodies_per_prestation),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_empty_object),
        cmocka_unit_test(test_mass_assignment_refused),
        cmocka_unit_test(test_error_list_is_bounded),
        cmocka_unit_test(test_long_unicode_key_listed),
        cmocka_unit_test(test_prestation),
        cmocka_unit_test(test_flags_and_deposit),
        cmocka_unit_test(test_applicant_every_field_listed),
        cmocka_unit_test(test_applicant_required),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_first_names),
        cmocka_unit_test(test_birth_date),
        cmocka_unit_test(test_sex_and_nir),
        cmocka_unit_test(test_contact_fields),
        cmocka_unit_test(test_address),
        cmocka_unit_test(test_domiciliation),
        cmocka_unit_test(test_required_by_prestation),
        cmocka_unit_test(test_situation_fields),
        cmocka_unit_test(test_hospitalization_and_care_dates),
        cmocka_unit_test(test_pieces),
        cmocka_unit_test(test_pieces_endpoint),
        cmocka_unit_test(test_consent),
        cmocka_unit_test(test_everything_wrong_at_once),
        cmocka_unit_test(test_transitions_valid),
        cmocka_unit_test(test_transitions_invalid),
        cmocka_unit_test(test_messages),
    };

    cal_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
