/*
 * droits_simulation.c — POST /v1/droits/simulation (SPEC §5): the rights engine
 * (common/droits.h) as a service, for any role. Pure computation: it runs on
 * the HTTP thread and needs neither PostgreSQL nor Redis.
 */
#include "clock.h"
#include "droits_json.h"
#include "resources/handlers.h"

void h_droits_simulation(struct call *c)
{
    json_t *errors, *result;

    errors = json_array();
    result = droits_simulate_json(c->json, clock_today(), errors);
    if (result == NULL) {
        if (json_array_size(errors) > 0) {
            call_reply_invalid(c, errors);
            return;
        }
        json_decref(errors);
        call_reply_problem(c, 503, "Service indisponible", "Mémoire insuffisante.", NULL);
        return;
    }
    json_decref(errors);
    call_reply_json(c, 200, result);
}
