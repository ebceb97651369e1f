/*
 * test_clock.c — the test clock (SPEC §6): GET/PUT /v1/admin/clock, admin only, and
 * only when the process runs with EPART_TEST_CLOCK=1 (404 otherwise, as if the
 * paths did not exist).
 *
 * PUT writes the instant to Redis, where every worker reads it, then applies it
 * to this process at once so the very next request sees it. {"now": null} hands
 * the product back to the real clock (the demonstration of make run sets the
 * clock in the past to build its backlog, then lets time run again); it is
 * stored as -1 rather than deleted so that the Redis user needs no DEL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "clock.h"
#include "fielderr.h"
#include "core/redis_link.h"
#include "resources/handlers.h"

static json_t *clock_doc(void)
{
    char now[32], today[CAL_DATE_LEN];

    return json_pack("{s:s, s:s, s:b, s:s}", "now", cal_format_instant(clock_now(), now), "today",
                     cal_format(clock_today(), today), "test_clock", 1, "timezone",
                     "Europe/Paris");
}

/* The router hides these paths without the test clock; a second check costs
 * nothing and keeps the handlers safe on their own. */
static bool clock_enabled(struct call *c)
{
    if (clock_test_mode())
        return true;
    call_reply_problem(c, 404, "Ressource introuvable", "Chemin inconnu.", NULL);
    return false;
}

void h_clock_get(struct call *c)
{
    if (clock_enabled(c))
        call_reply_json(c, 200, clock_doc());
}

struct clock_put {
    time_t t;
};

static void on_clock_set(redisReply *reply, void *priv)
{
    struct call *c = priv;
    struct clock_put *p = c->ctx;

    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        call_set_unavailable(c, "Redis");
        call_reply_prepared(c);
        return;
    }
    clock_set(p->t);
    call_reply_json(c, 200, clock_doc());
}

void h_clock_put(struct call *c)
{
    const char *now;
    struct clock_put *p;
    char value[32];
    const char *argv[3];
    size_t lens[3];

    /* the body (ROUTE_JSON) is read first: without the test clock the route
     * does not exist (routes_exists), so its 404 came before */
    if (!clock_enabled(c))
        return;
    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        call_reply_problem(c, 503, "Service indisponible", "Mémoire insuffisante.", NULL);
        return;
    }
    c->ctx = p;
    c->ctx_free = free;
    now = json_str(c->json, "now");
    if (json_is_null(json_object_get(c->json, "now"))) {
        p->t = -1;
    } else if (now == NULL || !cal_parse_instant(now, &p->t)) {
        json_t *errors = json_array();

        fielderr_add(errors, "now", now == NULL ? "required" : "invalid_datetime",
                     "now doit être un instant RFC 3339, par exemple 2026-11-23T09:00:00Z, ou null "
                     "pour revenir à l'horloge réelle.");
        call_reply_invalid(c, errors);
        return;
    }
    snprintf(value, sizeof(value), "%lld", (long long)p->t);
    argv[0] = "SET";
    argv[1] = CLOCK_REDIS_KEY;
    argv[2] = value;
    for (int i = 0; i < 3; i++)
        lens[i] = strlen(argv[i]);
    if (redis_link_command(c->thr->redis, on_clock_set, c, 3, argv, lens) < 0) {
        call_set_unavailable(c, "Redis");
        call_reply_prepared(c);
    }
}
