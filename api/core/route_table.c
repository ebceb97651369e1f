/*
 * route_table.c — the route table.
 *
 * One row per operation (core/routes.def), as tmux's cmd_entry or Redis's
 * command table: each route declares what it needs and the dispatcher
 * (core/dispatch.c) does the rest. Line by line:
 *   1. method, path, roles admitted, summary;
 *   2. what runs — .handler on the HTTP thread and/or .db on a database thread
 *      — with what the dispatcher does first, in SPEC §2's order (.load: the
 *      stored object in the caller's scope; .flags: the {id} a UUID, the body
 *      parsed, If-Match read, the Idempotency-Key begun, with .reread for a
 *      replay; .check: the fields before the key) and the code's argument
 *      (.arg: a request kind, a dossier write);
 *   3. what /v1/openapi.json says of it (its query parameters, its body's
 *      schema, its answers: see api/resources/openapi.c for the notation,
 *      api/openapi/ for the schemas named).
 * Adding an operation is adding its row to routes.def and its schemas there;
 * tests/contract/traffic.py must then call it once (make contract fails on an
 * operation never exercised). This is the one file of core/ that names the
 * handlers of resources/.
 */
#include "core/route_table.h"

#include <string.h>

#include "clock.h"
#include "request_kinds.h"
#include "route.h"
#include "resources/handlers.h"

#define ROUTE(method, path, roles, summary, ...) {method, path, roles, summary, __VA_ARGS__},
static const struct route table[] = {
#include "core/routes.def"
};
#undef ROUTE

const struct route *routes_table(int *n)
{
    *n = (int)(sizeof(table) / sizeof(table[0]));
    return table;
}

/* The test clock's paths exist only when the process runs with it (SPEC §6). */
bool routes_exists(const struct route *r)
{
    return strncmp(r->pattern, "/v1/admin/clock", 15) != 0 || clock_test_mode();
}

const struct route *routes_find(const char *method, const char *path,
                                char params[][128], bool *method_mismatch, char *allow,
                                size_t allow_len)
{
    *method_mismatch = false;
    allow[0] = '\0';
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (!routes_exists(&table[i]) ||
            !route_match(table[i].pattern, path, params, ROUTE_MAX_PARAMS))
            continue;
        if (strcmp(table[i].method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(table[i].method, "GET") == 0))
            return &table[i];
        *method_mismatch = true;
        if (strlen(allow) + strlen(table[i].method) + 3 < allow_len) {
            if (allow[0] != '\0')
                strcat(allow, ", ");
            strcat(allow, table[i].method);
        }
    }
    return NULL;
}
