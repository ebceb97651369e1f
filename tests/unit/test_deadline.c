/*
 * test_deadline.c — deadline arithmetic (SPEC §6): due times of the clocks in
 * Europe/Paris, the state shown for a clock, warning and breach thresholds, and
 * the ISO 8601 leads that configure them (config_parse_leads and
 * config_format_lead of common/config.c).
 *
 * Due times are compared as RFC 3339 UTC text, so a failure shows the instant.
 * The dates are chosen on both daylight-saving changes of 2026 (29 March, 25
 * October), at month and year ends and across 29 February.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "caltest.h"
#include "config.h"
#include "deadline.h"

#define DAY 86400L
#define HOUR 3600L
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers --------------------------------------------------------------- */

static time_t T(const char *rfc3339)
{
    time_t t = 0;

    assert_true(cal_parse_instant(rfc3339, &t));
    return t;
}

static void assert_instant(time_t t, const char *want)
{
    char buf[32];

    assert_string_equal(cal_format_instant(t, buf), want);
}

/* "End of day D" is 00:00 of D + 1 in Paris: check it from the Paris side too. */
static void assert_end_of_paris_day(time_t t, const char *day)
{
    char got[CAL_DATE_LEN], next[CAL_DATE_LEN];
    struct tm tm;

    assert_string_equal(cal_format(cal_paris_date(t - 1), got), day);
    assert_string_equal(cal_format(cal_paris_date(t), got),
                        cal_format(cal_add_days(D(day), 1), next));
    assert_non_null(localtime_r(&t, &tm));
    assert_int_equal(tm.tm_hour, 0);
    assert_int_equal(tm.tm_min, 0);
    assert_int_equal(tm.tm_sec, 0);
}

static struct clock_leads leads(const char *s)
{
    struct clock_leads l;

    if (config_parse_leads(s, &l) != 0)
        fail_msg("leads refusés à tort : \"%s\"", s);
    return l;
}

/* ---- due times ------------------------------------------------------------- */

/* Each due time is also checked from the Paris side: the end of day D is
 * 00:00 of D + 1 there, D being the start day plus the clock's days. */
static void assert_due_day(time_t due, const char *start, int64_t days, const char *want)
{
    char day[CAL_DATE_LEN];

    assert_instant(due, want);
    assert_end_of_paris_day(due, cal_format(cal_add_days(D(start), days), day));
}

static void test_instruction_due(void **state)
{
    /* received, days suspended, due (end of received + 30 + suspended, Paris) */
    static const struct {
        const char *received;
        int suspended;
        const char *due;
    } cases[] = {
        /* winter (UTC+1) and summer (UTC+2) */
        {"2026-11-23", 0, "2026-12-23T23:00:00Z"},
        {"2026-06-01", 0, "2026-07-01T22:00:00Z"},
        /* due on the day the clocks go forward (29 March 2026), and the day before */
        {"2026-02-27", 0, "2026-03-29T22:00:00Z"},
        {"2026-02-26", 0, "2026-03-28T23:00:00Z"},
        /* due on the day they go back (25 October 2026, 25 hours), and the day before */
        {"2026-09-25", 0, "2026-10-25T23:00:00Z"},
        {"2026-09-24", 0, "2026-10-24T22:00:00Z"},
        /* month ends: across a 28-day February, a 29-day one */
        {"2026-01-31", 0, "2026-03-02T23:00:00Z"},
        {"2028-01-31", 0, "2028-03-01T23:00:00Z"},
        {"2028-01-30", 0, "2028-02-29T23:00:00Z"},
        {"2026-03-31", 0, "2026-04-30T22:00:00Z"},
        /* year ends: due on 31 December ends at midnight of the new year */
        {"2026-12-01", 0, "2026-12-31T23:00:00Z"},
        {"2026-12-15", 0, "2027-01-14T23:00:00Z"},
        /* suspended days are added to the 30, and may carry the due date
         * across a daylight-saving change or a year end */
        {"2026-11-23", 5, "2026-12-28T23:00:00Z"},
        {"2026-02-20", 7, "2026-03-29T22:00:00Z"},
        {"2026-09-20", 5, "2026-10-25T23:00:00Z"},
        {"2026-11-23", 40, "2027-02-01T23:00:00Z"},
    };

    (void)state;
    for (size_t i = 0; i < N_OF(cases); i++)
        assert_due_day(deadline_instruction_due(D(cases[i].received), cases[i].suspended),
                       cases[i].received, INSTRUCTION_DAYS + cases[i].suspended, cases[i].due);

    /* The days that end the two changes of time are 23 and 25 hours long. */
    assert_int_equal(deadline_instruction_due(D("2026-02-27"), 0) -
                         deadline_instruction_due(D("2026-02-26"), 0),
                     23 * HOUR);
    assert_int_equal(deadline_instruction_due(D("2026-09-25"), 0) -
                         deadline_instruction_due(D("2026-09-24"), 0),
                     25 * HOUR);
    for (int s = 0; s < 400; s += 7)
        assert_int_equal(cal_paris_date(deadline_instruction_due(D("2026-01-01"), s) - 1).d,
                         cal_add_days(D("2026-01-01"), INSTRUCTION_DAYS + s).d);
}

static void test_transmission_due(void **state)
{
    /* deposit, due (end of deposit + 8 days, Paris) */
    static const struct {
        const char *deposit;
        const char *due;
    } cases[] = {
        {"2026-11-20", "2026-11-28T23:00:00Z"}, {"2026-03-21", "2026-03-29T22:00:00Z"},
        {"2026-10-17", "2026-10-25T23:00:00Z"}, {"2026-12-24", "2027-01-01T23:00:00Z"},
        {"2026-12-23", "2026-12-31T23:00:00Z"}, {"2028-02-21", "2028-02-29T23:00:00Z"},
        {"2027-02-21", "2027-03-01T23:00:00Z"}, {"2026-07-31", "2026-08-08T22:00:00Z"},
    };

    (void)state;
    for (size_t i = 0; i < N_OF(cases); i++)
        assert_due_day(deadline_transmission_due(D(cases[i].deposit)), cases[i].deposit,
                       TRANSMISSION_DAYS, cases[i].due);
}

static void test_hours_due(void **state)
{
    /* start, hours, due: hours are elapsed time, so across a change of time the
     * Paris wall clock moves by one hour more or less, the instant does not */
    static const struct {
        const char *start;
        int hours;
        const char *due;
    } cases[] = {
        {"2026-11-23T09:15:30Z", PRISE_EN_CHARGE_HOURS, "2026-11-25T09:15:30Z"},
        {"2026-11-23T09:15:30Z", RAPPEL_HOURS, "2026-11-24T09:15:30Z"},
        {"2026-11-23T09:15:30Z", 0, "2026-11-23T09:15:30Z"},
        {"2026-03-28T10:00:00Z", 48, "2026-03-30T10:00:00Z"},
        {"2026-10-24T10:00:00Z", 24, "2026-10-25T10:00:00Z"},
    };

    (void)state;
    for (size_t i = 0; i < N_OF(cases); i++) {
        time_t start = T(cases[i].start), due = deadline_hours_due(start, cases[i].hours);

        assert_instant(due, cases[i].due);
        assert_int_equal(due - start, cases[i].hours * HOUR);
    }
}

static void test_suspended_days(void **state)
{
    /* from, to, calendar days between (never negative; a 23- or 25-hour day counts one) */
    static const struct {
        const char *from, *to;
        int days;
    } cases[] = {
        {"2026-11-01", "2026-11-05", 4},   {"2026-11-05", "2026-11-05", 0},
        {"2026-11-05", "2026-11-01", 0},   {"2026-12-30", "2027-01-02", 3},
        {"2026-03-28", "2026-03-30", 2},   {"2026-10-24", "2026-10-26", 2},
        {"2028-02-28", "2028-03-01", 2},   {"2027-02-28", "2027-03-01", 1},
        {"2026-01-01", "2027-01-01", 365},
    };

    (void)state;
    for (size_t i = 0; i < N_OF(cases); i++)
        assert_int_equal(deadline_suspended_days(D(cases[i].from), D(cases[i].to)),
                         cases[i].days);

    /* The whole rule: received 2 November, pieces requested on the 10th and
     * received on the 20th: ten days added, due at the end of 12 December. */
    assert_instant(deadline_instruction_due(
                       D("2026-11-02"), deadline_suspended_days(D("2026-11-10"), D("2026-11-20"))),
                   "2026-12-12T23:00:00Z");
}

/* ---- states ----------------------------------------------------------------- */

static void test_state(void **state)
{
    const time_t due = T("2026-12-23T23:00:00Z");
    const time_t before = due - 1, after = due + 1, long_after = due + 400 * DAY;

    (void)state;
    /* Running, then breached exactly at due_at (now >= due_at). */
    assert_int_equal(deadline_state(due, false, false, 0, due - 30 * DAY), DEADLINE_RUNNING);
    assert_int_equal(deadline_state(due, false, false, 0, before), DEADLINE_RUNNING);
    assert_int_equal(deadline_state(due, false, false, 0, due), DEADLINE_BREACHED);
    assert_int_equal(deadline_state(due, false, false, 0, after), DEADLINE_BREACHED);

    /* Suspended: whatever now is. */
    assert_int_equal(deadline_state(due, true, false, 0, before), DEADLINE_SUSPENDED);
    assert_int_equal(deadline_state(due, true, false, 0, due), DEADLINE_SUSPENDED);
    assert_int_equal(deadline_state(due, true, false, 0, long_after), DEADLINE_SUSPENDED);

    /* Stopped: judged by when it stopped, not by now; suspension is moot. */
    for (int suspended = 0; suspended <= 1; suspended++) {
        const time_t nows[] = {before, due, after, long_after};

        for (size_t i = 0; i < N_OF(nows); i++) {
            assert_int_equal(deadline_state(due, suspended, true, due - 10 * DAY, nows[i]),
                             DEADLINE_MET);
            assert_int_equal(deadline_state(due, suspended, true, before, nows[i]), DEADLINE_MET);
            assert_int_equal(deadline_state(due, suspended, true, due, nows[i]), DEADLINE_BREACHED);
            assert_int_equal(deadline_state(due, suspended, true, after, nows[i]),
                             DEADLINE_BREACHED);
        }
    }

    assert_string_equal(deadline_state_name(DEADLINE_RUNNING), "running");
    assert_string_equal(deadline_state_name(DEADLINE_SUSPENDED), "suspended");
    assert_string_equal(deadline_state_name(DEADLINE_MET), "met");
    assert_string_equal(deadline_state_name(DEADLINE_BREACHED), "breached");
    assert_string_equal(deadline_state_name((enum deadline_state)42), "running");
}

/* ---- thresholds -------------------------------------------------------------- */

static void test_threshold_ranks(void **state)
{
    const struct clock_leads l = leads("P5D,P1D");
    const time_t due = deadline_instruction_due(D("2026-11-23"), 0);

    (void)state;
    assert_int_equal(l.n, 2);
    assert_int_equal(l.seconds[0], 5 * DAY);
    assert_int_equal(l.seconds[1], 1 * DAY);

    /* Rank 1 is the most distant warning, rank n + 1 the breach. */
    assert_int_equal(deadline_threshold_at(due, &l, 1), due - 5 * DAY);
    assert_int_equal(deadline_threshold_at(due, &l, 2), due - 1 * DAY);
    assert_int_equal(deadline_threshold_at(due, &l, 3), due);
    /* Out of range ranks are the due time. */
    assert_int_equal(deadline_threshold_at(due, &l, 0), due);
    assert_int_equal(deadline_threshold_at(due, &l, 4), due);

    /* Each boundary: one second before, exactly at. */
    assert_int_equal(deadline_rank_at(due, &l, due - 30 * DAY), 0);
    assert_int_equal(deadline_rank_at(due, &l, due - 5 * DAY - 1), 0);
    assert_int_equal(deadline_rank_at(due, &l, due - 5 * DAY), 1);
    assert_int_equal(deadline_rank_at(due, &l, due - 1 * DAY - 1), 1);
    assert_int_equal(deadline_rank_at(due, &l, due - 1 * DAY), 2);
    assert_int_equal(deadline_rank_at(due, &l, due - 1), 2);
    assert_int_equal(deadline_rank_at(due, &l, due), 3);
    assert_int_equal(deadline_rank_at(due, &l, due + 365 * DAY), 3);

    assert_false(deadline_is_breach(&l, 0));
    assert_false(deadline_is_breach(&l, 1));
    assert_false(deadline_is_breach(&l, 2));
    assert_true(deadline_is_breach(&l, 3));
    assert_true(deadline_is_breach(&l, 3) == (deadline_rank_at(due, &l, due) == l.n + 1));

    /* Leads are durations: across the October change, five days before the end
     * of 25 October is 5 × 24 hours, 01:00 on the 21st in Paris. */
    {
        const time_t d = deadline_instruction_due(D("2026-09-25"), 0);
        struct tm tm;
        time_t w = deadline_threshold_at(d, &l, 1);

        assert_int_equal(d - w, 5 * DAY);
        assert_non_null(localtime_r(&w, &tm));
        assert_int_equal(tm.tm_mday, 21);
        assert_int_equal(tm.tm_hour, 1);
    }
}

static void test_next_fire(void **state)
{
    const struct clock_leads l = leads("P5D,P1D");
    const time_t due = T("2026-12-23T23:00:00Z");

    (void)state;
    assert_int_equal(deadline_next_fire(due, &l, 0), due - 5 * DAY);
    assert_int_equal(deadline_next_fire(due, &l, 1), due - 1 * DAY);
    assert_int_equal(deadline_next_fire(due, &l, 2), due);
    assert_int_equal(deadline_next_fire(due, &l, 3), (time_t)-1);
    assert_int_equal(deadline_next_fire(due, &l, 4), (time_t)-1);

    /* Each next fire is exactly where the rank rises. */
    for (int fired = 0; fired <= l.n; fired++) {
        time_t at = deadline_next_fire(due, &l, fired);

        assert_int_equal(deadline_rank_at(due, &l, at), fired + 1);
        assert_int_equal(deadline_rank_at(due, &l, at - 1), fired);
    }
}

/* The scanner's loop, by the rules of deadline.h: fire the highest rank passed
 * when it is above the one already fired. */
static int scan(time_t due, const struct clock_leads *l, int *fired, time_t now)
{
    int rank = deadline_rank_at(due, l, now);

    if (rank > *fired) {
        *fired = rank;
        return rank;
    }
    return 0;
}

static void test_scanner_sequences(void **state)
{
    const struct clock_leads l = leads("P5D,P1D");
    const time_t due = T("2026-12-23T23:00:00Z");
    int fired = 0, seen[4] = {0, 0, 0, 0}, order[4], n = 0;

    (void)state;
    /* A scanner looking every minute fires each threshold once, in order. */
    for (time_t now = due - 6 * DAY; now <= due + DAY; now += 60) {
        int r = scan(due, &l, &fired, now);

        if (r != 0) {
            seen[r]++;
            order[n++] = r;
            assert_true(now >= deadline_threshold_at(due, &l, r));
            assert_true(now < deadline_threshold_at(due, &l, r) + 60);
        }
    }
    assert_int_equal(n, 3);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 2);
    assert_int_equal(order[2], 3);
    assert_int_equal(seen[1] + seen[2] + seen[3], 3);
    assert_true(deadline_is_breach(&l, order[2]));
    assert_int_equal(deadline_next_fire(due, &l, fired), (time_t)-1);

    /* A worker down across every threshold: only the breach fires. */
    fired = 0;
    assert_int_equal(scan(due, &l, &fired, due + 3 * HOUR), 3);
    assert_int_equal(scan(due, &l, &fired, due + 4 * HOUR), 0);

    /* Down from the first warning to past the second: the second alone. */
    fired = 0;
    assert_int_equal(scan(due, &l, &fired, due - 5 * DAY), 1);
    assert_int_equal(scan(due, &l, &fired, due - 2 * HOUR), 2);
    assert_int_equal(scan(due, &l, &fired, due - HOUR), 0);
    assert_int_equal(scan(due, &l, &fired, due), 3);

    /* A test clock set backwards fires nothing already fired. */
    assert_int_equal(scan(due, &l, &fired, due - 4 * DAY), 0);
}

static void test_default_leads_of_each_clock(void **state)
{
    struct clock_leads none = {0, {0}};
    const struct clock_leads tr = leads("P2D"), pec = leads("PT12H"), rap = leads("PT4H");
    const time_t dep_due = deadline_transmission_due(D("2026-11-20"));
    const time_t start = T("2026-11-23T09:00:00Z");
    const time_t pec_due = deadline_hours_due(start, PRISE_EN_CHARGE_HOURS);
    const time_t rap_due = deadline_hours_due(start, RAPPEL_HOURS);

    (void)state;
    /* Transmission: a warning 2 days ahead, then the breach (rank 2). */
    assert_int_equal(deadline_next_fire(dep_due, &tr, 0), dep_due - 2 * DAY);
    assert_int_equal(deadline_rank_at(dep_due, &tr, dep_due - 2 * DAY), 1);
    assert_int_equal(deadline_rank_at(dep_due, &tr, dep_due), 2);
    assert_true(deadline_is_breach(&tr, 2));
    assert_false(deadline_is_breach(&tr, 1));

    /* Hour clocks. */
    assert_instant(deadline_next_fire(pec_due, &pec, 0), "2026-11-24T21:00:00Z");
    assert_instant(deadline_next_fire(rap_due, &rap, 0), "2026-11-24T05:00:00Z");
    assert_int_equal(deadline_rank_at(rap_due, &rap, rap_due - 4 * HOUR - 1), 0);
    assert_int_equal(deadline_rank_at(rap_due, &rap, rap_due - 4 * HOUR), 1);
    assert_int_equal(deadline_rank_at(rap_due, &rap, rap_due), 2);

    /* No warning at all: the breach is rank 1. */
    assert_int_equal(deadline_rank_at(rap_due, &none, rap_due - 1), 0);
    assert_int_equal(deadline_rank_at(rap_due, &none, rap_due), 1);
    assert_true(deadline_is_breach(&none, 1));
    assert_int_equal(deadline_next_fire(rap_due, &none, 0), rap_due);
    assert_int_equal(deadline_next_fire(rap_due, &none, 1), (time_t)-1);

    /* Four leads, a warning longer than the clock itself: it is reached at
     * once, and the ranks still rise one by one. */
    {
        const struct clock_leads four = leads("PT1H,P3D,PT30M,P1D");

        assert_int_equal(four.n, 4);
        assert_int_equal(four.seconds[0], 3 * DAY);
        assert_int_equal(four.seconds[3], 30 * 60);
        assert_int_equal(deadline_rank_at(rap_due, &four, start), 2);
        assert_int_equal(deadline_rank_at(rap_due, &four, rap_due - 30 * 60), 4);
        assert_int_equal(deadline_rank_at(rap_due, &four, rap_due), 5);
        assert_true(deadline_is_breach(&four, 5));
    }
}

/* ---- leads: parsing and formatting ---------------------------------------------- */

static void test_parse_leads_valid(void **state)
{
    /* text, the leads it means: sorted most distant first, duplicates removed
     * (also when spelt differently), the forms of SPEC §6 and config.h, the
     * defaults of config.c, four leads at the most */
    static const struct {
        const char *text;
        int n;
        long seconds[CONFIG_MAX_LEADS];
    } cases[] = {
        {"P5D,P1D", 2, {5 * DAY, DAY}},
        {"P1D,P5D", 2, {5 * DAY, DAY}},
        {"PT4H,P2D,PT12H", 3, {2 * DAY, 12 * HOUR, 4 * HOUR}},
        {"P1D,P1D,P2D", 2, {2 * DAY, DAY}},
        {"P1D,PT24H", 1, {DAY}},
        {"PT60M,PT1H,P2D,PT1H", 2, {2 * DAY, HOUR}},
        {"PT12H", 1, {12 * HOUR}},
        {"P1DT6H", 1, {DAY + 6 * HOUR}},
        {"PT30M", 1, {30 * 60}},
        {"PT1H30M", 1, {90 * 60}},
        {"P1DT1H1M", 1, {DAY + HOUR + 60}},
        {"P1DT30M", 1, {DAY + 30 * 60}},
        {"P007D", 1, {7 * DAY}},
        {"P100000D", 1, {100000 * DAY}},
        {"P4D,P3D,P2D,P1D", CONFIG_MAX_LEADS, {4 * DAY, 3 * DAY, 2 * DAY, DAY}},
        {"P2D", 1, {2 * DAY}},
        {"PT4H", 1, {4 * HOUR}},
    };
    struct clock_leads l;

    (void)state;
    for (size_t i = 0; i < N_OF(cases); i++) {
        l = leads(cases[i].text);
        if (l.n != cases[i].n)
            fail_msg("\"%s\" : %d délais, %d attendus", cases[i].text, l.n, cases[i].n);
        for (int k = 0; k < l.n; k++)
            if (l.seconds[k] != cases[i].seconds[k])
                fail_msg("\"%s\" : délai %d de %ld s, %ld attendues", cases[i].text, k,
                         (long)l.seconds[k], cases[i].seconds[k]);
    }

    /* The empty list means no warning (the breach only). */
    l.n = 3;
    assert_int_equal(config_parse_leads("", &l), 0);
    assert_int_equal(l.n, 0);
}

static void test_parse_leads_malformed(void **state)
{
    static const char *const bad[] = {
        "5D",  "P",     "PT",      "P1H",     "P1M",      "P-1D",     "P+1D",   "P1.5D",
        "P1,5D", "p5d", "P5d",     " P5D",    "P5D ",     "P5D, P1D", "P5D,,P1D", ",P5D",
        "P5D,", ",",    "P0D",     "PT0H",    "PT0M",     "P0DT0H",   "P1DT",   "PT1D",
        "P1D2D", "PT1M1H", "PT1H1H", "PT1H1M1M", "P1Y",   "P1W",      "PT1S",   "P5D;P1D",
        "PD",  "PTH",   "P1DTT1H", "P1TD",    "PT1HT1M",  "P99999999D", "P5D,P4D,P3D,P2D,P1D",
        "P1D,P1D,P1D,P1D,P1D", "P5D\n", "\tP5D", "P5DX",
    };
    const struct clock_leads before = {2, {5 * DAY, DAY}};

    (void)state;
    for (size_t i = 0; i < N_OF(bad); i++) {
        struct clock_leads l = before;

        if (config_parse_leads(bad[i], &l) != -1)
            fail_msg("leads acceptés à tort : \"%s\"", bad[i]);
        /* A refused list leaves the output untouched. */
        assert_int_equal(l.n, before.n);
        assert_int_equal(l.seconds[0], before.seconds[0]);
        assert_int_equal(l.seconds[1], before.seconds[1]);
    }
}

static void test_format_lead(void **state)
{
    static const struct {
        long seconds;
        const char *text;
    } formats[] = {
        {5 * DAY, "P5D"},      {DAY, "P1D"},         {2 * DAY, "P2D"},
        {12 * HOUR, "PT12H"},  {4 * HOUR, "PT4H"},   {DAY + 6 * HOUR, "P1DT6H"},
        {30 * 60, "PT30M"},    {90 * 60, "PT1H30M"}, {DAY + 60, "P1DT1M"},
        {24 * HOUR, "P1D"},    {100000 * DAY + 23 * HOUR + 59 * 60, "P100000DT23H59M"},
    };
    char buf[32];

    (void)state;
    for (size_t i = 0; i < N_OF(formats); i++)
        assert_string_equal(config_format_lead(formats[i].seconds, buf, sizeof(buf)),
                            formats[i].text);
    assert_ptr_equal(config_format_lead(DAY, buf, sizeof(buf)), buf);

    /* Round trips: every lead parsed formats back to what parses the same. */
    for (long s = 60; s < 9 * DAY; s += 60 * 7) {
        struct clock_leads l;

        config_format_lead(s, buf, sizeof(buf));
        if (config_parse_leads(buf, &l) != 0 || l.n != 1 || l.seconds[0] != s)
            fail_msg("aller-retour raté pour %ld s : \"%s\"", s, buf);
    }
    {
        static const char *const texts[] = {"P5D", "P1D", "P2D", "PT12H", "PT4H", "P1DT6H",
                                            "PT30M", "PT1H30M", "P1DT1H1M", "P3DT12H"};

        for (size_t i = 0; i < N_OF(texts); i++)
            assert_string_equal(
                config_format_lead(leads(texts[i]).seconds[0], buf, sizeof(buf)), texts[i]);
    }

    /* A buffer too small is truncated, never overrun. */
    {
        struct {
            char small[4];
            char canary[12];
        } b;

        memset(&b, 'Z', sizeof(b));
        config_format_lead(5 * DAY + 12 * HOUR + 30 * 60, b.small, sizeof(b.small));
        assert_string_equal(b.small, "P5D");
        for (size_t i = 0; i < sizeof(b.canary); i++)
            assert_int_equal(b.canary[i], 'Z');

        memset(&b, 'Z', sizeof(b));
        config_format_lead(12 * HOUR + 30 * 60, b.small, 1);
        assert_int_equal(b.small[0], '\0');
        assert_int_equal(b.small[1], 'Z');
        config_format_lead(DAY, b.small, 0);
        assert_int_equal(b.small[0], '\0');
        assert_int_equal(b.small[1], 'Z');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_instruction_due),
        cmocka_unit_test(test_transmission_due),
        cmocka_unit_test(test_hours_due),
        cmocka_unit_test(test_suspended_days),
        cmocka_unit_test(test_state),
        cmocka_unit_test(test_threshold_ranks),
        cmocka_unit_test(test_next_fire),
        cmocka_unit_test(test_scanner_sequences),
        cmocka_unit_test(test_default_leads_of_each_clock),
        cmocka_unit_test(test_parse_leads_valid),
        cmocka_unit_test(test_parse_leads_malformed),
        cmocka_unit_test(test_format_lead),
    };

    assert_true(cal_init());
    return cmocka_run_group_tests(tests, NULL, NULL);
}
