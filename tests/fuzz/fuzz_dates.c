/*
 * fuzz_dates.c — calendar parsing and arithmetic (common/calendar.h).
 *
 * Input: a string up to the first '\n' (the date or instant to parse), then
 * parameter bytes: a signed 32-bit day count, a signed 16-bit month count and
 * two more 32-bit values (a year and a month for cal_days_in_month/cal_valid),
 * little-endian, missing bytes read as zero.
 *
 * On a date cal_parse() accepts: it is a real day, cal_format() gives the input
 * back, day numbers round-trip, adding n days and then -n days gives it back
 * and the difference is n, adding months keeps the day clamped to the month's
 * end and moves by exactly that many months, the first of (next) month are
 * right, and the end of day in Europe/Paris is 00:00 of the next day there: the
 * instant before it is still the day, the instant itself the next day.
 * On an instant cal_parse_instant() accepts: cal_format_instant() writes one
 * that parses to the same second, identical to the input when the input is
 * already canonical UTC ("…Z", no fraction, no leap second).
 */
#include "fuzz_common.h"

#include <stdbool.h>

#include "calendar.h"

FZ_INITIALIZE_CALENDAR()

/* Little-endian integer of n bytes at p[*off], zero past the end. */
static uint32_t take(const uint8_t *p, size_t size, size_t *off, int n)
{
    uint32_t v = 0;

    for (int i = 0; i < n; i++, (*off)++)
        if (*off < size)
            v |= (uint32_t)p[*off] << (8 * i);
    return v;
}

static bool same(cal_date a, cal_date b)
{
    return a.y == b.y && a.m == b.m && a.d == b.d;
}

static void date_laws(const char *s, cal_date d, int32_t ndays, int16_t nmonths)
{
    char buf[CAL_DATE_LEN];
    cal_date a, back, m, f, nf;
    int64_t idx;

    FZ_ASSERT(cal_valid(d));
    FZ_ASSERT(strcmp(cal_format(d, buf), s) == 0);
    FZ_ASSERT(same(cal_from_days(cal_to_days(d)), d));
    FZ_ASSERT(cal_cmp(d, d) == 0);

    /* Days. */
    a = cal_add_days(d, ndays);
    FZ_ASSERT(cal_diff_days(d, a) == ndays);
    back = cal_add_days(a, -(int64_t)ndays);
    FZ_ASSERT(same(back, d));
    if (a.y >= 1 && a.y <= 9999)
        FZ_ASSERT(cal_valid(a));
    FZ_ASSERT(cal_cmp(d, a) == (ndays > 0 ? -1 : ndays < 0 ? 1 : 0));
    FZ_ASSERT(cal_diff_days(a, d) == -(int64_t)ndays);

    /* Months: clamped to the end of the target month. */
    m = cal_add_months(d, nmonths);
    idx = (int64_t)d.y * 12 + (d.m - 1) + nmonths;
    if (idx >= 12 && idx < 10000 * 12) {
        FZ_ASSERT(cal_valid(m));
        FZ_ASSERT((int64_t)m.y * 12 + (m.m - 1) == idx);
        FZ_ASSERT(m.d == (d.d < cal_days_in_month(m.y, m.m) ? d.d
                                                             : cal_days_in_month(m.y, m.m)));
        FZ_ASSERT(m.d <= d.d);
    }
    if (nmonths == 0)
        FZ_ASSERT(same(m, d));

    f = cal_first_of_month(d);
    FZ_ASSERT(f.y == d.y && f.m == d.m && f.d == 1);
    nf = cal_first_of_next_month(d);
    FZ_ASSERT(nf.d == 1 && cal_cmp(nf, d) > 0);
    FZ_ASSERT(cal_diff_days(d, nf) >= 1 && cal_diff_days(d, nf) <= 31);
    if (d.y < 9999 || d.m < 12)
        FZ_ASSERT(cal_valid(nf));

    /* End of day in Europe/Paris. */
    if (d.y < 9999 || d.m < 12 || d.d < 31) {
        time_t t = cal_end_of_day_paris(d);
        cal_date next = cal_add_days(d, 1);

        FZ_ASSERT(t != (time_t)-1);
        FZ_ASSERT(same(cal_paris_date(t), next));
        FZ_ASSERT(same(cal_paris_date(t - 1), d));
    }
}

static void instant_laws(const char *s, time_t t)
{
    char buf[32];
    time_t again;
    cal_date p = cal_paris_date(t);

    FZ_ASSERT(cal_valid(p) || p.y > 9999);
    cal_format_instant(t, buf);
    FZ_ASSERT(strlen(buf) == 20);
    FZ_ASSERT(cal_parse_instant(buf, &again));
    FZ_ASSERT(again == t);
    if (strlen(s) == 20 && s[10] == 'T' && s[19] == 'Z' && strncmp(s + 17, "60", 2) != 0)
        FZ_ASSERT(strcmp(buf, s) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s;
    size_t off = fz_split(data, size, '\n', &s);
    int32_t ndays = (int32_t)take(data, size, &off, 4);
    int16_t nmonths = (int16_t)take(data, size, &off, 2);
    int y = (int)take(data, size, &off, 4), mo = (int)take(data, size, &off, 4);
    cal_date d = {0, 0, 0}, untouched = {-7, -7, -7};
    time_t t = 12345;
    int dim = cal_days_in_month(y, mo);
    cal_date any = {y, mo, (int)(ndays % 40)};

    FZ_ASSERT(dim == 0 || (dim >= 28 && dim <= 31));
    FZ_ASSERT((dim == 0) == (mo < 1 || mo > 12));
    (void)cal_valid(any);
    (void)cal_is_leap(y);

    if (cal_parse(s, &d)) {
        date_laws(s, d, ndays, nmonths);
    } else {
        d = untouched;
        FZ_ASSERT(!cal_parse(s, &d) && same(d, untouched));
    }
    if (cal_parse_instant(s, &t))
        instant_laws(s, t);
    free(s);
    return 0;
}
