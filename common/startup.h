/*
 * startup.h — what both programs (epart-api, epart-worker) do first and last,
 * in the same order: the log's name, SIGPIPE ignored, the Europe/Paris zone,
 * the configuration, Jansson's hash seed; then the product's clock and the
 * Redis primary (followed through Sentinel), stopped in reverse at the end.
 *
 * Each step that fails logs why; the caller only exits with status 1.
 */
#ifndef EPART_STARTUP_H
#define EPART_STARTUP_H

#include "config.h"

/* log_init(program), SIGPIPE ignored, cal_init(), config_load(c),
 * json_object_seed(0). 0, or -1 after logging the reason. */
int startup_config(const char *program, struct config *c);

/* clock_init(c->test_clock), primary_start(c) and clock_follow(). 0, or -1
 * (the failing step has logged). */
int startup_shared_state(const struct config *c);

/* clock_stop_follow() then primary_stop(). */
void startup_shared_state_stop(void);

#endif
