/*
 * calendar.h — calendar dates and the Europe/Paris day, with no I/O.
 *
 * Dates are proleptic Gregorian (year, month, day) values. Every rule of the
 * product that counts days or months (rights, deadlines) goes through here so
 * that leap years, month ends and daylight-saving changes are handled once.
 *
 * Instants are time_t (UTC seconds). The Europe/Paris conversions use the C
 * library's time-zone database: the process must call cal_init() once at start,
 * which makes Europe/Paris the process's local zone.
 */
#ifndef EPART_CALENDAR_H
#define EPART_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct {
    int y; /* 1..9999 */
    int m; /* 1..12 */
    int d; /* 1..days in month */
} cal_date;

#define CAL_DATE_LEN 11 /* "YYYY-MM-DD" plus NUL */

/* Make Europe/Paris the local zone of the process (setenv TZ + tzset). Call once,
 * before any thread starts. Returns false when the zone database lacks it. */
bool cal_init(void);

/* True for a leap year of the Gregorian calendar. */
bool cal_is_leap(int y);

/* Number of days in month m (1..12) of year y. */
int cal_days_in_month(int y, int m);

/* True when d names a real day (month 1..12, day within the month, year 1..9999). */
bool cal_valid(cal_date d);

/* Parse exactly "YYYY-MM-DD" (ten characters, nothing else) naming a real day.
 * Returns false, leaving *out untouched, for anything else. s may be NULL. */
bool cal_parse(const char *s, cal_date *out);

/* Write "YYYY-MM-DD" into buf (at least CAL_DATE_LEN bytes). Returns buf. */
char *cal_format(cal_date d, char *buf);

/* Days since 1970-01-01 (negative before). */
int64_t cal_to_days(cal_date d);

/* Inverse of cal_to_days. */
cal_date cal_from_days(int64_t days);

/* -1, 0 or 1 as a is before, equal to or after b. */
int cal_cmp(cal_date a, cal_date b);

/* b - a in days. */
int64_t cal_diff_days(cal_date a, cal_date b);

/* d + n days (n may be negative). */
cal_date cal_add_days(cal_date d, int64_t n);

/* d + n months keeping the day of month, clamped to the last day of the target
 * month: 2021-01-31 + 1 month = 2021-02-28 (SPEC §5). n may be negative. */
cal_date cal_add_months(cal_date d, int n);

/* First day of d's month. */
cal_date cal_first_of_month(cal_date d);

/* First day of the month after d's month. */
cal_date cal_first_of_next_month(cal_date d);

/* The instant 00:00 of d + 1 in Europe/Paris: the end of day d (SPEC §6). */
time_t cal_end_of_day_paris(cal_date d);

/* The Europe/Paris calendar date of instant t. */
cal_date cal_paris_date(time_t t);

/* Format instant t as RFC 3339 UTC "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes).
 * An instant outside years 0..9999 UTC is written "1970-01-01T00:00:00Z". */
char *cal_format_instant(time_t t, char *buf);

/* Parse an RFC 3339 instant ("2026-11-23T09:00:00Z", "...T10:00:00+01:00", with
 * optional fractional seconds, which are dropped). Returns false on anything else,
 * including an instant whose UTC date falls outside years 1..9999. */
bool cal_parse_instant(const char *s, time_t *out);

#endif
