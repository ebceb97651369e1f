/*
 * alerts.c — GET /v1/alerts?level=&clock=&since= (SPEC §6): the warnings and
 * breaches raised by the scanner, scoped like the objects they name, newest
 * first, with keyset pagination. Each alert's object carries the reference of
 * the request it is about (object.reference), for the lists that show it.
 */
#include <string.h>

#include "calendar.h"
#include "db.h"
#include "fielderr.h"
#include "core/dbpool.h"
#include "support/audit.h"
#include "support/paging.h"
#include "resources/handlers.h"

static bool one_of(const char *s, const char *const *set)
{
    for (; *set != NULL; set++)
        if (strcmp(s, *set) == 0)
            return true;
    return false;
}

void h_alerts_list(struct call *c, struct db *db)
{
    static const char *const levels[] = {"warning", "breach", NULL};
    static const char *const clocks[] = {"instruction", "transmission", "prise_en_charge",
                                         "rappel", NULL};
    const char *level = call_query(c, "level");
    const char *clk = call_query(c, "clock");
    const char *since = call_query(c, "since");
    json_t *errors = json_array();
    struct page p;
    time_t since_t;
    char since_s[32];
    const char *params[8];
    PGresult *res;

    page_parse(c, &p, errors, PAGE_KEY_UUID);
    if (level != NULL && !one_of(level, levels))
        fielderr_add(errors, "level", "invalid_enum", "level doit valoir warning ou breach.");
    if (clk != NULL && !one_of(clk, clocks))
        fielderr_add(errors, "clock", "invalid_enum", "Horloge inconnue.");
    if (since != NULL && !cal_parse_instant(since, &since_t))
        fielderr_add(errors, "since", "invalid_datetime",
                     "since doit être un instant RFC 3339, par exemple 2026-11-23T09:00:00Z.");
    if (json_array_size(errors) > 0) {
        call_set_problem(c, 422, "Requête invalide", "Paramètres de liste invalides.", errors);
        return;
    }
    json_decref(errors);
    params[0] = page_ts_param(&p);
    params[1] = page_key_param(&p);
    params[2] = page_limit_param(&p);
    params[3] = level;
    params[4] = clk;
    params[5] = since ? cal_format_instant(since_t, since_s) : NULL;
    params[6] = c->who.role == ROLE_PARTNER ? c->who.org : NULL;
    params[7] = c->who.role == ROLE_INSTRUCTOR ? c->who.caisse : NULL;
    res = db_exec(db->pg,
                  /* the object's reference, so that a list can name and link it */
                  "SELECT jsonb_set(epart_alert_doc(a), '{object,reference}', "
                  "         COALESCE(to_jsonb(COALESCE((SELECT d.reference FROM dossiers d "
                  "                                     WHERE d.id = a.object_id), "
                  "                                    (SELECT r.reference FROM requests r "
                  "                                     WHERE r.id = a.object_id))), "
                  "                  'null'::jsonb))::text, "
                  "       (extract(epoch FROM a.fired_at) * 1000000)::bigint, a.id "
                  "FROM alerts a "
                  "WHERE ($1::bigint IS NULL OR (a.fired_at, a.id) < "
                  "       (timestamptz 'epoch' + $1::bigint * interval '1 microsecond', $2::uuid)) "
                  "AND ($4::text IS NULL OR a.level = $4) "
                  "AND ($5::text IS NULL OR a.clock = $5) "
                  "AND ($6::timestamptz IS NULL OR a.fired_at >= $6) "
                  "AND ($7::uuid IS NULL OR a.org_id = $7) "
                  "AND ($8::text IS NULL OR a.caisse = $8) "
                  "ORDER BY a.fired_at DESC, a.id DESC LIMIT $3",
                  8, params);
    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return;
    }
    {
        json_t *page = page_result(res, &p, 0, 1, 2, NULL, NULL);

        /* an alert says whose request is late: one row per alert, naming the
         * dossier or request it is about (SPEC §10) */
        audit_record_items(c, "list", NULL, json_object_get(page, "items"));
        call_set_json(c, 200, page);
    }
    PQclear(res);
}

