/*
 * clock.h — the one "now" of the product (SPEC §6).
 *
 * Receipt dates, "not in the future", conventions in force and deadlines all ask
 * clock_now(). Normally it is the real clock. When the process runs with
 * EPART_TEST_CLOCK=1, an administrator may set a frozen instant with
 * PUT /v1/admin/clock; it is kept in Redis under CLOCK_REDIS_KEY so that the API
 * and every worker share it, and each process follows it with clock_follow().
 *
 * Token times and webhook timestamps never use this clock: they call
 * clock_real() (SPEC §3, §6).
 */
#ifndef EPART_CLOCK_H
#define EPART_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "calendar.h"

#define CLOCK_REDIS_KEY "epart:clock"

/* Enable (or not) the test clock for this process. Call once at start-up. */
void clock_init(bool test_mode);

/* True when the process runs with the test clock enabled. */
bool clock_test_mode(void);

/* The product's now, in seconds. */
time_t clock_now(void);

/* The product's now, in microseconds since the epoch. */
int64_t clock_now_us(void);

/* The product's today: the Europe/Paris date of clock_now(). */
cal_date clock_today(void);

/* The real clock, whatever the test clock says (token times, webhooks). */
time_t clock_real(void);

/* The real clock in microseconds since the epoch: for measuring and bounding
 * durations (timeouts, back-off, metrics), never for the product's dates. */
int64_t clock_real_us(void);

/* Freeze the product's now at t (test mode only; ignored otherwise). t < 0
 * returns to the real clock. Thread-safe. */
void clock_set(time_t t);

/* Start a thread that reads CLOCK_REDIS_KEY from the Redis primary
 * (redis_primary.h: primary_start() comes first) every 100 ms and applies it
 * with clock_set(), so that a change made through any API process reaches
 * every worker within a scanner tick. No-op outside test mode. */
int clock_follow(void);

/* Read CLOCK_REDIS_KEY now and apply it (test mode only; a no-op otherwise,
 * and when Redis does not answer). The follower lags the shared value by up
 * to its 100 ms period: a thread that acts on entries written after a PUT of
 * the clock (the scanner firing deadlines of dossiers just persisted) calls
 * this first, so that it never judges them at an instant they were not
 * received in. Blocking: never from an event loop. */
void clock_sync(void);

/* Stop the thread started by clock_follow(). */
void clock_stop_follow(void);

#endif
