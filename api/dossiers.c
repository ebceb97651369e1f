/*
 * dossiers.c — POST /v1/dossiers (the ingest path), GET /v1/dossiers/{id} and
 * GET /v1/dossiers (SPEC §4).
 *
 * POST never touches PostgreSQL: the token, the organisation (orgcache), its
 * convention and habilitation, the body and the Idempotency-Key are all checked
 * on the HTTP thread or in Redis, and the dossier is queued (ingest.h). GET
 * reads PostgreSQL on a database thread and, for a dossier accepted but not yet
 * persisted by a worker, the pending record kept in Redis, so that an id just
 * returned by a 202 is never a 404.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "calendar.h"
#include "clock.h"
#include "db.h"
#include "dbpool.h"
#include "dossier_doc.h"
#include "dossier_head.h"
#include "dossier_valid.h"
#include "fielderr.h"
#include "handlers.h"
#include "ingest.h"
#include "organisation.h"
#include "paging.h"
#include "secret_hash.h"
#include "uuidv.h"

/* ---- POST /v1/dossiers --------------------------------------------------------- */

static bool wants_ame_first(const json_t *body)
{
    const char *p = json_str(body, "prestation");

    return p != NULL && strcmp(p, "ame") == 0 &&
           json_is_true(json_object_get(body, "first_request"));
}

void h_dossier_create(struct call *c)
{
    json_t *errors, *ame_deposit;
    const char *kind = json_str(c->org, "kind");
    bool habilitated = org_may_send_ame_first(kind ? kind : "",
                                              json_bool(c->org, "ame_habilitation", false));
    cal_date today = clock_today();
    char today_s[CAL_DATE_LEN];
    bool transmit;

    if (!call_parse_json_body(c)) {
        call_reply_prepared(c);
        return;
    }
    if (wants_ame_first(c->json) && !habilitated) {
        call_reply_problem(c, 403, "Organisation non habilitée",
                           "Seules les organisations habilitées (PASS, établissements de santé, "
                           "France Services habilitées) peuvent déposer une première demande "
                           "d'AME.",
                           NULL);
        return;
    }
    errors = json_array();
    if (dossier_validate(c->json, today, errors) > 0) {
        ingest_reply_invalid(c, errors);
        return;
    }
    json_decref(errors);
    transmit = json_bool(c->json, "transmit", true);
    cal_format(today, today_s);
    /* SPEC §4: the partner's deposit date counts only for an AME first request
     * from a habilitated organisation (the 8-day transmission clock) */
    if (wants_ame_first(c->json) && habilitated) {
        const char *dep = json_str(c->json, "deposited_on");

        ame_deposit = json_string(dep ? dep : today_s);
    } else {
        ame_deposit = json_null();
    }
    ingest_create(c, "dossier.create", "EP", "/v1/dossiers", transmit ? "recu" : "depose",
                  json_pack("{s:s, s:b, s:o, s:o}", "org_kind", kind ? kind : "",
                            "ame_habilitated", habilitated, "received_on",
                            transmit ? json_string(today_s) : json_null(), "ame_deposit_on",
                            ame_deposit));
}

/* ---- GET /v1/dossiers/{id} ----------------------------------------------------- */

/* The dossier as known from its pending record in Redis, or NULL. */
static json_t *pending_doc(struct db *db, const char *id)
{
    json_t *body, *meta = ingest_pending(db_redis(db), id, &body);
    json_t *doc = NULL;

    if (meta != NULL && json_str(meta, "kind") == NULL)
        doc = dossier_doc_pending(meta, body);
    json_decref(meta);
    json_decref(body);
    return doc;
}

/* The dossier from PostgreSQL: a document, NULL when absent; sets the reply to
 * 503 and returns NULL on failure (*failed). */
static json_t *persisted_doc(struct call *c, struct db *db, bool *failed)
{
    const char *params[1] = {c->params[0]};
    json_t *doc = db_fetch_json(db->pg,
                                "SELECT epart_dossier_doc(d, true)::text FROM dossiers d "
                                "WHERE d.id = $1",
                                1, params, failed);

    if (*failed)
        call_set_unavailable(c, "La base de données");
    return doc;
}

static void dossier_get_db(struct call *c, struct db *db)
{
    bool failed;
    json_t *doc = persisted_doc(c, db, &failed);

    if (failed)
        return;
    if (doc == NULL)
        doc = pending_doc(db, c->params[0]);
    /* The worker drops the pending record only after its commit: when both
     * reads missed, the commit happened between them and PostgreSQL has it. */
    if (doc == NULL) {
        doc = persisted_doc(c, db, &failed);
        if (failed)
            return;
    }
    if (doc == NULL || !auth_in_scope(c, json_str(doc, "org"), json_str(doc, "caisse"))) {
        json_decref(doc);
        call_set_not_found(c);
        return;
    }
    audit_record(c, "read", "dossier", c->params[0]);
    call_set_document(c, doc);
}

void h_dossier_get(struct call *c)
{
    if (!uuid_valid(c->params[0])) {
        call_set_not_found(c);
        call_reply_prepared(c);
        return;
    }
    dbpool_submit(c, dossier_get_db);
}

/* ---- GET /v1/dossiers ------------------------------------------------------------ */

static void fix_listed(json_t *doc, void *arg)
{
    (void)arg;
    dossier_doc_finish(doc, clock_now());
}

static void dossier_list_db(struct call *c, struct db *db)
{
    struct page p;
    json_t *errors = json_array();
    const char *status = call_query(c, "status");
    const char *prestation = call_query(c, "prestation");
    const char *overdue = call_query(c, "overdue");
    const char *sort = call_query(c, "sort");
    const char *org = call_query(c, "org");
    bool by_due = sort != NULL && strcmp(sort, "due") == 0;
    char now[40];
    const char *params[8];
    PGresult *res;

    page_parse(c, &p, errors, PAGE_KEY_UUID);
    if (status != NULL && !dossier_status_valid(status))
        fielderr_add(errors, "status", "invalid_enum", "Statut inconnu.");
    if (prestation != NULL && !dossier_prestation_valid(prestation))
        fielderr_add(errors, "prestation", "invalid_enum",
                     "prestation doit valoir puma, css ou ame.");
    if (overdue != NULL && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0)
        fielderr_add(errors, "overdue", "invalid_type", "overdue doit valoir true ou false.");
    if (sort != NULL && strcmp(sort, "due") != 0 && strcmp(sort, "created") != 0)
        fielderr_add(errors, "sort", "invalid_enum", "sort doit valoir created ou due.");
    if (org != NULL && !uuid_valid(org))
        fielderr_add(errors, "org", "invalid_format", "org doit être un identifiant UUID.");
    if (json_array_size(errors) > 0) {
        call_set_problem(c, 422, "Requête invalide", "Paramètres de liste invalides.", errors);
        return;
    }
    json_decref(errors);
    params[0] = page_ts_param(&p);
    params[1] = page_key_param(&p);
    params[2] = page_limit_param(&p);
    params[3] = status;
    params[4] = prestation;
    params[5] = (overdue != NULL && strcmp(overdue, "true") == 0)
                    ? db_ts(clock_now_us(), now, sizeof(now))
                    : NULL;
    /* scope: a partner sees its organisation, an instructor its caisse */
    params[6] = c->who.role == ROLE_PARTNER ? c->who.org : org;
    params[7] = c->who.role == ROLE_INSTRUCTOR ? c->who.caisse : NULL;
    if (!by_due) {
        res = db_exec(
            db->pg,
            "SELECT epart_dossier_doc(d, false)::text, "
            "       (extract(epoch FROM d.created_at) * 1000000)::bigint, d.id "
            "FROM dossiers d "
            "WHERE ($1::bigint IS NULL OR (d.created_at, d.id) < "
            "       (timestamptz 'epoch' + $1::bigint * interval '1 microsecond', $2::uuid)) "
            "AND ($4::text IS NULL OR d.status = $4) "
            "AND ($5::text IS NULL OR d.prestation = $5) "
            "AND ($6::timestamptz IS NULL OR EXISTS (SELECT 1 FROM echeances x "
            "     WHERE x.object_type = 'dossier' AND x.object_id = d.id AND "
            "     ((x.stopped_at IS NULL AND x.suspended_on IS NULL AND x.due_at <= $6) "
            "      OR x.stopped_at >= x.due_at))) "
            "AND ($7::uuid IS NULL OR d.org_id = $7) "
            "AND ($8::text IS NULL OR d.caisse = $8) "
            "ORDER BY d.created_at DESC, d.id DESC LIMIT $3",
            8, params);
    } else {
        /* oldest instruction due first; dossiers without a running clock last */
        res = db_exec(
            db->pg,
            "SELECT epart_dossier_doc(d, false)::text, "
            "       (extract(epoch FROM k.due) * 1000000)::bigint, d.id "
            "FROM dossiers d "
            "CROSS JOIN LATERAL (SELECT COALESCE((SELECT x.due_at FROM echeances x "
            "     WHERE x.object_type = 'dossier' AND x.object_id = d.id "
            "     AND x.clock = 'instruction'), timestamptz '9999-12-31T00:00:00Z') AS due) k "
            "WHERE ($1::bigint IS NULL OR (k.due, d.id) > "
            "       (timestamptz 'epoch' + $1::bigint * interval '1 microsecond', $2::uuid)) "
            "AND ($4::text IS NULL OR d.status = $4) "
            "AND ($5::text IS NULL OR d.prestation = $5) "
            "AND ($6::timestamptz IS NULL OR EXISTS (SELECT 1 FROM echeances x "
            "     WHERE x.object_type = 'dossier' AND x.object_id = d.id AND "
            "     ((x.stopped_at IS NULL AND x.suspended_on IS NULL AND x.due_at <= $6) "
            "      OR x.stopped_at >= x.due_at))) "
            "AND ($7::uuid IS NULL OR d.org_id = $7) "
            "AND ($8::text IS NULL OR d.caisse = $8) "
            "ORDER BY k.due ASC, d.id ASC LIMIT $3",
            8, params);
    }
    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return;
    }
    {
        json_t *page = page_result(res, &p, 0, 1, 2, fix_listed, NULL);

        /* one row per dossier returned: whose data was read (SPEC §10) */
        audit_record_items(c, "list", "dossier", json_object_get(page, "items"));
        call_set_json(c, 200, page);
    }
    PQclear(res);
}

void h_dossier_list(struct call *c)
{
    dbpool_submit(c, dossier_list_db);
}
