/*
 * test_jsonfast.c — the fast path to a Jansson tree (common/jsonfast.h): what
 * it takes gives Jansson's own tree, what it gives up on is left to Jansson,
 * and what Jansson refuses it never takes. Each row is a text and the answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "jsonfast.h"

enum answer {
    TAKEN,    /* the fast path's tree, equal to Jansson's */
    LEFT,     /* the fast path gives up, Jansson accepts: its answer stands */
    REFUSED,  /* Jansson refuses: the fast path too */
};

static const struct {
    const char *why;
    const char *text;
    enum answer answer;
} rows[] = {
    {"an object of every kind of value",
     "{\"s\":\"x\",\"i\":-42,\"r\":1.5e-3,\"t\":true,\"f\":false,\"n\":null,\"a\":[],\"o\":{}}",
     TAKEN},
    {"an array at the top", " [1, 2 ,3]\n", TAKEN},
    {"escapes and a surrogate pair", "{\"a\":\"\\u00e9\\ud83d\\ude00\\n\\t\\\"\\\\\\/\\b\\f\\r\"}",
     TAKEN},
    {"an escaped key", "{\"k\\u00e9\":1,\"k\\u00e8\":2}", TAKEN},
    {"raw UTF-8 of 2, 3 and 4 bytes", "{\"a\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}",
     TAKEN},
    {"18 digits", "[123456789012345678,-123456789012345678]", TAKEN},
    {"minus zero is the integer 0", "[-0]", TAKEN},
    {"32 levels", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", TAKEN},
    {"19 digits: Jansson checks the range", "[1234567890123456789]", LEFT},
    {"33 levels: the caller's depth", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
     LEFT},
    {"a duplicate key", "{\"a\":1,\"a\":2}", REFUSED},
    {"\\u0000", "{\"a\":\"\\u0000\"}", REFUSED},
    {"a lone high surrogate", "{\"a\":\"\\ud800\"}", REFUSED},
    {"a lone low surrogate", "{\"a\":\"\\udc00x\"}", REFUSED},
    {"an overlong UTF-8 sequence", "{\"a\":\"\xc0\xaf\"}", REFUSED},
    {"a UTF-8 surrogate", "{\"a\":\"\xed\xa0\x80\"}", REFUSED},
    {"past U+10FFFF", "{\"a\":\"\xf4\x90\x80\x80\"}", REFUSED},
    {"a truncated sequence", "{\"a\":\"\xe2\x82\"}", REFUSED},
    {"a control character in a string", "{\"a\":\"x\ty\"}", REFUSED},
    {"an unknown escape", "{\"a\":\"\\x\"}", REFUSED},
    {"a short \\u", "{\"a\":\"\\u12\"}", REFUSED},
    {"a leading zero", "[01]", REFUSED},
    {"a bare minus", "[-]", REFUSED},
    {"a dot without digits", "[1.]", REFUSED},
    {"an exponent without digits", "[1e+]", REFUSED},
    {"a real overflow", "[1e999]", REFUSED},
    {"a trailing comma", "[1,]", REFUSED},
    {"a trailing comma in an object", "{\"a\":1,}", REFUSED},
    {"text after the document", "{} x", REFUSED},
    {"two documents", "{}{}", REFUSED},
    {"a scalar at the top", "\"x\"", REFUSED},
    {"nothing", "   ", REFUSED},
    {"an unterminated string", "{\"a\":\"x", REFUSED},
    {"an unterminated object", "{\"a\":1", REFUSED},
    {"a missing colon", "{\"a\" 1}", REFUSED},
    {"a key that is not a string", "{a:1}", REFUSED},
    {"a wrong literal", "[tru]", REFUSED},
    {"a literal cut short", "[nul", REFUSED},
};

static void test_fast_path_agrees_with_jansson(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        size_t n = strlen(rows[i].text);
        /* exactly n bytes: no terminator to lean on */
        char *buf = malloc(n);
        json_error_t err;
        json_t *fast, *ref, *both;

        assert_non_null(buf);
        memcpy(buf, rows[i].text, n);
        fast = json_fast_loadb(buf, n, 32);
        ref = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &err);
        both = json_loadb_fast(buf, n, JSON_REJECT_DUPLICATES, &err);
        if ((fast != NULL) != (rows[i].answer == TAKEN) ||
            (ref != NULL) != (rows[i].answer != REFUSED))
            fail_msg("%s: fast %s, Jansson %s", rows[i].why, fast ? "took it" : "gave up",
                     ref ? "took it" : "refused it");
        if (fast != NULL)
            assert_true(json_equal(fast, ref));
        assert_true((both == NULL) == (ref == NULL));
        if (both != NULL)
            assert_true(json_equal(both, ref));
        json_decref(fast);
        json_decref(ref);
        json_decref(both);
        free(buf);
    }
}

static void test_member_order_is_kept(void **state)
{
    const char *text = "{\"z\":1,\"a\":{\"y\":2,\"b\":3},\"m\":[{\"q\":1,\"c\":2}]}";
    json_t *doc = json_fast_loadb(text, strlen(text), 32);
    char *dump;

    (void)state;
    assert_non_null(doc);
    dump = json_dumps(doc, JSON_COMPACT);
    assert_string_equal(dump, text);
    free(dump);
    json_decref(doc);
}

static void test_integers_stay_integers(void **state)
{
    const char *text = "[7,-7,7.0,7e0]";
    json_t *doc = json_fast_loadb(text, strlen(text), 32);

    (void)state;
    assert_non_null(doc);
    assert_true(json_is_integer(json_array_get(doc, 0)));
    assert_int_equal(json_integer_value(json_array_get(doc, 1)), -7);
    assert_true(json_is_real(json_array_get(doc, 2)));
    assert_true(json_is_real(json_array_get(doc, 3)));
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_path_agrees_with_jansson),
        cmocka_unit_test(test_member_order_is_kept),
        cmocka_unit_test(test_integers_stay_integers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
