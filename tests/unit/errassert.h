/*
 * errassert.h — helpers for the unit tests of the validators: parse a JSON
 * literal, assert that an error list holds (or lacks) a {field, code} entry,
 * and the test every validator has: change one field of a valid body, expect
 * exactly one error (assert_changed_field).
 * Header-only (static inline) because each tests/unit/test_*.c is its own binary.
 */
#ifndef EPART_TEST_ERRASSERT_H
#define EPART_TEST_ERRASSERT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Parse text, failing the test when it is not JSON. The caller decrefs. */
static inline json_t *J(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &e);

    if (j == NULL)
        fail_msg("JSON de test invalide (%s) : %s", e.text, text);
    return j;
}

static inline const json_t *err_find(const json_t *errors, const char *field, const char *code)
{
    size_t i;
    json_t *e;

    json_array_foreach(errors, i, e) {
        const char *f = json_string_value(json_object_get(e, "field"));
        const char *c = json_string_value(json_object_get(e, "code"));

        if (f != NULL && c != NULL && strcmp(f, field) == 0 && strcmp(c, code) == 0)
            return e;
    }
    return NULL;
}

static inline void err_dump(const json_t *errors)
{
    char *s = json_dumps(errors, JSON_INDENT(1));

    print_message("errors: %s\n", s != NULL ? s : "?");
    free(s);
}

/* Every entry must be {field: string, code: string, message: non-empty string}. */
static inline void assert_err_shape(const json_t *errors)
{
    size_t i;
    json_t *e;

    assert_true(json_is_array(errors));
    json_array_foreach(errors, i, e) {
        assert_true(json_is_string(json_object_get(e, "field")));
        assert_true(json_is_string(json_object_get(e, "code")));
        assert_true(json_is_string(json_object_get(e, "message")));
        assert_true(json_string_length(json_object_get(e, "message")) > 0);
    }
}

#define assert_err(errors, field, code)                                                       \
    do {                                                                                      \
        if (err_find((errors), (field), (code)) == NULL) {                                    \
            err_dump(errors);                                                                 \
            fail_msg("erreur attendue absente : %s / %s", (field), (code));                  \
        }                                                                                     \
    } while (0)

#define assert_no_err_on(errors, field)                                                       \
    do {                                                                                      \
        size_t i_;                                                                            \
        json_t *e_;                                                                           \
        json_array_foreach((errors), i_, e_) {                                                \
            const char *f_ = json_string_value(json_object_get(e_, "field"));                \
            if (f_ != NULL && strcmp(f_, (field)) == 0) {                                     \
                err_dump(errors);                                                             \
                fail_msg("erreur inattendue sur %s", (field));                               \
            }                                                                                 \
        }                                                                                     \
    } while (0)

#define assert_no_errors(errors)                                                              \
    do {                                                                                      \
        if (json_array_size(errors) != 0) {                                                   \
            err_dump(errors);                                                                 \
            fail_msg("aucune erreur attendue");                                              \
        }                                                                                     \
    } while (0)

/* Set (value != NULL) or remove (value == NULL) the member at the dotted path
 * of root ("applicant.address.city"), creating intermediate objects. Steals
 * value. */
static inline void json_set_path(json_t *root, const char *dotted, json_t *value)
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

/* errors holds no entry (field == NULL), or exactly one: {field, code}. what
 * names the case in the failure message. */
static inline void assert_only_err(const json_t *errors, const char *field, const char *code,
                                   const char *what)
{
    if (field == NULL) {
        if (json_array_size(errors) != 0) {
            err_dump(errors);
            fail_msg("%s : aucune erreur attendue", what);
        }
        return;
    }
    if (err_find(errors, field, code) == NULL) {
        err_dump(errors);
        fail_msg("%s : erreur attendue absente : %s / %s", what, field, code);
    }
    if (json_array_size(errors) != 1) {
        err_dump(errors);
        fail_msg("%s : une seule erreur attendue (%s / %s)", what, field, code);
    }
}

/* errors holds exactly the n entries {field, code} of expected, in any order;
 * a failure lists every one missing. */
static inline void assert_errs_exactly(const json_t *errors, const char *const (*expected)[2],
                                       size_t n)
{
    char missing[1024] = "";
    size_t used = 0;

    for (size_t i = 0; i < n; i++)
        if (err_find(errors, expected[i][0], expected[i][1]) == NULL && used < sizeof(missing))
            used += (size_t)snprintf(missing + used, sizeof(missing) - used, " %s/%s",
                                     expected[i][0], expected[i][1]);
    if (missing[0] != '\0' || json_array_size(errors) != n) {
        err_dump(errors);
        fail_msg("%zu erreur(s) attendue(s), %zu reçue(s) ; absentes :%s", n,
                 json_array_size(errors), missing[0] ? missing : " aucune");
    }
}

#define ASSERT_ERRS_EXACTLY(errors, expected)                                                 \
    assert_errs_exactly((errors), (expected), sizeof(expected) / sizeof((expected)[0]))

/* A validator under test: validates body (consumed) and returns its error list
 * (the caller decrefs). */
typedef json_t *(*validator_fn)(json_t *body);

static inline void changed_field_named(validator_fn validate, const char *valid,
                                       const char *dotted, json_t *value, const char *field,
                                       const char *code, const char *what)
{
    json_t *body = J(valid), *errors;

    json_set_path(body, dotted, value);
    errors = validate(body);
    assert_only_err(errors, field, code, what);
    json_decref(errors);
}

/* The body valid (JSON text) with the member at dotted set to value (stolen;
 * NULL removes it) must give no error when field is NULL, else exactly the one
 * error {field, code}. */
static inline void assert_changed_field(validator_fn validate, const char *valid,
                                        const char *dotted, json_t *value, const char *field,
                                        const char *code)
{
    changed_field_named(validate, valid, dotted, value, field, code, dotted);
}

/* The same test as a table, one row a case: the member at path set to a value
 * written as GONE (removed), STR("text"), STRN("a\0b", 3) (with its length),
 * JSN("json text") or REPEAT("é", 201) (a string of the unit repeated), and
 * the one error expected (field NULL: none). A failure names its row. */
enum field_value { FV_REMOVE, FV_STRING, FV_STRINGN, FV_JSON, FV_REPEAT };

struct field_case {
    const char *path;
    enum field_value kind;
    const char *value;
    size_t n; /* FV_STRINGN: the length; FV_REPEAT: how many times */
    const char *field, *code;
};

#define GONE FV_REMOVE, NULL, 0
#define STR(s) FV_STRING, (s), 0
#define STRN(s, len) FV_STRINGN, (s), (len)
#define JSN(text) FV_JSON, (text), 0
#define REPEAT(unit, times) FV_REPEAT, (unit), (times)

static inline json_t *field_case_value(const struct field_case *c)
{
    json_t *j = NULL;

    switch (c->kind) {
    case FV_REMOVE:
        break;
    case FV_STRING:
        j = json_string(c->value);
        break;
    case FV_STRINGN:
        j = json_stringn(c->value, c->n);
        break;
    case FV_JSON:
        j = J(c->value);
        break;
    case FV_REPEAT: {
        size_t len = strlen(c->value);
        char *s = malloc(len * c->n + 1);

        for (size_t i = 0; i < c->n; i++)
            memcpy(s + len * i, c->value, len);
        s[len * c->n] = '\0';
        j = json_string(s);
        free(s);
        break;
    }
    }
    if (c->kind != FV_REMOVE && j == NULL)
        fail_msg("valeur de test invalide pour %s", c->path);
    return j;
}

static inline void run_field_cases(validator_fn validate, const char *valid,
                                   const struct field_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct field_case *c = &cases[i];
        char what[200];

        if (c->kind == FV_REMOVE)
            snprintf(what, sizeof(what), "row %zu (%s removed)", i, c->path);
        else if (c->kind == FV_REPEAT)
            snprintf(what, sizeof(what), "row %zu (%s = \"%s\" x %zu)", i, c->path, c->value,
                     c->n);
        else
            snprintf(what, sizeof(what), "row %zu (%s = %.60s)", i, c->path, c->value);
        changed_field_named(validate, valid, c->path, field_case_value(c), c->field, c->code,
                            what);
    }
}

#define RUN_FIELD_CASES(validate, valid, table)                                               \
    run_field_cases((validate), (valid), (table), sizeof(table) / sizeof((table)[0]))

#endif
