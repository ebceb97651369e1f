/*
 * test_utf8.c — a buffer cut inside a character loses that character only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

static void test_cut_characters(void **state)
{
    static const struct {
        const char *name, *in, *out;
    } cases[] = {
        {"ascii", "abc", "abc"},
        {"empty", "", ""},
        {"whole é", "caf\xc3\xa9", "caf\xc3\xa9"},
        {"half é", "caf\xc3", "caf"},
        {"whole €", "1\xe2\x82\xac", "1\xe2\x82\xac"},
        {"€ cut after 1", "1\xe2", "1"},
        {"€ cut after 2", "1\xe2\x82", "1"},
        {"whole emoji", "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},
        {"emoji cut after 3", "x\xf0\x9f\x98", "x"},
        {"only a lead byte", "\xe2", ""},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[16];

        snprintf(buf, sizeof(buf), "%s", cases[i].in);
        utf8_drop_partial_tail(buf);
        if (strcmp(buf, cases[i].out) != 0)
            fail_msg("case \"%s\": got \"%s\"", cases[i].name, buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cut_characters),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
