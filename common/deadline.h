/*
 * deadline.h — deadline arithmetic (SPEC §6), pure: due times of deadlines,
 * their displayed state, and which threshold (warning lead or breach) is due.
 *
 * Words, the spec's: a deadline is {clock, due_at, suspended_days, state}, one
 * row of the table deadlines per (object, clock); its clock is its kind
 * (instruction, transmission, prise_en_charge, rappel), whose warning leads
 * are a struct clock_leads of the configuration.
 *
 * Thresholds of one due time are ranked from the most distant warning (rank 1)
 * to the breach (rank n + 1, n being the number of warning leads). A deadline
 * remembers the highest rank it fired; the scanner fires only a higher one, and
 * only the highest one passed, so that a worker down for a day or a jump of the
 * test clock raises one alert — the most severe — and never an older one again.
 */
#ifndef EPART_DEADLINE_H
#define EPART_DEADLINE_H

#include <stdbool.h>
#include <time.h>

#include "calendar.h"
#include "config.h"

#define INSTRUCTION_DAYS 30
#define TRANSMISSION_DAYS 8
#define PRISE_EN_CHARGE_HOURS 48
#define RAPPEL_HOURS 24

enum deadline_state { DEADLINE_RUNNING, DEADLINE_SUSPENDED, DEADLINE_MET, DEADLINE_BREACHED };

/* "running", "suspended", "met" or "breached". */
const char *deadline_state_name(enum deadline_state s);

/* The state shown for a deadline: a stopped one is met or breached by when it
 * stopped; a suspended one is suspended; otherwise breached once now reaches
 * due_at. */
enum deadline_state deadline_state(time_t due_at, bool suspended, bool stopped,
                                   time_t stopped_at, time_t now);

/* Instruction: end of day (Europe/Paris) of start + 30 + suspended_days. */
time_t deadline_instruction_due(cal_date start, int suspended_days);

/* Transmission of an AME first request: end of day of deposited_on + 8. */
time_t deadline_transmission_due(cal_date deposited_on);

/* Hour clocks (prise en charge, rappel): start + hours. */
time_t deadline_hours_due(time_t start, int hours);

/* The instant threshold rank (1..n+1) of due_at is reached. */
time_t deadline_threshold_at(time_t due_at, const struct clock_leads *leads, int rank);

/* The highest rank reached at now (0 when none). */
int deadline_rank_at(time_t due_at, const struct clock_leads *leads, time_t now);

/* The instant the scanner should next look at a deadline that already fired
 * fired_rank, or (time_t)-1 when its breach has fired. */
time_t deadline_next_fire(time_t due_at, const struct clock_leads *leads, int fired_rank);

/* True when rank is the breach of leads. */
bool deadline_is_breach(const struct clock_leads *leads, int rank);

/* Whole calendar days of a suspension from requested_on to received_on (the
 * pieces' receipt), never negative. */
int deadline_suspended_days(cal_date requested_on, cal_date received_on);

#endif
