/*
 * dossier_actions.c — the partner's writes on an existing dossier, which go
 * through the queue like the dossier itself (SPEC §4): POST /transmit (a deposit
 * sent on to the caisse), POST /pieces (the answer to a request_pieces) and
 * POST /messages; and the reads that go with them: GET /messages and the
 * printable GET /attestation-depot.
 *
 * A write the dossier's status forbids is refused with 409 before anything is
 * queued. Each write first runs on a database thread (the row's phases: scope,
 * body, fields; then the key and the status), then returns to its HTTP thread
 * to be queued. Its Idempotency-Key is looked up
 * before the status (SPEC §2): a /transmit retried after the worker applied it
 * gets its first 202 again, not a 409.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "clock.h"
#include "db.h"
#include "dossier_doc.h"
#include "dossier_labels.h"
#include "dossier_life.h"
#include "dossier_valid.h"
#include "fielderr.h"
#include "html.h"
#include "secret_hash.h"
#include "uuidv.h"
#include "store/dossier_attestation.h"
#include "store/dossier_messages.h"
#include "core/dbpool.h"
#include "core/dispatch.h"
#include "support/audit.h"
#include "support/dossier_head.h"
#include "core/idempotency.h"
#include "support/ingest.h"
#include "support/paging.h"
#include "resources/handlers.h"

/* What a queued write needs once its checks passed on the database thread. */
struct queued {
    const char *type;                /* entry type */
    const struct dossier_action *act; /* its action in the dossier's life, or NULL
                                      * (a message changes no status) */
    int (*validate)(const json_t *body, json_t *errors);
    struct dossier_head head;
};

/* .load of a partner's write: the dossier in the caller's scope (queued or
 * stored), its head kept in the call's struct queued. */
bool h_dossier_write_load(struct call *c, struct db *db)
{
    struct queued *q = c->ctx;

    return dossier_head_load(c, db, false, &q->head) > 0;
}

/* .check of a partner's write: its body, never recorded under its key. */
bool h_dossier_write_check(struct call *c, struct db *db)
{
    struct queued *q = c->ctx;
    json_t *errors = json_array();

    if (q->validate(c->json, errors) > 0) {
        idem_set_invalid(c, db_redis(db), errors);
        return false;
    }
    json_decref(errors);
    return true;
}

/* The key, If-Match and the status, on the database thread; the write is then
 * queued back on the HTTP thread (enqueue). The ingest script records the key
 * (idem_lookup here, no ROUTE_IDEM), and a malformed If-Match comes after
 * that lookup, as in the other writes (ROUTE_IF_MATCH's place). */
void h_dossier_write_db(struct call *c, struct db *db)
{
    struct queued *q = c->ctx;
    int if_match;

    if (idem_lookup(c, db))
        return;
    if (!call_if_match_ok(c, &if_match))
        return;
    if (if_match > 0 && if_match != q->head.version) {
        call_set_stale(c, "Le dossier a changé depuis la version indiquée par If-Match ; "
                       "relisez-le.");
        return;
    }
    if (q->act != NULL && !dossier_action_allowed(q->act, q->head.status)) {
        char detail[200];

        snprintf(detail, sizeof(detail),
                 "Le dossier est au statut « %s » : cette action demande le statut « %s ».",
                 q->head.status, q->act->from[0]);
        call_set_problem(c, 409, "Action impossible dans ce statut", detail, NULL);
        return;
    }
}

/* Back on the HTTP thread: queue the write. */
static void enqueue(struct call *c)
{
    struct queued *q = c->ctx;
    char message_id[37], at[32], location[256];
    struct stream_meta m = {0};
    json_t *resp;
    struct ingest_req r;

    if (!uuid_v4(message_id) ||
        !ingest_meta_init(c, &m, c->params[0], q->head.org, q->head.caisse)) {
        call_reply_problem(c, 503, "Service indisponible", "Aléa indisponible.", NULL);
        return;
    }
    cal_format_instant((time_t)(m.received_at_us / 1000000), at);
    if (strcmp(q->type, "dossier.message") == 0) {
        snprintf(m.message_id, sizeof(m.message_id), "%s", message_id);
        snprintf(location, sizeof(location), "/v1/dossiers/%s/messages/%s", c->params[0],
                 message_id);
        resp = json_pack("{s:s, s:s, s:s, s:s}", "id", message_id, "dossier", c->params[0],
                         "status", "recu", "sent_at", at);
    } else {
        snprintf(location, sizeof(location), "/v1/dossiers/%s", c->params[0]);
        resp = json_pack("{s:s, s:s, s:s, s:s}", "id", c->params[0], "reference",
                         q->head.reference, "status", dossier_action_to(q->act, false),
                         "received_at", at);
    }
    memset(&r, 0, sizeof(r));
    r.type = q->type;
    r.location = location;
    r.object_id = c->params[0];
    ingest_queue(c, &r, stream_meta_build(&m), resp);
}

static int validate_nothing(const json_t *body, json_t *errors)
{
    const char *key;
    json_t *v;
    int n = 0;

    json_object_foreach((json_t *)body, key, v) {
        char field[140];

        snprintf(field, sizeof(field), "%.128s", key);
        fielderr_add(errors, field, "unknown_field", "Champ inconnu.");
        n++;
    }
    return n;
}

/* A partner's write on a dossier as its route's row names it (.arg). */
struct dossier_write {
    const char *type;       /* entry type (its action: dossier_life.h) */
    int (*validate)(const json_t *body, json_t *errors);
    bool empty_body_ok;     /* no body stands for {} */
};

/* /transmit carries nothing: an empty body is allowed */
const struct dossier_write dossier_transmit = {"dossier.transmit", validate_nothing, true};
const struct dossier_write dossier_pieces = {"dossier.pieces", dossier_validate_pieces_body,
                                             false};
const struct dossier_write dossier_message = {"dossier.message", dossier_validate_message,
                                              false};

/* On the HTTP thread, first: who may take the action (403), the write's
 * struct queued in c->ctx, then the row's phases and h_dossier_write_db on a
 * database thread (dispatch_db), and enqueue back here. */
void h_dossier_write(struct call *c)
{
    const struct dossier_write *w = c->route->arg;
    struct queued *q;

    if (!dossier_role_may(c, dossier_action_of_entry(w->type))) {
        call_reply_prepared(c);
        return;
    }
    /* an empty body stands for {} (the key's hash is that of "{}" either way) */
    if (w->empty_body_ok && c->body_len == 0) {
        free(c->body);
        c->body = strdup("{}");
        c->body_len = 2;
        if (call_header(c, "Content-Type") == NULL)
            evhttp_add_header(evhttp_request_get_input_headers(c->req), "Content-Type",
                              "application/json");
    }
    q = calloc(1, sizeof(*q));
    if (q == NULL) {
        call_reply_problem(c, 503, "Service indisponible", "Mémoire insuffisante.", NULL);
        return;
    }
    q->type = w->type;
    q->act = dossier_action_of_entry(w->type);
    q->validate = w->validate;
    c->ctx = q;
    c->ctx_free = free;
    call_then(c, enqueue);
    dispatch_db(c);
}

/* ---- GET /v1/dossiers/{id}/messages[/{mid}], /attestation-depot ------------------ */

/* .load of the reads of a dossier's messages and of its attestation: the
 * dossier in the caller's scope (queued or stored), else 404. */
bool h_dossier_found(struct call *c, struct db *db)
{
    struct dossier_head head;

    return dossier_head_load(c, db, false, &head) > 0;
}

void h_message_list(struct call *c, struct db *db)
{
    struct page p;
    json_t *errors = json_array();
    PGresult *res;

    if (!page_parse(c, &p, errors, PAGE_KEY_UUID)) {
        call_set_problem(c, 422, "Requête invalide", "Paramètres de liste invalides.", errors);
        return;
    }
    json_decref(errors);
    res = dossier_messages_page(db->pg, c->params[0], page_ts_param(&p), page_key_param(&p),
                                page_limit_param(&p));
    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return;
    }
    {
        json_t *page = page_result(res, &p, 0, 1, 2, NULL, NULL);

        /* the dossier's conversation was read, and each message returned */
        audit_record(c, "read", "dossier_messages", c->params[0]);
        audit_record_items(c, "list", "dossier_message", json_object_get(page, "items"));
        call_set_json(c, 200, page);
    }
    PQclear(res);
}

void h_message_get(struct call *c, struct db *db)
{
    PGresult *res;

    if (!uuid_valid(c->params[1])) {
        call_set_not_found(c);
        return;
    }
    audit_record(c, "read", "dossier_messages", c->params[0]);
    res = dossier_messages_get(db->pg, c->params[0], c->params[1]);
    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return;
    }
    if (PQntuples(res) == 1)
        call_set_json(c, 200, db_json(res, 0, 0));
    else
        call_set_not_found(c);
    PQclear(res);
}

/* ---- GET /v1/dossiers/{id}/attestation-depot ----------------------------------------- */

/* The page is read by people and printed: French words, dates as DD/MM/YYYY.
 * It carries no style sheet and no script, so that it shows the same wherever
 * it is opened — from the API, or from a page of the application, which opens
 * it from memory under its own Content-Security-Policy (no inline style, no
 * inline script): the person prints it with the browser. */

static void add_row(char **b, size_t *n, size_t *cap, const char *label, const char *value)
{
    html_append(b, n, cap, "<tr><th scope=\"row\" align=\"left\">");
    html_append(b, n, cap, label);
    html_append(b, n, cap, "</th><td>");
    html_append_escaped(b, n, cap, value ? value : "—");
    html_append(b, n, cap, "</td></tr>\n");
}

/* "2026-11-20" (or an instant "2026-11-20T…") → "20/11/2026"; anything else as is. */
static const char *french_date(const char *iso, char out[11])
{
    if (iso == NULL || strlen(iso) < 10 || iso[4] != '-' || iso[7] != '-')
        return iso;
    snprintf(out, 11, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
    return out;
}

void h_attestation(struct call *c, struct db *db)
{
    PGresult *res;
    json_t *doc = NULL, *applicant, *pieces, *p;
    char *html = NULL, names[512] = "", birth[11], deposit_fr[11];
    size_t n = 0, cap = 0, i;
    const char *deposit;
    char org_name[256] = "";

    switch (dossier_attestation_read(db->pg, c->params[0], &res)) {
    case -1:
        call_set_unavailable(c, "La base de données");
        return;
    case 1:
        doc = db_json(res, 0, ATTESTATION_DOC);
        snprintf(org_name, sizeof(org_name), "%s", PQgetvalue(res, 0, ATTESTATION_ORG_NAME));
        PQclear(res);
        break;
    }
    if (doc == NULL) {
        call_set_problem(c, 409, "Dossier en cours d'enregistrement",
                         "Le dépôt vient d'être reçu ; l'attestation sera disponible dans un "
                         "instant.",
                         NULL);
        c->retry_after = 1;
        return;
    }
    applicant = json_object_get(doc, "applicant");
    json_array_foreach(json_object_get(applicant, "first_names"), i, p) {
        size_t len = strlen(names);

        snprintf(names + len, sizeof(names) - len, "%s%s", len ? " " : "",
                 json_string_value(p) ? json_string_value(p) : "");
    }
    deposit = json_str(doc, "deposit_date");
    if (deposit == NULL)
        deposit = json_str(doc, "deposited_on");
    if (deposit == NULL)
        deposit = json_str(doc, "created_at");
    html_append(&html, &n, &cap,
                "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                "<title>Attestation de dépôt</title></head><body>\n"
                "<h1>Attestation de dépôt d'une demande</h1>\n<table cellpadding=\"4\">\n");
    add_row(&html, &n, &cap, "Référence", json_str(doc, "reference"));
    add_row(&html, &n, &cap, "Nom", json_str(applicant, "last_name"));
    add_row(&html, &n, &cap, "Prénom(s)", names);
    add_row(&html, &n, &cap, "Date de naissance",
            french_date(json_str(applicant, "birth_date"), birth));
    add_row(&html, &n, &cap, "Prestation", dossier_prestation_label(json_str(doc, "prestation")));
    add_row(&html, &n, &cap, "Organisation", org_name);
    add_row(&html, &n, &cap, "Date de dépôt", french_date(deposit, deposit_fr));
    add_row(&html, &n, &cap, "Statut", dossier_status_label(json_str(doc, "status")));
    html_append(&html, &n, &cap, "</table>\n<h2>Pièces déposées</h2>\n<ul>\n");
    pieces = json_object_get(doc, "pieces");
    json_array_foreach(pieces, i, p) {
        html_append(&html, &n, &cap, "<li>");
        html_append_escaped(&html, &n, &cap, dossier_piece_label(json_str(p, "kind")));
        html_append(&html, &n, &cap, " — ");
        html_append_escaped(&html, &n, &cap,
                            json_str(p, "filename") ? json_str(p, "filename") : "");
        html_append(&html, &n, &cap, "</li>\n");
    }
    if (json_array_size(pieces) == 0)
        html_append(&html, &n, &cap, "<li>Aucune pièce</li>\n");
    html_append(&html, &n, &cap,
                "</ul>\n<p>La date de dépôt ci-dessus est celle retenue pour l'ouverture des "
                "droits.</p>\n</body></html>\n");
    json_decref(doc);
    if (html == NULL) {
        call_set_problem(c, 503, "Service indisponible", "Mémoire insuffisante.", NULL);
        return;
    }
    call_set_raw(c, 200, "text/html; charset=utf-8", html, n);
    free(html);
    audit_record(c, "read", "attestation_depot", c->params[0]);
}

