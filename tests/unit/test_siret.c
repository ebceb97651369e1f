/*
 * test_siret.c — SIRET length, Luhn checksum and the La Poste exception.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "siret.h"

/* Luhn computed the textbook way (double every second digit from the right and
 * add the digits of the products), independently of siret.c. */
static int luhn_sum(const char *s)
{
    int n = (int)strlen(s), sum = 0;

    for (int i = 0; i < n; i++) {
        int d = s[n - 1 - i] - '0';

        if (i % 2 == 1)
            d = (2 * d) / 10 + (2 * d) % 10;
        sum += d;
    }
    return sum;
}

static int digit_sum(const char *s)
{
    int sum = 0;

    for (; *s; s++)
        sum += *s - '0';
    return sum;
}

static void test_valid(void **state)
{
    (void)state;
    assert_int_equal(siret_check("73282932000074"), SIRET_VALID);
    assert_int_equal(siret_check("35600000000048"), SIRET_VALID); /* La Poste head office, Luhn */
    assert_true(luhn_valid("73282932000074", 14));
    assert_true(luhn_valid("732829320", 9)); /* its SIREN */
    assert_true(luhn_valid("35600000000048", 14));
}

static void test_every_check_digit(void **state)
{
    (void)state;
    /* Of the ten possible last digits exactly one passes Luhn. */
    for (long long base = 1234567890123LL; base < 1234567890123LL + 300; base++) {
        int valid = 0;

        for (int k = 0; k <= 9; k++) {
            char s[32];
            bool expect;

            snprintf(s, sizeof(s), "%lld%d", base, k);
            expect = luhn_sum(s) % 10 == 0;
            assert_int_equal(siret_check(s) == SIRET_VALID, expect);
            if (!expect)
                assert_int_equal(siret_check(s), SIRET_BAD_CHECKSUM);
            valid += expect;
        }
        assert_int_equal(valid, 1);
    }
}

static void test_single_digit_errors(void **state)
{
    (void)state;
    for (int i = 0; i < SIRET_LEN; i++) {
        for (char c = '0'; c <= '9'; c++) {
            char s[] = "73282932000074";

            if (s[i] == c)
                continue;
            s[i] = c;
            assert_int_equal(siret_check(s), SIRET_BAD_CHECKSUM);
        }
    }
    /* Two adjacent digits swapped (a common typing error). */
    assert_int_equal(siret_check("37282932000074"), SIRET_BAD_CHECKSUM);
}

static void test_la_poste(void **state)
{
    (void)state;
    /* Establishments of La Poste: sum of digits a multiple of 5, not Luhn. */
    assert_int_equal(luhn_sum("35600000049837") % 10 != 0, 1);
    assert_int_equal(digit_sum("35600000049837") % 5, 0);
    assert_int_equal(siret_check("35600000049837"), SIRET_VALID);
    assert_int_equal(siret_check("35600000000001"), SIRET_VALID);
    /* Neither rule: refused. */
    assert_int_equal(siret_check("35600000012345"), SIRET_BAD_CHECKSUM);
    assert_int_equal(siret_check("35600000000005"), SIRET_BAD_CHECKSUM);
    /* The exception belongs to SIREN 356000000 only. */
    assert_int_equal(digit_sum("73282932000004") % 5, 0);
    assert_int_equal(siret_check("73282932000004"), SIRET_BAD_CHECKSUM);
    assert_int_equal(digit_sum("35600001000000") % 5, 0); /* SIREN 356000010 */
    assert_int_equal(siret_check("35600001000000") == SIRET_VALID,
                     luhn_sum("35600001000000") % 10 == 0);
    /* Every NIC of La Poste: valid exactly when one of the two rules holds. */
    for (int nic = 0; nic < 100000; nic += 7) {
        char s[32];

        snprintf(s, sizeof(s), "356000000%05d", nic);
        assert_int_equal(siret_check(s) == SIRET_VALID,
                         luhn_sum(s) % 10 == 0 || digit_sum(s) % 5 == 0);
    }
}

static void test_format(void **state)
{
    (void)state;
    assert_int_equal(siret_check(NULL), SIRET_BAD_FORMAT);
    assert_int_equal(siret_check(""), SIRET_BAD_FORMAT);
    assert_int_equal(siret_check("7328293200007"), SIRET_BAD_FORMAT);
    assert_int_equal(siret_check("732829320000740"), SIRET_BAD_FORMAT);
    assert_int_equal(siret_check("732 829 320 00074"), SIRET_BAD_FORMAT);
    assert_int_equal(siret_check("73282932000074 "), SIRET_BAD_FORMAT);
    assert_int_equal(siret_check("7328293200007A"), SIRET_BAD_FORMAT);
    assert_int_equal(siret_check("-3282932000074"), SIRET_BAD_FORMAT);
    assert_int_equal(siret_check("'; DROP TABLE o"), SIRET_BAD_FORMAT);
    assert_int_equal(siret_check("<script>000000"), SIRET_BAD_FORMAT);
    assert_int_equal(siret_check("\xef\xbc\x97" "3282932000074"), SIRET_BAD_FORMAT); /* fullwidth 7 */
    assert_int_equal(siret_check("00000000000000"), SIRET_VALID); /* Luhn holds: the contract asks no more */
    assert_false(luhn_valid(NULL, 3));
    assert_false(luhn_valid("12a", 3));
    assert_false(luhn_valid("", 0));
    assert_string_not_equal(siret_result_message(SIRET_BAD_FORMAT), "");
    assert_string_not_equal(siret_result_message(SIRET_BAD_CHECKSUM), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_every_check_digit),
        cmocka_unit_test(test_single_digit_errors),
        cmocka_unit_test(test_la_poste),
        cmocka_unit_test(test_format),
    };

    cal_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
