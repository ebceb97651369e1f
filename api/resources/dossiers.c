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

#include "calendar.h"
#include "clock.h"
#include "csv.h"
#include "db.h"
#include "dossier_life.h"
#include "dossier_doc.h"
#include "dossier_valid.h"
#include "fielderr.h"
#include "organisation.h"
#include "secret_hash.h"
#include "uuidv.h"
#include "store/dossiers.h"
#include "core/auth.h"
#include "core/dbpool.h"
#include "support/audit.h"
#include "support/dossier_head.h"
#include "support/ingest.h"
#include "support/listing.h"
#include "support/paging.h"
#include "resources/handlers.h"

/* ---- POST /v1/dossiers --------------------------------------------------------- */

static bool wants_ame_first(const json_t *body)
{
    const char *p = json_str(body, "prestation");

    return p != NULL && strcmp(p, "ame") == 0 &&
           json_is_true(json_object_get(body, "first_request"));
}

/* The ingest path's Jansson values (the body's tree, the errors, the meta and
 * the 202 body) all stay with the call: its row (ROUTE_ARENA) has them made in
 * the call's arena, which goes with it (profile in docs/BENCHMARKS.md). */
void h_dossier_create(struct call *c)
{
    json_t *errors;
    struct stream_meta m = {0};
    const char *kind = json_str(c->org, "kind");
    bool habilitated = org_may_send_ame_first(kind ? kind : "",
                                              json_bool(c->org, "ame_habilitation", false));
    cal_date today = clock_today();
    bool transmit;

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
    m.is_dossier_create = true;
    snprintf(m.org_kind, sizeof(m.org_kind), "%s", kind ? kind : "");
    m.ame_habilitated = habilitated;
    m.has_received_on = transmit;
    m.received_on = today;
    {
        cal_date sent;
        bool has_sent = cal_parse(json_str(c->json, "deposited_on"), &sent);

        m.has_ame_deposit = deposit_ame_date(wants_ame_first(c->json), habilitated,
                                             has_sent ? &sent : NULL, today, &m.ame_deposit_on);
    }
    ingest_create(c, "dossier.create", "EP", "/v1/dossiers", dossier_initial_status(transmit), &m);
}

/* ---- GET /v1/dossiers/{id} ----------------------------------------------------- */

/* The dossier as known from its pending record in Redis, or NULL. */
static json_t *pending_doc(struct db *db, const void *arg, const char *id)
{
    struct stream_meta m;
    json_t *body, *doc = NULL;

    (void)arg;
    if (ingest_pending(db_redis(db), id, &m, &body) && m.kind[0] == '\0')
        doc = dossier_doc_pending(&m, body);
    json_decref(body);
    return doc;
}

/* The dossier from PostgreSQL (document_show's stored read). */
static json_t *stored_doc(struct db *db, const void *arg, const char *id, bool *failed)
{
    (void)arg;
    return dossiers_doc(db->pg, id, NULL, failed);
}

/* Append to out the document of res's row as the API shows it, from its
 * columns fields_col and deadlines_col (dossiers_read's, dossiers_list's), its
 * deadlines finished at the product's now: no tree of the document is made. */
static int doc_text(PGresult *res, int row, int fields_col, int deadlines_col,
                    struct text_buf *out)
{
    return dossier_doc_text(out, PQgetvalue(res, row, fields_col),
                            (size_t)PQgetlength(res, row, fields_col),
                            PQgetvalue(res, row, deadlines_col),
                            (size_t)PQgetlength(res, row, deadlines_col), clock_now(), &g_config);
}

/* c's reply: the JSON text t when ok (taken), else a 503 (memory ran out; t
 * freed). t is empty after. */
static void set_text_reply(struct call *c, struct text_buf *t, bool ok)
{
    if (ok) {
        call_set_raw_owned(c, 200, "application/json", t->s, t->len);
        *t = (struct text_buf){0};
    } else {
        call_set_problem(c, 503, "Service indisponible", "Mémoire insuffisante.", NULL);
        text_buf_free(t);
    }
}

/* A GET of a dossier PostgreSQL holds, served from its stored text
 * (dossiers_read): true when it was there (c's reply set: the document, a 404
 * out of the caller's scope, or a 503), false when not (yet). */
static bool stored_shown(struct call *c, struct db *db)
{
    PGresult *res = dossiers_read(db->pg, c->params[0]);
    struct text_buf t = {0};

    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return true;
    }
    if (PQntuples(res) != 1) {
        PQclear(res);
        return false;
    }
    if (!auth_in_scope(c, db_value(res, 0, READ_ORG), db_value(res, 0, READ_CAISSE))) {
        call_set_not_found(c);
    } else {
        audit_record(c, "read", "dossier", c->params[0]);
        set_text_reply(c, &t, doc_text(res, 0, READ_FIELDS, READ_DEADLINES, &t) == 0);
        c->etag_version = atoi(PQgetvalue(res, 0, READ_VERSION));
    }
    PQclear(res);
    return true;
}

/* From PostgreSQL as text; a dossier not (yet) there as document_show finds it:
 * from its pending record, or from PostgreSQL if the worker committed it
 * meanwhile. */
void h_dossier_get(struct call *c, struct db *db)
{
    if (!stored_shown(c, db))
        document_show(c, db, stored_doc, pending_doc, NULL, "dossier");
}

/* ---- GET /v1/dossiers, its CSV, GET /v1/dossiers/counts --------------------------- */

#define LIST_CSV_MAX 10000

/* A search by reference: 1 to 32 letters, digits and hyphens ("EP-20261201",
 * "000042"); matched anywhere in the reference, case-insensitively. */
static bool reference_query_valid(const char *q)
{
    size_t n = strlen(q);

    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((q[i] >= 'A' && q[i] <= 'Z') || (q[i] >= 'a' && q[i] <= 'z') ||
              (q[i] >= '0' && q[i] <= '9') || q[i] == '-'))
            return false;
    return true;
}

/* The filters of a list of dossiers, shared by the list, its CSV and the counts
 * so that the three always agree: dossiers_list's and dossiers_counts's filter
 * (store/dossiers.h) — status, prestation, overdue (now), org, caisse (scope),
 * reference search. */
struct dossier_filter {
    const char *params[DOSSIERS_FILTER_N];
    char now[40];
};

/* Read ?status (unless with_status is false: the counts are per status),
 * ?prestation, ?overdue, ?org and ?q into f, appending what is wrong to errors. */
static void filter_parse(struct call *c, struct dossier_filter *f, json_t *errors,
                         bool with_status)
{
    const char *status = with_status ? call_query(c, "status") : NULL;
    const char *prestation = call_query(c, "prestation");
    const char *overdue = call_query(c, "overdue");
    const char *org = call_query(c, "org");
    const char *q = call_query(c, "q");

    if (status != NULL && !dossier_status_known(status))
        fielderr_add(errors, "status", "invalid_enum", "Statut inconnu.");
    if (prestation != NULL && !dossier_prestation_valid(prestation))
        fielderr_add(errors, "prestation", "invalid_enum",
                     "prestation doit valoir puma, css ou ame.");
    if (overdue != NULL && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0)
        fielderr_add(errors, "overdue", "invalid_type", "overdue doit valoir true ou false.");
    if (org != NULL && !uuid_valid(org))
        fielderr_add(errors, "org", "invalid_format", "org doit être un identifiant UUID.");
    if (q != NULL && !reference_query_valid(q))
        fielderr_add(errors, "q", "invalid_format",
                     "q cherche une référence : de 1 à 32 lettres, chiffres ou tirets.");
    f->params[0] = status;
    f->params[1] = prestation;
    f->params[2] = (overdue != NULL && strcmp(overdue, "true") == 0)
                       ? db_ts(clock_now_us(), f->now, sizeof(f->now))
                       : NULL;
    /* scope: a partner sees its organisation, an instructor its caisse */
    f->params[3] = c->who.role == ROLE_PARTNER ? c->who.org : org;
    f->params[4] = c->who.role == ROLE_INSTRUCTOR ? c->who.caisse : NULL;
    f->params[5] = q;
}

static int listed_text(PGresult *res, int row, struct text_buf *out, void *arg)
{
    (void)arg;
    return doc_text(res, row, LIST_FIELDS, LIST_DEADLINES, out);
}

/* The deadline a row shows (of its finished deadlines): a breached clock, else
 * the running one due first. */
static const json_t *shown_deadline(const json_t *deadlines)
{
    const json_t *d, *best = NULL;
    size_t i;

    json_array_foreach(deadlines, i, d) {
        const char *state = json_str(d, "state");

        if (state != NULL && strcmp(state, "breached") == 0)
            return d;
        if (state != NULL && strcmp(state, "running") == 0 &&
            (best == NULL || strcmp(json_str(d, "due_at"), json_str(best, "due_at")) < 0))
            best = d;
    }
    return best;
}

struct list_csv {
    struct csv text;
};

static void list_csv_free(void *p)
{
    struct list_csv *x = p;

    csv_free(&x->text);
    free(x);
}

/* The CSV of the filtered list: no personal data (references, prestations,
 * partners, statuses, deadlines), so it is journaled as one export. */
static bool list_csv_of(PGresult *res, struct csv *b)
{
    csv_raw(b,
            "reference,prestation,organisation,statut,echeance,echeance_etat,echeance_due_at,"
            "received_on,decided_on\r\n",
            strlen("reference,prestation,organisation,statut,echeance,echeance_etat,"
                   "echeance_due_at,received_on,decided_on\r\n"));
    for (int i = 0; i < PQntuples(res); i++) {
        json_t *deadlines = db_json(res, i, LIST_DEADLINES);
        const json_t *dl;

        dossier_deadlines_finish(deadlines, clock_now(), &g_config);
        dl = shown_deadline(deadlines);
        csv_field(b, PQgetvalue(res, i, LIST_REFERENCE), true, false);
        csv_field(b, PQgetvalue(res, i, LIST_PRESTATION), true, false);
        csv_field(b, PQgetvalue(res, i, LIST_ORG_NAME), true, false);
        csv_field(b, PQgetvalue(res, i, LIST_STATUS), true, false);
        csv_field(b, dl ? json_str(dl, "clock") : "", true, false);
        csv_field(b, dl ? json_str(dl, "state") : "", true, false);
        csv_field(b, dl ? json_str(dl, "due_at") : "", true, false);
        csv_field(b, PQgetvalue(res, i, LIST_RECEIVED_ON), true, false);
        csv_field(b, PQgetvalue(res, i, LIST_DECIDED_ON), true, true);
        json_decref(deadlines);
    }
    return !b->failed;
}

static void send_list_csv(struct call *c)
{
    struct list_csv *x = c->ctx;

    evhttp_add_header(evhttp_request_get_output_headers(c->req), "Content-Disposition",
                      "attachment; filename=\"dossiers.csv\"");
    call_reply_raw(c, 200, "text/csv; charset=utf-8; header=present", x->text.data,
                   x->text.len);
}

static void dossier_list_db(struct call *c, struct db *db)
{
    struct page p;
    struct dossier_filter f;
    json_t *errors = json_array();
    const char *sort = call_query(c, "sort");
    bool by_due = sort != NULL && strcmp(sort, "due") == 0;
    struct list_csv *csv = c->ctx;
    char csv_limit[16];
    PGresult *res;

    page_parse(c, &p, errors, PAGE_KEY_UUID);
    filter_parse(c, &f, errors, true);
    if (sort != NULL && strcmp(sort, "due") != 0 && strcmp(sort, "created") != 0)
        fielderr_add(errors, "sort", "invalid_enum", "sort doit valoir created ou due.");
    if (json_array_size(errors) > 0) {
        call_set_problem(c, 422, "Requête invalide", "Paramètres de liste invalides.", errors);
        return;
    }
    json_decref(errors);
    if (csv != NULL) {
        /* the whole filtered list, in the list's order, from its first row */
        snprintf(csv_limit, sizeof(csv_limit), "%d", LIST_CSV_MAX + 1);
        res = dossiers_list(db->pg, f.params, by_due, NULL, NULL, csv_limit);
        if (res == NULL) {
            call_set_unavailable(c, "La base de données");
            return;
        }
        if (PQntuples(res) > LIST_CSV_MAX) {
            PQclear(res);
            call_set_problem(c, 422, "Export trop volumineux",
                             "Plus de 10 000 dossiers correspondent : affinez les filtres "
                             "(statut, prestation, partenaire) avant d'exporter.",
                             NULL);
            return;
        }
        if (!list_csv_of(res, &csv->text)) {
            PQclear(res);
            call_set_problem(c, 503, "Service indisponible", "Mémoire insuffisante.", NULL);
            return;
        }
        PQclear(res);
        audit_record(c, "export", "dossier", NULL);
        return; /* sent by send_list_csv on the HTTP thread */
    }
    res = dossiers_list(db->pg, f.params, by_due, page_ts_param(&p), page_key_param(&p),
                        page_limit_param(&p));
    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return;
    }
    {
        struct text_buf t = {0};
        bool ok = page_text(res, &p, LIST_SORT_US, LIST_ID, listed_text, NULL, &t) == 0;

        /* one row per dossier returned: whose data was read (SPEC §10) */
        if (ok)
            audit_record_rows(c, "list", "dossier", res, LIST_ID, page_shown(res, &p));
        set_text_reply(c, &t, ok);
    }
    PQclear(res);
}

void h_dossier_list(struct call *c)
{
    int csv = call_format(c);

    if (csv < 0)
        return;
    if (csv == 1) {
        struct list_csv *x = calloc(1, sizeof(*x));

        if (x == NULL) {
            call_reply_problem(c, 503, "Service indisponible", "Mémoire insuffisante.", NULL);
            return;
        }
        c->ctx = x;
        c->ctx_free = list_csv_free;
        call_then(c, send_list_csv); /* runs only when the job left no reply */
    }
    dbpool_submit(c, dossier_list_db);
}

/* GET /v1/dossiers/counts: how many dossiers of the scope are in each status
 * under the list's other filters (the tabs of "Dossiers à instruire"), and how
 * many of them are late. Counts only: nothing personal, nothing journaled. */
void h_dossier_counts(struct call *c, struct db *db)
{
    struct dossier_filter f;
    json_t *errors = json_array();
    json_t *by_status;
    char now[40];
    PGresult *res;

    filter_parse(c, &f, errors, false);
    if (json_array_size(errors) > 0) {
        call_set_problem(c, 422, "Requête invalide", "Paramètres invalides.", errors);
        return;
    }
    json_decref(errors);
    res = dossiers_counts(db->pg, f.params, db_ts(clock_now_us(), now, sizeof(now)));
    by_status = json_object();
    for (size_t i = 0; i < DOSSIER_STATUS_COUNT; i++)
        json_object_set_new(by_status, dossier_statuses[i], json_integer(0));
    list_counts(c, res, by_status);
}

