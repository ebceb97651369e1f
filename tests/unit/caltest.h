/*
 * caltest.h — dates in the unit tests: D("2026-11-23") reads a real day (the
 * test fails on anything else) and assert_date_text compares a day with its
 * text. Header-only (static inline): each tests/unit/test_*.c is its own
 * binary.
 */
#ifndef EPART_TEST_CALTEST_H
#define EPART_TEST_CALTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "calendar.h"

static inline cal_date D(const char *s)
{
    cal_date d = {0, 0, 0};

    assert_true(cal_parse(s, &d));
    return d;
}

static inline void assert_date_text(cal_date d, const char *want)
{
    char buf[CAL_DATE_LEN];

    assert_string_equal(cal_format(d, buf), want);
}

#endif
