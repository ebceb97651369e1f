/*
 * webhooks.c — delivery of webhook events (SPEC §6).
 */
#include "worker.h"

void *webhooks_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&g_stop))
        worker_sleep_ms(1000);
    return NULL;
}
