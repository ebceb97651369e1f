/*
 * errassert.h — helpers for the unit tests of the validators: parse a JSON
 * literal, and assert that an error list holds (or lacks) a {field, code} entry.
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

#endif
