/*
 * main.c — the epart API process: configuration, signals, threads.
 */
#include <event2/event.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apidocs.h"
#include "audit.h"
#include "calendar.h"
#include "clock.h"
#include "redis_primary.h"
#include "dbpool.h"
#include "hashpool.h"
#include "revocations.h"
#include "ingest.h"
#include "log.h"
#include "openapi.h"
#include "oidc.h"
#include "orgcache.h"
#include "server.h"
#include "web.h"

int main(int argc, char **argv)
{
    char err[256];
    int rc;

    /* epart-api --openapi: print the document and exit (no configuration, no
     * server), for generators and validators that run without a stack. */
    if (argc == 2 && strcmp(argv[1], "--openapi") == 0) {
        size_t len;
        const char *doc;

        log_init("api");
        doc = openapi_document(&len);
        if (doc == NULL)
            return 1;
        fwrite(doc, 1, len, stdout);
        putchar('\n');
        return 0;
    }

    log_init("api");
    server_guard_signals();
    signal(SIGPIPE, SIG_IGN);
    if (!cal_init()) {
        log_error("the Europe/Paris time zone is missing (install tzdata)");
        return 1;
    }
    if (config_load(&g_config, err, sizeof(err)) < 0) {
        log_error("configuration: %s", err);
        return 1;
    }
    json_object_seed(0);
    clock_init(g_config.test_clock);
    ingest_init();
    if (primary_start(&g_config) < 0 || clock_follow() < 0)
        return 1;
    if (orgcache_sync_all() < 0)
        log_warn("orgcache: PostgreSQL or Redis unreachable at start-up; organisations will be "
                 "mirrored on first use");
    if (web_init() < 0) {
        log_error("cannot load the web application (see above)");
        return 1;
    }
    if (dbpool_start(g_config.db_threads) < 0) {
        log_error("cannot start the database threads");
        return 1;
    }
    if (hashpool_start(g_config.hash_threads, g_config.hash_queue) < 0 ||
        revocations_start() < 0) {
        log_error("cannot start the hash threads or the revocation follower");
        return 1;
    }
    if (audit_start() < 0) {
        log_error("cannot start the audit journal writer");
        return 1;
    }
    if (oidc_start() < 0) {
        log_error("cannot start the OpenID Connect provider thread");
        return 1;
    }
    apidocs_init();
    rc = server_run();
    log_info("http: stopping");
    oidc_stop();
    dbpool_stop();
    hashpool_stop();
    revocations_stop();
    audit_stop();
    clock_stop_follow();
    primary_stop();
    apidocs_free();
    web_free();
    return rc == 0 ? 0 : 1;
}
