/*
 * main.c — the epart API process: configuration, signals, threads.
 *
 * The API's files, in layers (docs/architecture.md draws them;
 * tests/lint/layers.sh checks them). A file includes common/, store/ and the
 * layers below its own, never one above:
 *
 *   core/       what every request goes through, whatever it asks: the HTTP
 *               threads and their event loops, the call and its replies, the
 *               dispatcher and the route table, the connection guard, the
 *               checks made before any handler (token, role, convention,
 *               rate: auth, tokencache, revocations, ratelimit, and the
 *               organisations' cache they read), the Idempotency-Key, the web
 *               application's files (served before the route table), the
 *               database and hash threads, the Redis link, metrics. Knows no
 *               resource.
 *   support/    what several handlers share: keyset lists and cursors, the
 *               audit journal, the ingest script, a dossier's head and the
 *               reads of one document, the OpenID provider's keys. Includes
 *               core/.
 *   resources/  one file per resource of the API, holding its handlers (their
 *               list: handlers.h). Includes core/ and support/; never another
 *               resource's file.
 *   main.c      the process: the only file that starts every layer.
 *
 * The one place core/ names handlers is the route table (core/routes.def),
 * as Redis's command table does. core/call_job.h is core's alone: how a call
 * travels to the database, hash and provider threads and back.
 */
#include <event2/event.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonarena.h"
#include "log.h"
#include "startup.h"
#include "core/dbpool.h"
#include "core/dispatch.h"
#include "core/hashpool.h"
#include "core/orgcache.h"
#include "core/revocations.h"
#include "core/server.h"
#include "core/web.h"
#include "support/audit.h"
#include "support/ingest.h"
#include "support/oidc.h"
#include "resources/apidocs.h"
#include "resources/openapi.h"

int main(int argc, char **argv)
{
    int rc;

    /* Jansson allocates through the requests' arenas where a handler enters
     * one (core/server.h call_arena), from the heap everywhere else */
    json_arena_install();
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

    server_guard_signals();
    if (startup_config("api", &g_config) < 0)
        return 1;
    ingest_init();
    if (startup_shared_state(&g_config) < 0)
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
    rc = server_run(dispatch_request);
    log_info("http: stopping");
    oidc_stop();
    dbpool_stop();
    hashpool_stop();
    server_free(); /* after the pools: their last calls come back to the threads */
    ingest_free();
    revocations_stop();
    audit_stop();
    startup_shared_state_stop();
    apidocs_free();
    web_free();
    return rc == 0 ? 0 : 1;
}
