/*
 * test_jsonarena.c — Jansson values of a request from its arena
 * (common/jsonarena.h): what is built inside goes with the arena, what was
 * built outside is freed as before even when released inside, and texts of
 * json_text() are the caller's to free() wherever they were made. Run under
 * ASan and valgrind by the unit suite: a leak or a wrong free fails it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "jsonarena.h"
#include "jsonfast.h"
#include "jsonutil.h"

static int setup(void **state)
{
    (void)state;
    json_arena_install();
    return 0;
}

static void test_values_of_a_request_go_with_its_arena(void **state)
{
    struct json_arena *a = json_arena_new(), *prev;
    const char *body = "{\"pieces\":[{\"kind\":\"identite\",\"size\":100000}],\"note\":\"caf\xc3\xa9\"}";
    json_t *doc, *errors;
    char *text;

    (void)state;
    assert_non_null(a);
    prev = json_arena_enter(a);
    assert_null(prev);
    doc = json_fast_loadb(body, strlen(body), 32);
    assert_non_null(doc);
    errors = json_array();
    /* more than the first chunk: the arena grows */
    for (int i = 0; i < 2000; i++)
        json_array_append_new(errors, json_pack("{s:s, s:i}", "field", "pieces[0].kind", "n", i));
    text = json_text(doc);
    assert_string_equal(text, "{\"pieces\":[{\"kind\":\"identite\",\"size\":100000}],"
                              "\"note\":\"caf\\u00E9\"}");
    json_decref(doc);
    json_decref(errors);
    json_arena_restore(prev);
    free(text); /* json_text's memory is the heap's, arena or not */
    json_arena_free(a);
}

static void test_heap_values_released_inside_an_arena_are_freed(void **state)
{
    json_t *shared = json_pack("{s:s}", "kind", "ccas"); /* e.g. the organisation cache's */
    struct json_arena *a = json_arena_new();
    json_t *mixed;

    (void)state;
    json_arena_enter(a);
    mixed = json_object();
    json_object_set(mixed, "org", shared); /* an arena object holding a heap one */
    json_arena_restore(NULL);
    json_decref(shared); /* the cache lets go: mixed holds the last reference */
    json_arena_enter(a);
    json_decref(mixed); /* the heap organisation is freed for real (valgrind: no leak) */
    json_arena_restore(NULL);
    json_arena_free(a);
}

static void test_outside_an_arena_nothing_changes(void **state)
{
    json_t *v = json_pack("{s:[i,i]}", "a", 1, 2);
    char *text = json_dumps(v, JSON_COMPACT);

    (void)state;
    assert_string_equal(text, "{\"a\":[1,2]}");
    free(text); /* json_dumps outside an arena: plain malloc */
    json_decref(v);
    json_arena_free(NULL);
}

/* What one batch of the worker builds: a few hundred documents. */
static void build_a_batch(void)
{
    json_t *docs = json_array();

    for (int i = 0; i < 300; i++)
        json_array_append_new(docs, json_pack("{s:i, s:s, s:[s,s]}", "n", i, "prestation",
                                              "css", "pieces", "identite", "ressources"));
    json_decref(docs);
}

static void test_a_reset_arena_is_reused_without_growing(void **state)
{
    struct json_arena *a = json_arena_new();
    json_t *shared = json_string("caisse 751");
    size_t warm = 0;

    (void)state;
    for (int round = 0; round < 4; round++) {
        json_t *holder;

        json_arena_enter(a);
        build_a_batch();
        holder = json_pack("{s:O}", "caisse", shared); /* a heap value held inside */
        json_decref(holder);
        json_arena_restore(NULL);
        assert_true(json_arena_bytes(a) > 16 * 1024); /* more than one first chunk */
        if (round == 2)
            warm = json_arena_bytes(a);
        if (round == 3) /* warm: the kept chunk serves the whole batch */
            assert_int_equal(json_arena_bytes(a), warm);
        json_arena_reset(a, (size_t)64 << 20);
        assert_true(json_arena_bytes(a) > 0);
    }
    /* a cap below the largest chunk: nothing kept */
    json_arena_enter(a);
    build_a_batch();
    json_arena_restore(NULL);
    json_arena_reset(a, 1024);
    assert_int_equal(json_arena_bytes(a), 0);
    /* and the arena still serves */
    json_arena_enter(a);
    build_a_batch();
    json_arena_restore(NULL);
    json_arena_free(a);
    assert_int_equal(json_arena_bytes(NULL), 0);
    json_decref(shared); /* its last reference: freed for real (valgrind: no leak) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_of_a_request_go_with_its_arena),
        cmocka_unit_test(test_heap_values_released_inside_an_arena_are_freed),
        cmocka_unit_test(test_outside_an_arena_nothing_changes),
        cmocka_unit_test(test_a_reset_arena_is_reused_without_growing),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
