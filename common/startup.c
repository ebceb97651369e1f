/*
 * startup.c — the start-up and shutdown steps shared by both programs (see
 * startup.h).
 */
#include "startup.h"

#include <jansson.h>
#include <signal.h>

#include "calendar.h"
#include "clock.h"
#include "log.h"
#include "redis_primary.h"

int startup_config(const char *program, struct config *c)
{
    char err[256];

    log_init(program);
    /* a peer that closes its socket must not kill the process */
    signal(SIGPIPE, SIG_IGN);
    if (!cal_init()) {
        log_error("the Europe/Paris time zone is missing (install tzdata)");
        return -1;
    }
    if (config_load(c, err, sizeof(err)) < 0) {
        log_error("configuration: %s", err);
        return -1;
    }
    json_object_seed(0);
    return 0;
}

int startup_shared_state(const struct config *c)
{
    clock_init(c->test_clock);
    return primary_start(c) < 0 || clock_follow() < 0 ? -1 : 0;
}

void startup_shared_state_stop(void)
{
    clock_stop_follow();
    primary_stop();
}
