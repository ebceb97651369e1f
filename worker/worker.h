/*
 * worker.h — what the threads of a worker process share.
 *
 * A worker process runs one stream consumer (consumer.c), one deadline scanner
 * (scanner.c) and a few webhook senders (webhooks.c), each thread with its own
 * PostgreSQL and Redis connections. Any number of worker processes may run at
 * once: the consumer group, row locks and unique keys make their work add up
 * without doubling anything.
 */
#ifndef EPART_WORKER_H
#define EPART_WORKER_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "config.h"

extern struct config g_config;

/* Set by SIGTERM/SIGINT: every loop finishes its current step and returns. */
extern atomic_bool g_stop;

/* The table of required pieces (deploy/pieces-requises.json or the default). */
extern json_t *g_pieces_table;

/* This process's consumer name in the group: "<host>-<pid>". */
extern char g_consumer[128];

/* Sleep ms milliseconds, waking early when g_stop is set. */
void worker_sleep_ms(int ms);

/* Thread bodies. */
void *consumer_main(void *arg);
void *scanner_main(void *arg);
void *webhooks_main(void *arg);

#endif
