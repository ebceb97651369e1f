/*
 * main.c — the epart worker process: configuration, signals, threads.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jsonarena.h"
#include "log.h"
#include "preinstruction.h"
#include "startup.h"
#include "worker.h"

#define WEBHOOK_SENDERS 4

struct config g_config;
atomic_bool g_stop;
json_t *g_pieces_table;
char g_consumer[128];

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&g_stop, true);
}

void worker_sleep_ms(int ms)
{
    while (ms > 0 && !atomic_load(&g_stop)) {
        int step = ms > 50 ? 50 : ms;
        struct timespec ts = {0, (long)step * 1000000L};

        nanosleep(&ts, NULL);
        ms -= step;
    }
}

static int load_pieces_table(void)
{
    const char *path = getenv("EPART_PIECES_TABLE");
    char err[256];

    if (path == NULL || path[0] == '\0') {
        g_pieces_table = preinstruction_table_default();
        return g_pieces_table ? 0 : -1;
    }
    if (preinstruction_table_load(path, &g_pieces_table, err, sizeof(err)) < 0) {
        log_error("EPART_PIECES_TABLE=%s: %s", path, err);
        return -1;
    }
    return 0;
}

int main(void)
{
    char host[64] = "worker";
    pthread_t consumer, scanner, senders[WEBHOOK_SENDERS];
    struct sigaction sa;

    json_arena_install(); /* before any Jansson value: persist.c's batches use arenas */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (startup_config("worker", &g_config) < 0 || load_pieces_table() < 0)
        return 1;
    gethostname(host, sizeof(host) - 1);
    snprintf(g_consumer, sizeof(g_consumer), "%s-%d", host, (int)getpid());
    if (startup_shared_state(&g_config) < 0)
        return 1;
    log_info("worker %s started", g_consumer);
    curl_global_init(CURL_GLOBAL_DEFAULT); /* once, before the webhook senders start */
    pthread_create(&consumer, NULL, consumer_main, NULL);
    pthread_create(&scanner, NULL, scanner_main, NULL);
    for (int i = 0; i < WEBHOOK_SENDERS; i++)
        pthread_create(&senders[i], NULL, webhooks_main, NULL);
    pthread_join(consumer, NULL);
    pthread_join(scanner, NULL);
    for (int i = 0; i < WEBHOOK_SENDERS; i++)
        pthread_join(senders[i], NULL);
    startup_shared_state_stop();
    json_decref(g_pieces_table);
    log_info("worker %s stopped", g_consumer);
    return 0;
}
