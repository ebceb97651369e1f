/*
 * calendar.c — Gregorian date arithmetic and Europe/Paris day boundaries.
 *
 * Day numbers use Howard Hinnant's days_from_civil / civil_from_days algorithms,
 * which are exact over the whole proleptic Gregorian calendar without tables.
 * Paris day boundaries go through mktime/localtime_r with TZ=Europe/Paris so the
 * system's zone database, not this file, knows when clocks change.
 */
#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cal_init(void)
{
    struct tm tm;
    time_t summer = 1719835200; /* 2024-07-01T12:00:00Z */

    if (setenv("TZ", "Europe/Paris", 1) != 0)
        return false;
    tzset();
    /* glibc silently falls back to UTC when the zone file is missing: check that
     * a summer instant really is two hours ahead. */
    if (localtime_r(&summer, &tm) == NULL)
        return false;
    return tm.tm_hour == 14;
}

bool cal_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int cal_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (m < 1 || m > 12)
        return 0;
    if (m == 2 && cal_is_leap(y))
        return 29;
    return days[m - 1];
}

bool cal_valid(cal_date d)
{
    return d.y >= 1 && d.y <= 9999 && d.m >= 1 && d.m <= 12 && d.d >= 1 &&
           d.d <= cal_days_in_month(d.y, d.m);
}

static int digits(const char *s, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool cal_parse(const char *s, cal_date *out)
{
    cal_date d;

    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    d.y = digits(s, 4);
    d.m = digits(s + 5, 2);
    d.d = digits(s + 8, 2);
    if (d.y < 0 || d.m < 0 || d.d < 0 || !cal_valid(d))
        return false;
    *out = d;
    return true;
}

char *cal_format(cal_date d, char *buf)
{
    snprintf(buf, CAL_DATE_LEN, "%04u-%02u-%02u", (unsigned)d.y % 10000u, (unsigned)d.m % 100u,
             (unsigned)d.d % 100u);
    return buf;
}

int64_t cal_to_days(cal_date d)
{
    int64_t y = d.y - (d.m <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (d.m + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d.d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

cal_date cal_from_days(int64_t z)
{
    cal_date d;
    int64_t era, doe, yoe, doy, mp, y;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d.d = (int)(doy - (153 * mp + 2) / 5 + 1);
    d.m = (int)(mp < 10 ? mp + 3 : mp - 9);
    d.y = (int)(y + (d.m <= 2));
    return d;
}

int cal_cmp(cal_date a, cal_date b)
{
    if (a.y != b.y)
        return a.y < b.y ? -1 : 1;
    if (a.m != b.m)
        return a.m < b.m ? -1 : 1;
    if (a.d != b.d)
        return a.d < b.d ? -1 : 1;
    return 0;
}

int64_t cal_diff_days(cal_date a, cal_date b)
{
    return cal_to_days(b) - cal_to_days(a);
}

cal_date cal_add_days(cal_date d, int64_t n)
{
    return cal_from_days(cal_to_days(d) + n);
}

cal_date cal_add_months(cal_date d, int n)
{
    int64_t months = (int64_t)d.y * 12 + (d.m - 1) + n;
    cal_date r;
    int dim;

    r.y = (int)(months / 12);
    r.m = (int)(months % 12) + 1;
    dim = cal_days_in_month(r.y, r.m);
    r.d = d.d > dim ? dim : d.d;
    return r;
}

cal_date cal_first_of_month(cal_date d)
{
    d.d = 1;
    return d;
}

cal_date cal_first_of_next_month(cal_date d)
{
    return cal_first_of_month(cal_add_months(cal_first_of_month(d), 1));
}

time_t cal_end_of_day_paris(cal_date d)
{
    cal_date next = cal_add_days(d, 1);
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = next.y - 1900;
    tm.tm_mon = next.m - 1;
    tm.tm_mday = next.d;
    tm.tm_isdst = -1; /* Paris changes at 02:00/03:00: midnight is never ambiguous */
    return mktime(&tm);
}

cal_date cal_paris_date(time_t t)
{
    struct tm tm;
    cal_date d = {1970, 1, 1};

    if (localtime_r(&t, &tm) == NULL)
        return d;
    d.y = tm.tm_year + 1900;
    d.m = tm.tm_mon + 1;
    d.d = tm.tm_mday;
    return d;
}

char *cal_format_instant(time_t t, char *buf)
{
    struct tm tm;
    cal_date d;

    /* Not strftime: its %Y does not pad years before 1000 ("1-01-01T…", which
     * cal_parse_instant refuses), and it leaves buf undefined, possibly
     * unterminated, when year 10000 does not fit. Both found by
     * tests/fuzz/fuzz_dates.c. */
    if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
        strcpy(buf, "1970-01-01T00:00:00Z");
        return buf;
    }
    d.y = tm.tm_year + 1900;
    d.m = tm.tm_mon + 1;
    d.d = tm.tm_mday;
    cal_format(d, buf);
    snprintf(buf + 10, 11, "T%02u:%02u:%02uZ", (unsigned)tm.tm_hour % 100u,
             (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
    return buf;
}

bool cal_parse_instant(const char *s, time_t *out)
{
    static const cal_date first = {1, 1, 1}, last = {9999, 12, 31};
    cal_date d;
    int64_t t;
    char date[11];
    int hh, mm, ss, off = 0;
    const char *p;

    if (s == NULL || strlen(s) < 20 || strlen(s) > 40)
        return false;
    memcpy(date, s, 10);
    date[10] = '\0';
    if (!cal_parse(date, &d) || (s[10] != 'T' && s[10] != 't'))
        return false;
    if (s[13] != ':' || s[16] != ':')
        return false;
    hh = digits(s + 11, 2);
    mm = digits(s + 14, 2);
    ss = digits(s + 17, 2);
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
        return false;
    p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh = digits(p + 1, 2), om;

        if (oh < 0 || p[3] != ':')
            return false;
        om = digits(p + 4, 2);
        if (om < 0 || oh > 23 || om > 59)
            return false;
        off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return false;
    }
    if (*p != '\0')
        return false;
    if (ss == 60)
        ss = 59;
    t = cal_to_days(d) * 86400 + hh * 3600 + mm * 60 + ss - off;
    /* An offset can carry 9999-12-31 into year 10000 or 0001-01-01 into year 0
     * (UTC), which no "YYYY-" text can write back: cal_format_instant cannot
     * write year 10000 in its 20 characters and cal_parse refuses year 0, yet
     * callers format what they parsed (GET /v1/alerts?since=). Keep every
     * accepted instant within 0001-01-01T00:00:00Z..9999-12-31T23:59:59Z
     * (found by tests/fuzz/fuzz_dates.c). */
    if (t < cal_to_days(first) * 86400 || t >= (cal_to_days(last) + 1) * 86400)
        return false;
    *out = (time_t)t;
    return true;
}
