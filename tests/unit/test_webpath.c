/*
 * test_webpath.c — the paths under /app/ that may name a file, the pages of
 * the application, and Accept-Encoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "webpath.h"

static void test_clean_paths(void **state)
{
    static const char *const good[] = {"index.html", "js/main.js", "js/pages/dossier.js",
                                       "vendor/charts.min.css", "favicon.svg", "dossiers",
                                       "dossiers/0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b01", "a",
                                       "a.b.c", "x_y-z/1"};
    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_true(webpath_clean(good[i]));
}

static void test_hostile_paths(void **state)
{
    static const char *const bad[] = {
        "", "/", "/etc/passwd", "..", ".", "../etc/passwd", "js/../../etc/passwd",
        "js/..", "js/.", ".git/config", "js/.hidden", "js//main.js", "js/main.js/",
        "%2e%2e/etc", "..%2fetc", "js\\..\\etc", "index.html%00.js", "a b", "~root",
        "é.js", "js/main.js?x", "js/main.js#x", "a:b", "C:/x", "js/%2E%2E/x",
    };
    char longp[WEBPATH_MAX + 10];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(webpath_clean(bad[i]));
    assert_false(webpath_clean(NULL));
    memset(longp, 'a', sizeof(longp) - 1);
    longp[sizeof(longp) - 1] = '\0';
    assert_false(webpath_clean(longp));
    longp[WEBPATH_MAX - 2] = '\0'; /* the longest accepted: WEBPATH_MAX - 2 bytes */
    assert_true(webpath_clean(longp));
}

static void test_pages(void **state)
{
    (void)state;
    assert_true(webpath_is_page("dossiers/0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b01"));
    assert_true(webpath_is_page("callback"));
    assert_true(webpath_is_page("js.d/page"));
    assert_false(webpath_is_page("js/main.js"));
    assert_false(webpath_is_page("favicon.svg"));
}

static void test_gzip(void **state)
{
    (void)state;
    assert_true(webpath_accepts_gzip("gzip"));
    assert_true(webpath_accepts_gzip("gzip, deflate, br"));
    assert_true(webpath_accepts_gzip("br;q=1.0, gzip;q=0.8"));
    assert_false(webpath_accepts_gzip("gzip;q=0"));
    assert_false(webpath_accepts_gzip("gzip; q=0.0"));
    assert_false(webpath_accepts_gzip("deflate, br"));
    assert_false(webpath_accepts_gzip(""));
    assert_false(webpath_accepts_gzip(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_paths),
        cmocka_unit_test(test_hostile_paths),
        cmocka_unit_test(test_pages),
        cmocka_unit_test(test_gzip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
