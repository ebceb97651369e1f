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

/* Set (value != NULL) or remove (value == NULL) the member at a dotted path,
 * creating intermediate objects. Steals value. */
static void jset(json_t *root, const char *dotted, json_t *value)
{
    char buf[256], *save = NULL, *tok, *next;
    json_t *cur = root;

    snprintf(buf, sizeof(buf), "%s", dotted);
    tok = strtok_r(buf, ".", &save);
    while ((next = strtok_r(NULL, ".", &save)) != NULL) {
        json_t *child = json_object_get(cur, tok);

        if (!json_is_object(child)) {
            child = json_object();
            json_object_set_new(cur, tok, child);
        }
        cur = child;
        tok = next;
    }
    if (value == NULL)
        json_object_del(cur, tok);
    else
        json_object_set_new(cur, tok, value);
}

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
    json_t *body = J(VALID_AME), *errors;

    jset(body, path, value);
    errors = validate(body);
    assert_err(errors, field, code);
    if (json_array_size(errors) != 1) {
        err_dump(errors);
        fail_msg("une seule erreur attendue pour %s", path);
    }
    json_decref(errors);
}

/* Validate the valid AME body with one member changed; expect no error. */
static void no_error(const char *path, json_t *value)
{
    json_t *body = J(VALID_AME), *errors;

    jset(body, path, value);
    errors = validate(body);
    assert_no_errors(errors);
    json_decref(errors);
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
    jset(body, "applicant.status", json_true());
    jset(body, "situation.eligible", json_true());
    jset(body, "situation.hospitalization.ward", json_string("B"));
    jset(body, "consent.by", json_string("x"));
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
    one_error("prestation", json_string("AME"), "prestation", "invalid_enum");
    one_error("prestation", json_string("cmu"), "prestation", "invalid_enum");
    one_error("prestation", json_string(""), "prestation", "invalid_enum");
    one_error("prestation", json_stringn("ame\0x", 5), "prestation", "invalid_enum");
    one_error("prestation", json_string("'; DROP TABLE dossiers;--"), "prestation",
              "invalid_enum");
    one_error("prestation", json_integer(1), "prestation", "invalid_type");
    one_error("prestation", json_pack("[s]", "ame"), "prestation", "invalid_type");
    one_error("prestation", json_null(), "prestation", "required");
    one_error("prestation", NULL, "prestation", "required");
}

static void test_flags_and_deposit(void **state)
{
    (void)state;
    one_error("first_request", json_string("true"), "first_request", "invalid_type");
    one_error("first_request", json_integer(1), "first_request", "invalid_type");
    one_error("transmit", json_string("false"), "transmit", "invalid_type");
    one_error("transmit", json_integer(0), "transmit", "invalid_type");
    no_error("first_request", json_false());
    no_error("first_request", NULL);
    no_error("transmit", json_null());
    no_error("deposited_on", NULL);
    no_error("deposited_on", json_string("2026-11-23")); /* today */
    one_error("deposited_on", json_string("2026-11-24"), "deposited_on", "future_date");
    one_error("deposited_on", json_string("2026-04-31"), "deposited_on", "invalid_date");
    one_error("deposited_on", json_string("2021-02-29"), "deposited_on", "invalid_date");
    one_error("deposited_on", json_string("20/11/2026"), "deposited_on", "invalid_date");
    one_error("deposited_on", json_string("2026-11-20T10:00:00Z"), "deposited_on",
              "invalid_date");
    one_error("deposited_on", json_stringn("2026-11-20\0", 11), "deposited_on", "invalid_date");
    one_error("deposited_on", json_integer(20261120), "deposited_on", "invalid_type");
}

/* ---- applicant ------------------------------------------------------------------ */

static void test_applicant_every_field_listed(void **state)
{
    json_t *body = J(VALID_AME), *errors;

    (void)state;
    jset(body, "applicant", J("{\"last_name\":42,\"first_names\":[],\"birth_date\":\"2021-02-29\","
                              "\"sex\":\"Z\",\"nir\":\"180021730000186\",\"phone\":\"abc\","
                              "\"email\":\"x@\",\"language\":\"french\","
                              "\"interpreter_needed\":\"false\","
                              "\"address\":{\"postal_code\":\"1700\"},"
                              "\"domiciliation\":{\"organisme\":\"L'Escale\","
                              "\"since\":\"2027-01-01\"},\"foo\":1}"));
    errors = validate(body);
    assert_err(errors, "applicant.last_name", "invalid_type");
    assert_err(errors, "applicant.first_names", "required");
    assert_err(errors, "applicant.birth_date", "invalid_date");
    assert_err(errors, "applicant.sex", "invalid_enum");
    assert_err(errors, "applicant.nir", "invalid_nir");
    assert_err(errors, "applicant.phone", "invalid_format");
    assert_err(errors, "applicant.email", "invalid_format");
    assert_err(errors, "applicant.language", "invalid_format");
    assert_err(errors, "applicant.interpreter_needed", "invalid_type");
    assert_err(errors, "applicant.address.postal_code", "invalid_format");
    assert_err(errors, "applicant.address.city", "required");
    assert_err(errors, "applicant.domiciliation.since", "future_date");
    assert_err(errors, "applicant.foo", "unknown_field");
    assert_int_equal(json_array_size(errors), 13);
    json_decref(errors);
}

static void test_applicant_required(void **state)
{
    json_t *body = J(VALID_AME), *errors;

    (void)state;
    jset(body, "applicant", json_object());
    errors = validate(body);
    assert_err(errors, "applicant.last_name", "required");
    assert_err(errors, "applicant.first_names", "required");
    assert_err(errors, "applicant.birth_date", "required");
    assert_err(errors, "applicant.sex", "required");
    assert_int_equal(json_array_size(errors), 4);
    json_decref(errors);

    one_error("applicant", json_pack("[]"), "applicant", "invalid_type");
    one_error("applicant", json_string("DUPONT"), "applicant", "invalid_type");
    one_error("applicant", json_null(), "applicant", "required");
    one_error("applicant.last_name", json_string(""), "applicant.last_name", "required");
    one_error("applicant.last_name", json_string("   "), "applicant.last_name", "required");
    one_error("applicant.last_name", json_null(), "applicant.last_name", "required");
    one_error("applicant.sex", json_null(), "applicant.sex", "required");
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
    one_error("applicant.last_name", json_string("DU\tPONT"), "applicant.last_name",
              "invalid_format");
    one_error("applicant.last_name", json_string("DU\nPONT"), "applicant.last_name",
              "invalid_format");
    one_error("applicant.last_name", json_stringn("DU\0PONT", 7), "applicant.last_name",
              "invalid_format");
    one_error("applicant.last_name", json_string("DU\x7fPONT"), "applicant.last_name",
              "invalid_format");
    one_error("applicant.last_name", json_string("DU\xc2\x85PONT"), "applicant.last_name",
              "invalid_format"); /* U+0085 */
    one_error("applicant.last_name", json_string("\xe2\x80\xae" "TNOPUD"), "applicant.last_name",
              "invalid_format"); /* U+202E */
    one_error("applicant.last_name", json_string("DU\xe2\x80\x8bPONT"), "applicant.last_name",
              "invalid_format"); /* U+200B */
    /* Lengths count characters. */
    no_error("applicant.last_name", str_repeat("A", 100));
    no_error("applicant.last_name", str_repeat("É", 100));
    one_error("applicant.last_name", str_repeat("A", 101), "applicant.last_name", "too_long");
    one_error("applicant.last_name", str_repeat("É", 101), "applicant.last_name", "too_long");
    one_error("applicant.last_name", str_repeat("A", 100000), "applicant.last_name", "too_long");
    one_error("applicant.last_name", json_integer(0), "applicant.last_name", "invalid_type");
    one_error("applicant.last_name", json_true(), "applicant.last_name", "invalid_type");
    one_error("applicant.last_name", json_object(), "applicant.last_name", "invalid_type");
}

static void test_first_names(void **state)
{
    json_t *body = J(VALID_AME), *errors, *many;

    (void)state;
    jset(body, "applicant.first_names",
         J("[\"Marie\",\"\",3,null,\"Jean<script>\",[\"x\"],\"Anne\\u0007\"]"));
    errors = validate(body);
    assert_no_err_on(errors, "applicant.first_names[0]");
    assert_err(errors, "applicant.first_names[1]", "required");
    assert_err(errors, "applicant.first_names[2]", "invalid_type");
    assert_err(errors, "applicant.first_names[3]", "required");
    assert_err(errors, "applicant.first_names[4]", "invalid_format");
    assert_err(errors, "applicant.first_names[5]", "invalid_type");
    assert_err(errors, "applicant.first_names[6]", "invalid_format");
    assert_int_equal(json_array_size(errors), 6);
    json_decref(errors);

    many = json_array();
    for (int i = 0; i < 10; i++)
        json_array_append_new(many, json_string("Jean"));
    no_error("applicant.first_names", json_deep_copy(many));
    json_array_append_new(many, json_string("Jean"));
    one_error("applicant.first_names", many, "applicant.first_names", "too_many");
    one_error("applicant.first_names", json_string("Marie"), "applicant.first_names",
              "invalid_type");
    one_error("applicant.first_names", json_pack("[]"), "applicant.first_names", "required");
    one_error("applicant.first_names", json_pack("{s:s}", "0", "Marie"), "applicant.first_names",
              "invalid_type");
    one_error("applicant.first_names", json_pack("[s]", "Marie-Hélène Jo\xc3\xabl\xe2\x80\x8b"),
              "applicant.first_names[0]", "invalid_format");
}

static void test_birth_date(void **state)
{
    (void)state;
    no_error("applicant.birth_date", json_string("2000-02-29"));
    no_error("applicant.birth_date", json_string("1900-01-01"));
    one_error("applicant.birth_date", json_string("1899-12-31"), "applicant.birth_date",
              "invalid_range");
    one_error("applicant.birth_date", json_string("1900-02-29"), "applicant.birth_date",
              "invalid_date");
    one_error("applicant.birth_date", json_string("2026-04-31"), "applicant.birth_date",
              "invalid_date");
    one_error("applicant.birth_date", json_string("2026-00-10"), "applicant.birth_date",
              "invalid_date");
    one_error("applicant.birth_date", json_string("1980-2-29"), "applicant.birth_date",
              "invalid_date");
    one_error("applicant.birth_date", json_string("29/02/1980"), "applicant.birth_date",
              "invalid_date");
    one_error("applicant.birth_date", json_string("'; DROP TABLE dossiers;--"),
              "applicant.birth_date", "invalid_date");
    one_error("applicant.birth_date", json_string("2026-11-24"), "applicant.birth_date",
              "future_date");
    one_error("applicant.birth_date", json_integer(1980), "applicant.birth_date",
              "invalid_type");
    one_error("applicant.birth_date", json_pack("{s:i}", "y", 1980), "applicant.birth_date",
              "invalid_type");
}

static void test_sex_and_nir(void **state)
{
    json_t *errors, *body;
    const char *m1, *m2;

    (void)state;
    no_error("applicant.sex", json_string("M"));
    no_error("applicant.sex", json_string("X"));
    one_error("applicant.sex", json_string("f"), "applicant.sex", "invalid_enum");
    one_error("applicant.sex", json_string("Femme"), "applicant.sex", "invalid_enum");
    one_error("applicant.sex", json_integer(2), "applicant.sex", "invalid_type");

    no_error("applicant.nir", json_string("280022930000102"));   /* key computed below */
    no_error("applicant.nir", json_string("285022A00412355"));   /* Corse-du-Sud */
    no_error("applicant.nir", json_string("190012B03304549"));   /* Haute-Corse */
    no_error("applicant.nir", json_null());
    one_error("applicant.nir", json_string("285022A00412356"), "applicant.nir", "invalid_nir");
    one_error("applicant.nir", json_string("2 80 02 29 300 001 02"), "applicant.nir",
              "invalid_nir");
    one_error("applicant.nir", json_string("2800229300001"), "applicant.nir", "invalid_nir");
    one_error("applicant.nir", json_string("'; DROP TABLE x"), "applicant.nir", "invalid_nir");
    one_error("applicant.nir", json_integer(280022930000102), "applicant.nir", "invalid_type");
    one_error("applicant.nir", json_string(""), "applicant.nir", "invalid_format");

    /* Format and key errors carry different messages. */
    body = J(VALID_AME);
    jset(body, "applicant.nir", json_string("285022A00412356"));
    errors = validate(body);
    m1 = json_string_value(json_object_get(json_array_get(errors, 0), "message"));
    body = J(VALID_AME);
    jset(body, "applicant.nir", json_string("285022C00412355"));
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

    no_error("applicant.language", json_string("ber"));
    no_error("applicant.language", json_string("EN"));
    one_error("applicant.language", json_string("f"), "applicant.language", "invalid_format");
    one_error("applicant.language", json_string("fr-FR"), "applicant.language",
              "invalid_format");
    one_error("applicant.language", str_repeat("f", 17), "applicant.language", "too_long");
    one_error("applicant.language", json_string("f1"), "applicant.language", "invalid_format");
    one_error("applicant.interpreter_needed", json_string("yes"), "applicant.interpreter_needed",
              "invalid_type");
}

static void test_address(void **state)
{
    (void)state;
    no_error("applicant.address", json_null());
    no_error("applicant.address.postal_code", json_string("2A004"));
    no_error("applicant.address.postal_code", json_string("97400"));
    no_error("applicant.address.line", NULL);
    /* Free text is data: stored as sent, escaped where it is displayed. */
    no_error("applicant.address.line", json_string("'; DROP TABLE dossiers;--"));
    no_error("applicant.address.city", json_string("<script>alert(1)</script>"));
    no_error("applicant.address.line", str_repeat("é", 200));
    one_error("applicant.address.line", str_repeat("é", 201), "applicant.address.line",
              "too_long");
    one_error("applicant.address.line", json_string("2 rue X\nBât. B"), "applicant.address.line",
              "invalid_format");
    one_error("applicant.address.postal_code", json_string("1700"),
              "applicant.address.postal_code", "invalid_format");
    one_error("applicant.address.postal_code", json_string("00100"),
              "applicant.address.postal_code", "invalid_format");
    one_error("applicant.address.postal_code", json_string("2C004"),
              "applicant.address.postal_code", "invalid_format");
    one_error("applicant.address.postal_code", json_string("17 000"),
              "applicant.address.postal_code", "invalid_format");
    one_error("applicant.address.postal_code", json_integer(17000),
              "applicant.address.postal_code", "invalid_type");
    one_error("applicant.address.postal_code", NULL, "applicant.address.postal_code",
              "required");
    one_error("applicant.address.city", json_string(""), "applicant.address.city", "required");
    one_error("applicant.address.city", str_repeat("x", 101), "applicant.address.city",
              "too_long");
    one_error("applicant.address", json_string("2 rue X 17000 La Rochelle"), "applicant.address",
              "invalid_type");
    one_error("applicant.address.country", json_string("FR"), "applicant.address.country",
              "unknown_field");
}

static void test_domiciliation(void **state)
{
    (void)state;
    no_error("applicant.domiciliation", json_null());
    no_error("applicant.domiciliation.since", NULL);
    one_error("applicant.domiciliation.organisme", NULL, "applicant.domiciliation.organisme",
              "required");
    one_error("applicant.domiciliation.organisme", str_repeat("o", 201),
              "applicant.domiciliation.organisme", "too_long");
    one_error("applicant.domiciliation.since", json_string("1979-12-31"),
              "applicant.domiciliation.since", "invalid_range"); /* before birth */
    one_error("applicant.domiciliation.since", json_string("2025-02-30"),
              "applicant.domiciliation.since", "invalid_date");
    one_error("applicant.domiciliation", json_pack("[]"), "applicant.domiciliation",
              "invalid_type");
}

/* ---- situation ------------------------------------------------------------------ */

static void test_required_by_prestation(void **state)
{
    json_t *body, *errors;

    (void)state;
    /* puma without situation. */
    body = J(VALID_AME);
    jset(body, "prestation", json_string("puma"));
    jset(body, "situation", NULL);
    errors = validate(body);
    assert_err(errors, "situation.puma_criterion", "required");
    assert_err(errors, "situation.regular_stay", "required");
    assert_int_equal(json_array_size(errors), 2);
    json_decref(errors);

    /* puma residence needs residence_since; activite needs activity_start. */
    body = J(VALID_AME);
    jset(body, "prestation", json_string("puma"));
    jset(body, "situation.residence_since", NULL);
    errors = validate(body);
    assert_err(errors, "situation.residence_since", "required");
    assert_int_equal(json_array_size(errors), 1);
    json_decref(errors);

    body = J(VALID_AME);
    jset(body, "prestation", json_string("puma"));
    jset(body, "situation.puma_criterion", json_string("activite"));
    errors = validate(body);
    assert_err(errors, "situation.activity_start", "required");
    assert_int_equal(json_array_size(errors), 1);
    json_decref(errors);

    /* An invalid criterion is the only error: which date is needed is unknown. */
    body = J(VALID_AME);
    jset(body, "prestation", json_string("puma"));
    jset(body, "situation.puma_criterion", json_string("travail"));
    jset(body, "situation.residence_since", NULL);
    errors = validate(body);
    assert_err(errors, "situation.puma_criterion", "invalid_enum");
    assert_int_equal(json_array_size(errors), 1);
    json_decref(errors);

    /* css. */
    body = J(VALID_AME);
    jset(body, "prestation", json_string("css"));
    jset(body, "situation", json_object());
    errors = validate(body);
    assert_err(errors, "situation.puma_start", "required");
    assert_err(errors, "situation.resources_under_ceiling", "required");
    assert_int_equal(json_array_size(errors), 2);
    json_decref(errors);

    /* ame. */
    body = J(VALID_AME);
    jset(body, "situation", json_null());
    errors = validate(body);
    assert_err(errors, "situation.irregular_since", "required");
    assert_err(errors, "situation.resources_under_ceiling", "required");
    assert_int_equal(json_array_size(errors), 2);
    json_decref(errors);

    one_error("situation.resources_under_ceiling", json_null(),
              "situation.resources_under_ceiling", "required");
    one_error("situation.resources_under_ceiling", json_string("true"),
              "situation.resources_under_ceiling", "invalid_type");
    one_error("situation.irregular_since", json_string(""), "situation.irregular_since",
              "invalid_date");
    one_error("situation", json_pack("[]"), "situation", "invalid_type");
    one_error("situation", json_string("ame"), "situation", "invalid_type");
}

static void test_situation_fields(void **state)
{
    json_t *body, *errors;

    (void)state;
    body = J(VALID_AME);
    jset(body, "situation", J("{\"puma_criterion\":\"RESIDENCE\",\"residence_since\":\"1970-01-01\","
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
    no_error("situation.hospitalization", json_null());
    no_error("situation.hospitalization.discharged_on", json_string("2026-11-10"));
    no_error("situation.hospitalization.discharged_on", json_string("2026-11-23"));
    one_error("situation.hospitalization.discharged_on", json_string("2026-11-24"),
              "situation.hospitalization.discharged_on", "future_date");
    one_error("situation.hospitalization.admitted_on", NULL,
              "situation.hospitalization.admitted_on", "required");
    one_error("situation.hospitalization.admitted_on", json_string("2026-11-31"),
              "situation.hospitalization.admitted_on", "invalid_date");
    one_error("situation.hospitalization", json_string("2026-11-10"),
              "situation.hospitalization", "invalid_type");
    one_error("situation.irregular_since", json_string("1979-12-31"), "situation.irregular_since",
              "invalid_range");
    no_error("situation.irregular_since", json_string("1980-02-29")); /* the birth day itself */

    dates = json_array();
    for (int i = 0; i < 366; i++)
        json_array_append_new(dates, json_string("2026-11-10"));
    no_error("situation.care_dates", json_deep_copy(dates));
    json_array_append_new(dates, json_string("2026-11-10"));
    one_error("situation.care_dates", dates, "situation.care_dates", "too_many");
    no_error("situation.care_dates", json_pack("[]"));
    one_error("situation.care_dates", json_string("2026-11-10"), "situation.care_dates",
              "invalid_type");
    one_error("situation.care_dates", json_pack("{s:s}", "a", "2026-11-10"),
              "situation.care_dates", "invalid_type");
}

/* ---- pieces ---------------------------------------------------------------------- */

static void test_pieces(void **state)
{
    json_t *body, *errors, *pieces;

    (void)state;
    body = J(VALID_AME);
    jset(body, "pieces",
         J("[{\"kind\":\"passport\",\"filename\":\"../../etc/passwd\",\"sha256\":\"xyz\","
           "\"size\":0},"
           "{},"
           "\"identite\","
           "{\"kind\":null,\"filename\":\"\",\"sha256\":\"" SHA "0\",\"size\":1.5},"
           "{\"kind\":\"autre\",\"filename\":\"a\\\\b.pdf\",\"sha256\":\"" SHA "\",\"size\":-1},"
           "{\"kind\":\"autre\",\"filename\":\"..\",\"sha256\":\"" SHA "\",\"size\":52428801},"
           "{\"kind\":\"autre\",\"filename\":\"ok.pdf\",\"sha256\":42,\"size\":\"100\"}]"));
    errors = validate(body);
    assert_err(errors, "pieces[0].kind", "invalid_enum");
    assert_err(errors, "pieces[0].filename", "invalid_format");
    assert_err(errors, "pieces[0].sha256", "invalid_format");
    assert_err(errors, "pieces[0].size", "invalid_range");
    assert_err(errors, "pieces[1].kind", "required");
    assert_err(errors, "pieces[1].filename", "required");
    assert_err(errors, "pieces[1].sha256", "required");
    assert_err(errors, "pieces[1].size", "required");
    assert_err(errors, "pieces[2]", "invalid_type");
    assert_err(errors, "pieces[3].kind", "required");
    assert_err(errors, "pieces[3].filename", "required");
    assert_err(errors, "pieces[3].sha256", "invalid_format");
    assert_err(errors, "pieces[3].size", "invalid_type");
    assert_err(errors, "pieces[4].filename", "invalid_format");
    assert_err(errors, "pieces[4].size", "invalid_range");
    assert_err(errors, "pieces[5].filename", "invalid_format");
    assert_err(errors, "pieces[5].size", "invalid_range");
    assert_err(errors, "pieces[6].sha256", "invalid_type");
    assert_err(errors, "pieces[6].size", "invalid_type");
    assert_int_equal(json_array_size(errors), 19);
    json_decref(errors);

    /* Boundaries. */
    body = J(VALID_AME);
    jset(body, "pieces", json_pack("[{s:s, s:o, s:s, s:I}, {s:s, s:s, s:s, s:i}]",
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
    one_error("pieces", json_object(), "pieces", "invalid_type");
    one_error("pieces", json_string("passeport.pdf"), "pieces", "invalid_type");
    no_error("pieces", json_null());

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
    one_error("consent", NULL, "consent", "required");
    one_error("consent", json_null(), "consent", "required");
    one_error("consent", json_true(), "consent", "invalid_type");
    one_error("consent", json_pack("[b]", 1), "consent", "invalid_type");
    one_error("consent.informed", json_false(), "consent.informed", "must_be_true");
    one_error("consent.informed", json_string("true"), "consent.informed", "invalid_type");
    one_error("consent.informed", json_integer(1), "consent.informed", "invalid_type");
    one_error("consent.informed", json_null(), "consent.informed", "required");
    one_error("consent.obtained_on", json_string("2026-11-24"), "consent.obtained_on",
              "future_date");
    one_error("consent.obtained_on", json_string("2026-02-29"), "consent.obtained_on",
              "invalid_date");
    one_error("consent.obtained_on", NULL, "consent.obtained_on", "required");
    body = J(VALID_AME);
    jset(body, "consent", json_object());
    errors = validate(body);
    assert_err(errors, "consent.obtained_on", "required");
    assert_err(errors, "consent.informed", "required");
    assert_int_equal(json_array_size(errors), 2);
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
    assert_err(errors, "first_request", "invalid_type");
    assert_err(errors, "deposited_on", "future_date");
    assert_err(errors, "status", "unknown_field");
    assert_err(errors, "applicant.last_name", "invalid_format");
    assert_err(errors, "applicant.first_names", "invalid_type");
    assert_err(errors, "applicant.birth_date", "required");
    assert_err(errors, "situation.resources_under_ceiling", "invalid_type");
    assert_err(errors, "situation.puma_start", "required");
    assert_err(errors, "pieces[0].filename", "required");
    assert_err(errors, "pieces[0].sha256", "required");
    assert_err(errors, "pieces[0].size", "required");
    assert_err(errors, "consent.informed", "must_be_true");
    assert_int_equal(json_array_size(errors), 12);
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
