/*
 * test_idem_key.c — names of idempotency records: no two scopes and keys that
 * join to the same text share a record (SPEC §2, issue 9 finding 11).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "idem_key.h"
#include "uuidv.h"

/* Two (kind, scope, key) triples that must name two records. */
static const struct {
    const char *why;
    const char *kind_a, *scope_a, *key_a;
    const char *kind_b, *scope_b, *key_b;
} distinct[] = {
    /* "sub:a" + key "b:c" and "sub:a:b" + key "c" were one Redis key */
    {"separator in the scope", "sub", "a", "b:c", "sub", "a:b", "c"},
    /* nor may a part's length be taken for part of the next */
    {"length taken for the scope", "sub", "1:a", "b", "sub", "1", "a:b"},
    {"empty scope", "sub", "", "ab", "sub", "a", "b"},
    /* a sub that looks like a caisse code is not that caisse */
    {"kind of scope", "sub", "171", "k", "caisse", "171", "k"},
    {"kind joined to the scope", "org", "x", "k", "or", "gx", "k"},
};

static void test_distinct_triples_do_not_collide(void **state)
{
    char a[IDEM_KEY_LEN], b[IDEM_KEY_LEN];

    (void)state;
    for (size_t i = 0; i < sizeof(distinct) / sizeof(distinct[0]); i++) {
        idem_key_name(distinct[i].kind_a, distinct[i].scope_a, distinct[i].key_a, a);
        idem_key_name(distinct[i].kind_b, distinct[i].scope_b, distinct[i].key_b, b);
        if (strcmp(a, b) == 0)
            fail_msg("case \"%s\": both name %s", distinct[i].why, a);
    }
}

static void test_stable_and_fixed_length(void **state)
{
    char a[IDEM_KEY_LEN], b[IDEM_KEY_LEN];
    char long_sub[300];

    (void)state;
    idem_key_name("org", "0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b", "idem-1", a);
    idem_key_name("org", "0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b", "idem-1", b);
    assert_string_equal(a, b);
    assert_int_equal(strlen(a), IDEM_KEY_LEN - 1);
    assert_memory_equal(a, IDEM_KEY_PREFIX, strlen(IDEM_KEY_PREFIX));
    assert_int_equal(strspn(a + strlen(IDEM_KEY_PREFIX), "0123456789abcdef"), 64);
    memset(long_sub, 'x', sizeof(long_sub) - 1);
    long_sub[sizeof(long_sub) - 1] = '\0';
    idem_key_name("sub", long_sub, "k", b);
    assert_int_equal(strlen(b), IDEM_KEY_LEN - 1);
    idem_key_name("org", "0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b", "idem-2", b);
    assert_string_not_equal(a, b);
}

static void test_object_key(void **state)
{
    char k[IDEM_OBJECT_KEY_LEN];
    char too_long[80];

    (void)state;
    assert_true(idem_object_key("0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b", k));
    assert_string_equal(k, IDEM_OBJECT_PREFIX "0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b");
    assert_false(idem_object_key("", k));
    assert_string_equal(k, "");
    assert_false(idem_object_key(NULL, k));
    memset(too_long, 'a', sizeof(too_long) - 1);
    too_long[sizeof(too_long) - 1] = '\0';
    assert_false(idem_object_key(too_long, k));
}

/* Every attempt of one submission names one object; another key, scope or
 * body another; the text is a canonical UUID of version 8, variant 10xx. */
static void test_object_id(void **state)
{
    static const struct {
        const char *kind, *scope, *key, *hash;
        bool same_as_first;
    } cases[] = {
        {"org", "0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b", "k1", "h1", true},
        {"org", "0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b", "k2", "h1", false},
        {"org", "0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7c", "k1", "h1", false},
        {"sub", "0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b", "k1", "h1", false},
        {"org", "0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b", "k1", "h2", false},
    };
    char first[37] = "";

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char name[IDEM_KEY_LEN], id[37], again[37];

        idem_key_name(cases[i].kind, cases[i].scope, cases[i].key, name);
        idem_object_id(name, cases[i].hash, id);
        idem_object_id(name, cases[i].hash, again);
        assert_string_equal(id, again);
        assert_true(uuid_valid(id));
        assert_int_equal(id[14], '8');
        assert_non_null(strchr("89ab", id[19]));
        if (i == 0)
            memcpy(first, id, sizeof(first));
        else if (cases[i].same_as_first)
            assert_string_equal(id, first);
        else
            assert_string_not_equal(id, first);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distinct_triples_do_not_collide),
        cmocka_unit_test(test_stable_and_fixed_length),
        cmocka_unit_test(test_object_key),
        cmocka_unit_test(test_object_id),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
