/*
 * test_calendar.c — date parsing, day/month arithmetic and Paris day boundaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "calendar.h"
#include "caltest.h"

static void test_parse_real_dates(void **state)
{
    cal_date d;

    (void)state;
    assert_true(cal_parse("1980-02-29", &d));
    assert_false(cal_parse("1981-02-29", &d));
    assert_true(cal_parse("2000-02-29", &d));
    assert_false(cal_parse("1900-02-29", &d));
    assert_false(cal_parse("2026-04-31", &d));
    assert_false(cal_parse("2026-13-01", &d));
    assert_false(cal_parse("2026-00-10", &d));
    assert_false(cal_parse("2026-01-00", &d));
    assert_false(cal_parse("2026-1-01", &d));
    assert_false(cal_parse("2026-01-01T00:00:00Z", &d));
    assert_false(cal_parse(" 2026-01-01", &d));
    assert_false(cal_parse("2026/01/01", &d));
    assert_false(cal_parse("+026-01-01", &d));
    assert_false(cal_parse("0000-01-01", &d));
    assert_false(cal_parse("", &d));
    assert_false(cal_parse(NULL, &d));
    assert_true(cal_parse("2026-12-31", &d));
    assert_int_equal(d.y, 2026);
    assert_int_equal(d.m, 12);
    assert_int_equal(d.d, 31);
}

static void test_days_roundtrip(void **state)
{
    (void)state;
    assert_int_equal(cal_to_days(D("1970-01-01")), 0);
    assert_int_equal(cal_to_days(D("1969-12-31")), -1);
    assert_int_equal(cal_to_days(D("2000-03-01")), 11017);
    for (int64_t n = -719000; n < 2900000; n += 37) {
        cal_date d = cal_from_days(n);

        assert_true(cal_valid(d));
        assert_int_equal(cal_to_days(d), n);
    }
}

static void test_add_days_and_months(void **state)
{
    (void)state;
    assert_date_text(cal_add_days(D("2024-02-28"), 1), "2024-02-29");
    assert_date_text(cal_add_days(D("2023-02-28"), 1), "2023-03-01");
    assert_date_text(cal_add_days(D("2026-12-31"), 1), "2027-01-01");
    assert_date_text(cal_add_days(D("2026-01-01"), -1), "2025-12-31");
    assert_date_text(cal_add_months(D("2021-01-31"), 1), "2021-02-28");
    assert_date_text(cal_add_months(D("2024-01-31"), 1), "2024-02-29");
    assert_date_text(cal_add_months(D("2021-01-05"), 3), "2021-04-05");
    assert_date_text(cal_add_months(D("2020-11-30"), 3), "2021-02-28");
    assert_date_text(cal_add_months(D("2021-03-31"), -1), "2021-02-28");
    assert_date_text(cal_add_months(D("2021-04-10"), 12), "2022-04-10");
    assert_date_text(cal_add_months(D("2026-10-15"), -12), "2025-10-15");
    assert_date_text(cal_first_of_month(D("2022-04-30")), "2022-04-01");
    assert_date_text(cal_first_of_next_month(D("2022-12-15")), "2023-01-01");
    assert_int_equal(cal_diff_days(D("2026-11-01"), D("2026-12-01")), 30);
    assert_int_equal(cal_cmp(D("2026-11-01"), D("2026-12-01")), -1);
    assert_int_equal(cal_cmp(D("2026-12-01"), D("2026-12-01")), 0);
}

static void test_end_of_day_paris(void **state)
{
    char buf[32];

    (void)state;
    /* winter: UTC+1 */
    assert_string_equal(cal_format_instant(cal_end_of_day_paris(D("2026-11-23")), buf),
                        "2026-11-23T23:00:00Z");
    /* summer: UTC+2 */
    assert_string_equal(cal_format_instant(cal_end_of_day_paris(D("2026-07-14")), buf),
                        "2026-07-14T22:00:00Z");
    /* the day the clocks go forward (2026-03-29) ends in summer time */
    assert_string_equal(cal_format_instant(cal_end_of_day_paris(D("2026-03-28")), buf),
                        "2026-03-28T23:00:00Z");
    assert_string_equal(cal_format_instant(cal_end_of_day_paris(D("2026-03-29")), buf),
                        "2026-03-29T22:00:00Z");
    /* the day they go back (2026-10-25) is 25 hours long */
    assert_int_equal(cal_end_of_day_paris(D("2026-10-25")) - cal_end_of_day_paris(D("2026-10-24")),
                     25 * 3600);
    assert_date_text(cal_paris_date(cal_end_of_day_paris(D("2026-10-25"))), "2026-10-26");
    assert_date_text(cal_paris_date(cal_end_of_day_paris(D("2026-10-25")) - 1), "2026-10-25");
}

static void test_parse_instant(void **state)
{
    time_t t;
    char buf[32];

    (void)state;
    assert_true(cal_parse_instant("2026-11-23T09:00:00Z", &t));
    assert_string_equal(cal_format_instant(t, buf), "2026-11-23T09:00:00Z");
    assert_true(cal_parse_instant("2026-11-23T10:00:00+01:00", &t));
    assert_string_equal(cal_format_instant(t, buf), "2026-11-23T09:00:00Z");
    assert_true(cal_parse_instant("2026-11-23T09:00:00.123456Z", &t));
    assert_string_equal(cal_format_instant(t, buf), "2026-11-23T09:00:00Z");
    assert_false(cal_parse_instant("2026-11-23T09:00:00", &t));
    assert_false(cal_parse_instant("2026-11-23 09:00:00Z", &t));
    assert_false(cal_parse_instant("2026-02-30T09:00:00Z", &t));
    assert_false(cal_parse_instant("2026-11-23T24:00:00Z", &t));
    assert_false(cal_parse_instant("2026-11-23T09:00:00Zjunk", &t));
    assert_false(cal_parse_instant("2026-11-23T09:00:00.Z", &t));
    assert_false(cal_parse_instant(NULL, &t));
}

/* Found by tests/fuzz/fuzz_dates.c: an offset carried the last second of 9999
 * into year 10000 UTC (and the first of year 1 into year 0), which
 * cal_format_instant cannot write (strftime failed and left its buffer
 * undefined); and strftime wrote year 999 as "999", which does not parse back.
 * Such instants are refused, and the writer pads years and stays defined. */
static void test_instant_year_bounds(void **state)
{
    time_t t;
    char buf[32];

    (void)state;
    assert_false(cal_parse_instant("9999-12-31T23:59:59-23:59", &t));
    assert_false(cal_parse_instant("9999-12-31T23:00:00-01:00", &t));
    assert_false(cal_parse_instant("0001-01-01T00:00:00+23:59", &t));
    assert_false(cal_parse_instant("0001-01-01T00:59:59+01:00", &t));
    assert_true(cal_parse_instant("9999-12-31T23:59:59Z", &t));
    assert_string_equal(cal_format_instant(t, buf), "9999-12-31T23:59:59Z");
    assert_string_equal(cal_format_instant(t + 1, buf), "1970-01-01T00:00:00Z");
    assert_true(cal_parse_instant("9999-12-31T23:59:59+01:00", &t));
    assert_string_equal(cal_format_instant(t, buf), "9999-12-31T22:59:59Z");
    assert_true(cal_parse_instant("0001-01-01T00:00:00Z", &t));
    assert_string_equal(cal_format_instant(t, buf), "0001-01-01T00:00:00Z");
    assert_true(cal_parse_instant("0001-01-01T00:00:00-01:00", &t));
    assert_string_equal(cal_format_instant(t, buf), "0001-01-01T01:00:00Z");
    assert_true(cal_parse_instant("0999-06-15T12:00:00Z", &t));
    assert_string_equal(cal_format_instant(t, buf), "0999-06-15T12:00:00Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_real_dates),
        cmocka_unit_test(test_days_roundtrip),
        cmocka_unit_test(test_add_days_and_months),
        cmocka_unit_test(test_end_of_day_paris),
        cmocka_unit_test(test_parse_instant),
        cmocka_unit_test(test_instant_year_bounds),
    };

    assert_true(cal_init());
    return cmocka_run_group_tests(tests, NULL, NULL);
}
