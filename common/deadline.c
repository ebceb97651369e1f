/*
 * deadline.c — due times, states and thresholds of deadlines (deadline.h).
 */
#include "deadline.h"

const char *deadline_state_name(enum deadline_state s)
{
    switch (s) {
    case DEADLINE_RUNNING: return "running";
    case DEADLINE_SUSPENDED: return "suspended";
    case DEADLINE_MET: return "met";
    case DEADLINE_BREACHED: return "breached";
    }
    return "running";
}

enum deadline_state deadline_state(time_t due_at, bool suspended, bool stopped,
                                   time_t stopped_at, time_t now)
{
    if (stopped)
        return stopped_at >= due_at ? DEADLINE_BREACHED : DEADLINE_MET;
    if (suspended)
        return DEADLINE_SUSPENDED;
    return now >= due_at ? DEADLINE_BREACHED : DEADLINE_RUNNING;
}

time_t deadline_instruction_due(cal_date start, int suspended_days)
{
    return cal_end_of_day_paris(cal_add_days(start, INSTRUCTION_DAYS + suspended_days));
}

time_t deadline_transmission_due(cal_date deposited_on)
{
    return cal_end_of_day_paris(cal_add_days(deposited_on, TRANSMISSION_DAYS));
}

time_t deadline_hours_due(time_t start, int hours)
{
    return start + (time_t)hours * 3600;
}

time_t deadline_threshold_at(time_t due_at, const struct clock_leads *leads, int rank)
{
    if (rank >= 1 && rank <= leads->n)
        return due_at - leads->seconds[rank - 1];
    return due_at;
}

int deadline_rank_at(time_t due_at, const struct clock_leads *leads, time_t now)
{
    for (int rank = leads->n + 1; rank >= 1; rank--)
        if (now >= deadline_threshold_at(due_at, leads, rank))
            return rank;
    return 0;
}

time_t deadline_next_fire(time_t due_at, const struct clock_leads *leads, int fired_rank)
{
    if (fired_rank >= leads->n + 1)
        return (time_t)-1;
    return deadline_threshold_at(due_at, leads, fired_rank + 1);
}

bool deadline_is_breach(const struct clock_leads *leads, int rank)
{
    return rank == leads->n + 1;
}

int deadline_suspended_days(cal_date requested_on, cal_date received_on)
{
    int64_t d = cal_diff_days(requested_on, received_on);

    return d > 0 ? (int)d : 0;
}
