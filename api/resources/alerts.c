/*
 * alerts.c — GET /v1/alerts?level=&clock=&since= (SPEC §6): the warnings and
 * breaches raised by the scanner, scoped like the objects they name, newest
 * first, with keyset pagination. Each alert's object carries the reference of
 * the request it is about (object.reference), for the lists that show it.
 */
#include "calendar.h"
#include "store/alerts.h"
#include "support/listing.h"
#include "resources/handlers.h"

static const char *const levels[] = {"warning", "breach", NULL};
static const char *const clocks[] = {"instruction", "transmission", "prise_en_charge", "rappel",
                                     NULL};

static bool instant_ok(struct call *c, const char *v)
{
    time_t t;

    (void)c;
    return cal_parse_instant(v, &t);
}

static const struct list_param filters[] = {
    {"level", levels, NULL, "invalid_enum", "level doit valoir warning ou breach.", 0},
    {"clock", clocks, NULL, "invalid_enum", "Horloge inconnue.", 0},
    {"since", NULL, instant_ok, "invalid_datetime",
     "since doit être un instant RFC 3339, par exemple 2026-11-23T09:00:00Z.", 0},
    {NULL}};

/* an alert says whose request is late: one row per alert, naming the dossier
 * or request it is about (SPEC §10) */
static const struct list alerts = {
    .params = filters,
    .sql = ALERTS_SQL_LIST(PAGE_SORT_US("a.fired_at"), PAGE_BEFORE("a.fired_at", "a.id"),
                           PAGE_NEWEST_FIRST("a.fired_at", "a.id")),
    .nparams = ALERTS_LIST_NPARAMS,
    .journal = LIST_JOURNAL_OBJECT,
};

void h_alerts_list(struct call *c, struct db *db)
{
    const char *since = call_query(c, "since");
    struct page p;
    time_t since_t;
    char since_s[32];
    const char *params[ALERTS_LIST_NPARAMS];

    if (!list_begin(c, &alerts, &p, params))
        return;
    params[ALERTS_LIST_LEVEL] = call_query(c, "level");
    params[ALERTS_LIST_CLOCK] = call_query(c, "clock");
    params[ALERTS_LIST_SINCE] = since != NULL && cal_parse_instant(since, &since_t)
                                    ? cal_format_instant(since_t, since_s)
                                    : NULL;
    list_scope(c, NULL, &params[ALERTS_LIST_ORG], &params[ALERTS_LIST_CAISSE]);
    list_end(c, db, &alerts, &p, params);
}
