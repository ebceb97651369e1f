/*
 * test_nir.c — NIR format and key, Corsica included.
 *
 * Keys are computed here independently of nir.c (plain 64-bit arithmetic on the
 * number with 2A read as 19 and 2B as 18) so the test does not trust the code
 * it checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "nir.h"

/* Append the key to 13 characters: out gets the 15-character NIR. */
static void with_key(const char *first13, char out[NIR_LEN + 1])
{
    char digits[14];
    long long n;

    assert_int_equal(strlen(first13), 13);
    memcpy(digits, first13, 14);
    if (digits[5] == '2' && digits[6] == 'A')
        digits[5] = '1', digits[6] = '9';
    else if (digits[5] == '2' && digits[6] == 'B')
        digits[5] = '1', digits[6] = '8';
    n = strtoll(digits, NULL, 10);
    snprintf(out, NIR_LEN + 1, "%s%02lld", first13, 97 - n % 97);
}

static void assert_valid(const char *first13)
{
    char nir[NIR_LEN + 1];

    with_key(first13, nir);
    if (nir_check(nir) != NIR_VALID)
        fail_msg("NIR valide refusé : %s", nir);
}

static void test_published_example(void **state)
{
    (void)state;
    /* The example of the INSEE documentation: 2 55 08 14 168 025 38. */
    assert_int_equal(nir_key("2550814168025"), 38);
    assert_int_equal(nir_check("255081416802538"), NIR_VALID);
    assert_int_equal(nir_check("255081416802539"), NIR_BAD_KEY);
    assert_int_equal(nir_check("255081416802500"), NIR_BAD_KEY);
    assert_int_equal(nir_check("255081416802599"), NIR_BAD_KEY);
}

static void test_valid_numbers(void **state)
{
    (void)state;
    assert_valid("1800217300001");
    assert_valid("2800229300001");
    assert_valid("1991275056999");
    assert_valid("2000101001001");
    assert_valid("3850599350001"); /* provisional, born abroad */
    assert_valid("4850599350001");
    assert_valid("7850520123456"); /* NIA, special month */
    assert_valid("8857099123456");
    assert_valid("1854297123456"); /* month 42, overseas department */
    assert_valid("1855099123456"); /* month 50 */
    assert_valid("1859999123456"); /* month 99 */
    /* The key can be 97 (number divisible by 97) and 01. */
    for (long long n = 1800217300000LL; n < 1800217300000LL + 200; n++) {
        char first[32];

        snprintf(first, sizeof(first), "%lld", n);
        assert_valid(first);
    }
}

static void test_corsica(void **state)
{
    char nir[NIR_LEN + 1];

    (void)state;
    assert_int_equal(nir_key("285022A004123"), 55);
    assert_int_equal(nir_check("285022A00412355"), NIR_VALID);
    assert_int_equal(nir_key("190012B033045"), 49);
    assert_int_equal(nir_check("190012B03304549"), NIR_VALID);
    /* 2A is 19 and 2B is 18, so the same number read with 20 has another key. */
    with_key("285022A004123", nir);
    nir[6] = 'B';
    assert_int_equal(nir_check(nir), NIR_BAD_KEY);
    with_key("1900120033045", nir);
    assert_int_equal(nir_check(nir), NIR_VALID);
    nir[6] = 'B';
    assert_int_equal(nir_check(nir), NIR_BAD_KEY);
    /* Lower case and other letters are not departments. */
    assert_int_equal(nir_check("285022a00412355"), NIR_BAD_FORMAT);
    assert_int_equal(nir_check("285022b00412355"), NIR_BAD_FORMAT);
    assert_int_equal(nir_check("285022C00412355"), NIR_BAD_FORMAT);
    assert_int_equal(nir_check("28502A200412355"), NIR_BAD_FORMAT);
    assert_int_equal(nir_check("285023A00412355"), NIR_BAD_FORMAT);
}

static void test_format_errors(void **state)
{
    (void)state;
    assert_int_equal(nir_check(NULL), NIR_BAD_FORMAT);
    assert_int_equal(nir_check(""), NIR_BAD_FORMAT);
    assert_int_equal(nir_check("18002173000018"), NIR_BAD_FORMAT);   /* 14 */
    assert_int_equal(nir_check("1800217300001850"), NIR_BAD_FORMAT); /* 16 */
    assert_int_equal(nir_check("1 80 02 17 300 001 85"), NIR_BAD_FORMAT);
    assert_int_equal(nir_check(" 180021730000185"), NIR_BAD_FORMAT);
    assert_int_equal(nir_check("180021730000185 "), NIR_BAD_FORMAT);
    assert_int_equal(nir_check("18002173000018X"), NIR_BAD_FORMAT);
    assert_int_equal(nir_check("1800217300O0185"), NIR_BAD_FORMAT);
    assert_int_equal(nir_check("'; DROP TABLE d;"), NIR_BAD_FORMAT);
    assert_int_equal(nir_check("<script>alert(1"), NIR_BAD_FORMAT);
    assert_int_equal(nir_check("-80021730000185"), NIR_BAD_FORMAT);
    assert_int_equal(nir_check("+80021730000185"), NIR_BAD_FORMAT);
    /* First digit: 1, 2, 3, 4, 7, 8 only. */
    for (char c = '0'; c <= '9'; c++) {
        char first[14] = "1800217300001", nir[NIR_LEN + 1];

        first[0] = c;
        with_key(first, nir);
        assert_int_equal(nir_check(nir), strchr("123478", c) ? NIR_VALID : NIR_BAD_FORMAT);
    }
    /* Month: 01..12, 20..42, 50..99. */
    for (int m = 0; m <= 99; m++) {
        char first[32], nir[NIR_LEN + 1];
        int ok = (m >= 1 && m <= 12) || (m >= 20 && m <= 42) || m >= 50;

        snprintf(first, sizeof(first), "180%02d17300001", m);
        with_key(first, nir);
        if ((nir_check(nir) == NIR_VALID) != ok)
            fail_msg("mois %02d mal jugé", m);
    }
}

static void test_key_errors(void **state)
{
    char nir[NIR_LEN + 1];

    (void)state;
    with_key("1800217300001", nir);
    assert_string_equal(nir, "180021730000185");
    /* Every wrong key is a key error, not a format error. */
    for (int k = 0; k <= 99; k++) {
        char bad[32];

        snprintf(bad, sizeof(bad), "1800217300001%02d", k);
        assert_int_equal(nir_check(bad), k == 85 ? NIR_VALID : NIR_BAD_KEY);
    }
    /* One changed digit is always caught (97 is prime and > 10). */
    for (int i = 0; i < 13; i++) {
        if (i == 0 || i == 3 || i == 4)
            continue; /* would change the sex or month validity */
        char bad[NIR_LEN + 1];

        memcpy(bad, nir, sizeof(bad));
        bad[i] = bad[i] == '9' ? '0' : (char)(bad[i] + 1);
        assert_int_equal(nir_check(bad), NIR_BAD_KEY);
    }
    assert_int_equal(nir_key(NULL), -1);
    assert_int_equal(nir_key("18002"), -1);
    assert_string_not_equal(nir_result_message(NIR_BAD_KEY), "");
    assert_string_not_equal(nir_result_message(NIR_BAD_FORMAT), "");
    assert_string_equal(nir_result_message(NIR_VALID), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_example),
        cmocka_unit_test(test_valid_numbers),
        cmocka_unit_test(test_corsica),
        cmocka_unit_test(test_format_errors),
        cmocka_unit_test(test_key_errors),
    };

    cal_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
