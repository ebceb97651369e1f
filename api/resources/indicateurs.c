/*
 * indicateurs.c — GET /v1/indicateurs?from=&to=&org= (SPEC §9): the indicators
 * the partners and the caisse review at their COPIL (annexe « Suivi des
 * indicateurs » of the conventions, article 5 of the PASS de ville model
 * convention): dossiers transmitted and their split by prestation, the
 * orientations to the Mission accompagnement santé (signalements) and their
 * outcomes, the AME first requests (volume, transmission delay, outcome,
 * rights-opening delay), the rights-opening delay of PUMa and CSS, and the
 * deadlines met and breached per clock — for the caller's whole scope and per
 * organisation. JSON by default; CSV with Accept: text/csv (or ?format=csv).
 *
 * Scope: an admin sees every organisation, an instructor those attached to its
 * caisse, a partner its own only. ?org= narrows to one organisation; an
 * organisation outside the caller's scope (a partner asking for another one
 * included) is a 404, as any id outside the scope is (SPEC §2).
 *
 * Everything is computed by PostgreSQL in one statement, store/indicateurs.h's
 * (the totals are always the sum of the organisations' counts); this file
 * shapes its rows into the answer and the CSV. The definitions of each figure
 * are in docs/indicateurs.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calendar.h"
#include "clock.h"
#include "csv.h"
#include "db.h"
#include "fielderr.h"
#include "uuidv.h"
#include "store/indicateurs.h"
#include "core/dbpool.h"
#include "support/audit.h"
#include "resources/handlers.h"

/* The figures in the order of the CSV, with their French label (the words of
 * the annexe « Suivi des indicateurs »). */
struct indicator {
    const char *path;
    const char *label;
};

#define DELAY_ROWS(p, what)                                                                   \
    {p ".n", what " : nombre de dossiers mesurés"}, {p ".mean", what " : moyenne (jours)"},   \
        {p ".median", what " : médiane (jours)"}, {p ".p90", what " : 90e centile (jours)"}

#define DEADLINE_ROWS(clk, what)                                                              \
    {"deadlines." clk ".met", what " respectées"}, {"deadlines." clk ".breached", what " dépassées"}

static const struct indicator indicators[] = {
    {"dossiers_transmitted.total", "Dossiers de demande transmis à la caisse"},
    {"dossiers_transmitted.puma", "Dossiers transmis : PUMa"},
    {"dossiers_transmitted.css", "Dossiers transmis : Complémentaire santé solidaire"},
    {"dossiers_transmitted.ame", "Dossiers transmis : AME"},
    {"signalements.received", "Orientations vers la Mission accompagnement santé"},
    {"signalements.by_status.recu", "Orientations MisAS : reçues, non encore prises en charge"},
    {"signalements.by_status.pris_en_charge", "Orientations MisAS : prises en charge"},
    {"signalements.by_status.en_cours", "Orientations MisAS : accompagnement en cours"},
    {"signalements.by_status.soins_realises", "Orientations MisAS : soins réalisés"},
    {"signalements.by_status.non_pertinent", "Orientations MisAS : non pertinentes"},
    {"signalements.by_status.abandon", "Orientations MisAS : abandons"},
    {"ame_first_requests.transmitted", "Primo-demandes d'AME transmises à la caisse"},
    DELAY_ROWS("ame_first_requests.transmission_delay_days",
               "Primo-demandes d'AME, délai de transmission à la CPAM"),
    {"ame_first_requests.outcomes.accord", "Primo-demandes d'AME : accords"},
    {"ame_first_requests.outcomes.refus", "Primo-demandes d'AME : refus"},
    {"ame_first_requests.outcomes.pieces_demandees",
     "Primo-demandes d'AME : demandes de pièces complémentaires"},
    {"ame_first_requests.outcomes.sans_suite", "Primo-demandes d'AME : classées sans suite"},
    {"ame_first_requests.outcomes.pending", "Primo-demandes d'AME : en cours d'instruction"},
    DELAY_ROWS("ame_first_requests.rights_opening_delay_days",
               "Primo-demandes d'AME, délai d'ouverture des droits"),
    DELAY_ROWS("rights_opening_delay_days.puma", "PUMa, délai d'ouverture des droits"),
    DELAY_ROWS("rights_opening_delay_days.css",
               "Complémentaire santé solidaire, délai d'ouverture des droits"),
    DEADLINE_ROWS("instruction", "Échéances d'instruction (30 jours)"),
    DEADLINE_ROWS("transmission", "Échéances de transmission AME (8 jours)"),
    DEADLINE_ROWS("prise_en_charge", "Échéances de prise en charge MisAS (48 heures)"),
    DEADLINE_ROWS("rappel", "Échéances de rappel des rendez-vous (24 heures)"),
};

/* What the HTTP thread learned before the database job, and the CSV the job
 * leaves for it (sent from the HTTP thread, which alone may add headers). */
struct ind_ctx {
    bool csv;
    char *text;
    size_t len;
    char filename[80];
};

static void ind_ctx_free(void *p)
{
    struct ind_ctx *x = p;

    free(x->text);
    free(x);
}

/* ---- CSV (RFC 4180, common/csv.h) ------------------------------------------------ */

/* The member at a dotted path of doc, or NULL. */
static const json_t *at_path(const json_t *doc, const char *path)
{
    char key[64];

    while (doc != NULL && *path != '\0') {
        size_t n = strcspn(path, ".");

        if (n >= sizeof(key))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        doc = json_object_get(doc, key);
        path += n + (path[n] == '.');
    }
    return doc;
}

static void csv_rows(struct csv *b, const char *id, const char *name, const json_t *ind)
{
    for (size_t i = 0; i < sizeof(indicators) / sizeof(indicators[0]); i++) {
        const json_t *v = at_path(ind, indicators[i].path);
        char num[40] = "";

        if (json_is_integer(v))
            snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
        else if (json_is_real(v))
            snprintf(num, sizeof(num), "%.12g", json_real_value(v));
        csv_field(b, id, false, false);
        csv_field(b, name, true, false);
        csv_field(b, indicators[i].path, false, false);
        csv_field(b, indicators[i].label, true, false);
        csv_field(b, num, false, true);
    }
}

static bool csv_of(const json_t *doc, struct ind_ctx *x)
{
    struct csv b = {NULL, 0, 0, false};
    size_t i;
    const json_t *o;

    csv_raw(&b, "org_id,org_name,indicator,label,value\r\n", 39);
    csv_rows(&b, "total", "Total", json_object_get(doc, "total"));
    json_array_foreach(json_object_get(doc, "organisations"), i, o) {
        const char *name = json_str(o, "name");

        csv_rows(&b, json_str(o, "id") ? json_str(o, "id") : "", name ? name : "",
                 json_object_get(o, "indicators"));
    }
    if (b.failed) {
        free(b.data);
        return false;
    }
    x->text = b.data;
    x->len = b.len;
    return true;
}

/* ---- the period -------------------------------------------------------------------- */

/* Read ?from and ?to (inclusive calendar dates). Defaults: to = today, from =
 * the day after to - 12 months, so that the default period is the last twelve
 * months, today included. */
static void parse_period(struct call *c, cal_date *from, cal_date *to, json_t *errors)
{
    const char *f = call_query(c, "from");
    const char *t = call_query(c, "to");
    bool ok_from = true, ok_to = true;

    *to = clock_today();
    if (t != NULL && !(ok_to = cal_parse(t, to)))
        fielderr_add(errors, "to", "invalid_date",
                     "to doit être une date AAAA-MM-JJ, par exemple 2026-11-23.");
    *from = cal_add_days(cal_add_months(*to, -12), 1);
    if (f != NULL && !(ok_from = cal_parse(f, from)))
        fielderr_add(errors, "from", "invalid_date",
                     "from doit être une date AAAA-MM-JJ, par exemple 2025-11-24.");
    if (ok_from && ok_to && cal_cmp(*from, *to) > 0)
        fielderr_add(errors, "from", "invalid_range",
                     "La période est vide : from doit précéder to ou lui être égale.");
}

/* ---- GET /v1/indicateurs ----------------------------------------------------------- */

/* The indicators of row i, in the order of the annexe (docs/indicateurs.md):
 * the three json columns (dossiers, signalements, deadlines) keep the key
 * order written in the SQL, and are interleaved here. */
static json_t *row_indicators(const PGresult *res, int i)
{
    json_t *d = db_json(res, i, INDICATEURS_DOSSIERS);
    json_t *r = db_json(res, i, INDICATEURS_SIGNALEMENTS);
    json_t *e = db_json(res, i, INDICATEURS_DEADLINES);
    json_t *ind = json_object();

    json_object_set(ind, "dossiers_transmitted", json_object_get(d, "dossiers_transmitted"));
    json_object_set(ind, "signalements", json_object_get(r, "signalements"));
    json_object_set(ind, "ame_first_requests", json_object_get(d, "ame_first_requests"));
    json_object_set(ind, "rights_opening_delay_days",
                    json_object_get(d, "rights_opening_delay_days"));
    json_object_set(ind, "deadlines", json_object_get(e, "deadlines"));
    json_decref(d);
    json_decref(r);
    json_decref(e);
    return ind;
}

static void indicateurs_db(struct call *c, struct db *db)
{
    struct ind_ctx *x = c->ctx;
    const char *org = call_query(c, "org");
    json_t *errors = json_array(), *doc, *orgs, *scope;
    cal_date from, to;
    char from_s[CAL_DATE_LEN], to_s[CAL_DATE_LEN], now_s[40], gen_s[32];
    PGresult *res;
    int n;

    parse_period(c, &from, &to, errors);
    if (org != NULL && !uuid_valid(org))
        fielderr_add(errors, "org", "invalid_format", "org doit être un identifiant UUID.");
    if (json_array_size(errors) > 0) {
        call_set_problem(c, 422, "Requête invalide", "Paramètres invalides : voir errors.",
                         errors);
        return;
    }
    json_decref(errors);
    /* a partner sees its own organisation only; asking for another is asking
     * for an id outside its scope */
    if (c->who.role == ROLE_PARTNER) {
        if (org != NULL && strcasecmp(org, c->who.org) != 0) {
            call_set_not_found(c);
            return;
        }
        org = c->who.org;
    }
    res = indicateurs_read(db->pg, cal_format(from, from_s), cal_format(to, to_s), org,
                           c->who.role == ROLE_INSTRUCTOR ? c->who.caisse : NULL,
                           db_ts(clock_now_us(), now_s, sizeof(now_s)));
    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return;
    }
    n = PQntuples(res);
    /* the total always comes first; an organisation asked for and not in the
     * scope (or unknown) leaves it alone */
    if (n == 0 || (org != NULL && n < 2)) {
        PQclear(res);
        call_set_not_found(c);
        return;
    }
    scope = json_pack("{s:s}", "role", role_str(c->who.role));
    if (c->who.role == ROLE_INSTRUCTOR)
        json_object_set_new(scope, "caisse", json_string(c->who.caisse));
    json_object_set_new(scope, "org", org ? json_string(org) : json_null());
    orgs = json_array();
    doc = json_pack("{s:{s:s, s:s}, s:s, s:o, s:o, s:o}", "period", "from", from_s, "to", to_s,
                    "generated_at", cal_format_instant(clock_now(), gen_s), "scope", scope,
                    "total", row_indicators(res, 0), "organisations", orgs);
    for (int i = 1; i < n; i++)
        json_array_append_new(orgs, json_pack("{s:s, s:s, s:s, s:s, s:o}", "id",
                                              PQgetvalue(res, i, INDICATEURS_KEY), "name",
                                              PQgetvalue(res, i, INDICATEURS_NAME), "kind",
                                              PQgetvalue(res, i, INDICATEURS_KIND), "caisse",
                                              PQgetvalue(res, i, INDICATEURS_CAISSE), "indicators",
                                              row_indicators(res, i)));
    PQclear(res);
    audit_record(c, "read", "indicateurs", NULL);
    if (x->csv) {
        if (!csv_of(doc, x)) {
            json_decref(doc);
            call_set_problem(c, 503, "Service indisponible", "Mémoire insuffisante.", NULL);
            return;
        }
        snprintf(x->filename, sizeof(x->filename),
                 "attachment; filename=\"indicateurs_%s_%s.csv\"", from_s, to_s);
        json_decref(doc);
        return; /* sent by send_csv on the HTTP thread */
    }
    {
        /* dumped here rather than by call_set_json: two decimals stay two
         * decimals (5.67, not 5.6699999999999999) */
        char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(12));

        json_decref(doc);
        if (text == NULL) {
            call_set_problem(c, 503, "Service indisponible", "Mémoire insuffisante.", NULL);
            return;
        }
        call_set_raw(c, 200, "application/json", text, strlen(text));
        free(text);
    }
}

static void send_csv(struct call *c)
{
    struct ind_ctx *x = c->ctx;

    evhttp_add_header(evhttp_request_get_output_headers(c->req), "Content-Disposition",
                      x->filename);
    call_reply_raw(c, 200, "text/csv; charset=utf-8; header=present", x->text, x->len);
}

void h_indicateurs(struct call *c)
{
    struct ind_ctx *x;
    int csv = call_format(c);

    if (csv < 0)
        return;
    x = calloc(1, sizeof(*x));
    if (x == NULL) {
        call_reply_problem(c, 503, "Service indisponible", "Mémoire insuffisante.", NULL);
        return;
    }
    x->csv = csv == 1;
    c->ctx = x;
    c->ctx_free = ind_ctx_free;
    call_then(c, send_csv); /* runs only when the job left no reply: the CSV case */
    dbpool_submit(c, indicateurs_db);
}
