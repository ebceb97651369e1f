/*
 * droits_json.c — reading a rights request from JSON and writing the ruling.
 *
 * The reader trusts nothing: every member may be missing, null, of the wrong
 * type, or a string that is not a date; an array may be enormous. It looks each
 * member up by name (so unknown members and nested junk are simply never
 * visited), reports each bad one under its JSON path, and keeps going so that a
 * 422 lists every problem at once. It never echoes the caller's values in its
 * messages: they may be long, and they may be personal.
 */
#include "droits_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fielderr.h"
#include "jsonutil.h"

/* "+ 12 months" and "+ 3 months" must stay within cal_date's four-digit year. */
#define DROITS_MAX_YEAR 9998

#define FIELD_LEN 64 /* "situation.care_dates[365]" and the like */

/* Where the errors go, and whether any was added by this parse (the array may
 * already hold other validators' entries). */
struct reader {
    json_t *errors;
    int failed;
};

static void bad(struct reader *rd, const char *field, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void bad(struct reader *rd, const char *field, const char *code, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    rd->failed++;
    if (rd->errors == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fielderr_add(rd->errors, field, code, "%s", msg);
}

/* Absent and JSON null both mean "not said". */
static bool unsaid(const json_t *v)
{
    return v == NULL || json_is_null(v);
}

/* A date value: false (and an error) when present but not a real day. */
static bool read_date_value(struct reader *rd, const json_t *v, const char *field,
                            cal_date *out)
{
    cal_date d;

    *out = DROITS_NO_DATE;
    if (unsaid(v))
        return true;
    if (!json_is_string(v)) {
        bad(rd, field, "invalid_type", "Une date est attendue, sous forme de chaîne AAAA-MM-JJ.");
        return false;
    }
    /* The length check also refuses "2021-01-01\0junk", which strlen would hide. */
    if (json_string_length(v) != CAL_DATE_LEN - 1 || !cal_parse(json_string_value(v), &d)) {
        bad(rd, field, "invalid_date",
            "La valeur n'est pas une date réelle au format AAAA-MM-JJ.");
        return false;
    }
    if (d.y > DROITS_MAX_YEAR) {
        bad(rd, field, "invalid_range", "L'année doit être au plus %d.", DROITS_MAX_YEAR);
        return false;
    }
    *out = d;
    return true;
}

static bool read_date(struct reader *rd, const json_t *obj, const char *key, const char *field,
                      cal_date *out)
{
    return read_date_value(rd, json_object_get(obj, key), field, out);
}

/* A yes/no fact that may be left unsaid. */
static void read_fact(struct reader *rd, const json_t *obj, const char *key, const char *field,
                      enum droits_fait *out)
{
    const json_t *v = json_object_get(obj, key);

    *out = DROITS_FAIT_INCONNU;
    if (unsaid(v))
        return;
    if (!json_is_boolean(v)) {
        bad(rd, field, "invalid_type", "Un booléen (true ou false) est attendu.");
        return;
    }
    *out = json_is_true(v) ? DROITS_FAIT_OUI : DROITS_FAIT_NON;
}

/* A flag whose absence means no (urgent care, precariousness). */
static void read_flag(struct reader *rd, const json_t *obj, const char *key, const char *field,
                      bool *out)
{
    enum droits_fait f;

    read_fact(rd, obj, key, field, &f);
    *out = f == DROITS_FAIT_OUI;
}

static void read_criterion(struct reader *rd, const json_t *situation,
                           enum droits_critere *out)
{
    const json_t *v = json_object_get(situation, "puma_criterion");
    const char *s;

    *out = DROITS_CRITERE_NONE;
    if (unsaid(v))
        return;
    if (!json_is_string(v)) {
        bad(rd, "situation.puma_criterion", "invalid_type",
            "Une chaîne est attendue : « residence » ou « activite ».");
        return;
    }
    s = json_string_value(v);
    if (json_string_length(v) == strlen(s) && strcmp(s, "residence") == 0)
        *out = DROITS_CRITERE_RESIDENCE;
    else if (json_string_length(v) == strlen(s) && strcmp(s, "activite") == 0)
        *out = DROITS_CRITERE_ACTIVITE;
    else
        bad(rd, "situation.puma_criterion", "invalid_enum",
            "Le critère d'affiliation doit être « residence » ou « activite ».");
}

static void read_hospitalization(struct reader *rd, const json_t *situation,
                                 struct droits_situation *s)
{
    const json_t *h = json_object_get(situation, "hospitalization");
    bool admitted_ok, discharged_ok;

    if (unsaid(h))
        return;
    if (!json_is_object(h)) {
        bad(rd, "situation.hospitalization", "invalid_type",
            "Un objet {\"admitted_on\", \"discharged_on\"} est attendu.");
        return;
    }
    admitted_ok = read_date(rd, h, "admitted_on", "situation.hospitalization.admitted_on",
                            &s->admitted_on);
    discharged_ok = read_date(rd, h, "discharged_on", "situation.hospitalization.discharged_on",
                              &s->discharged_on);
    if (admitted_ok && discharged_ok && !droits_date_set(s->admitted_on) &&
        droits_date_set(s->discharged_on))
        bad(rd, "situation.hospitalization.admitted_on", "required",
            "La date d'admission est requise lorsqu'une date de sortie est donnée.");
    else if (droits_date_set(s->admitted_on) && droits_date_set(s->discharged_on) &&
             cal_cmp(s->discharged_on, s->admitted_on) < 0)
        bad(rd, "situation.hospitalization.discharged_on", "invalid_range",
            "La date de sortie ne peut pas précéder la date d'admission.");
}

static void read_care_dates(struct reader *rd, const json_t *situation,
                            struct droits_situation *s)
{
    const json_t *a = json_object_get(situation, "care_dates");
    size_t n;

    s->n_care_dates = 0;
    if (unsaid(a))
        return;
    if (!json_is_array(a)) {
        bad(rd, "situation.care_dates", "invalid_type",
            "Une liste de dates AAAA-MM-JJ est attendue.");
        return;
    }
    n = json_array_size(a);
    if (n > DROITS_MAX_CARE_DATES) {
        /* Refuse the list as a whole: listing a million bad items helps no one. */
        bad(rd, "situation.care_dates", "invalid_range",
            "Au plus %d dates de soins sont acceptées.", DROITS_MAX_CARE_DATES);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(a, i);
        char field[FIELD_LEN];
        cal_date d;

        snprintf(field, sizeof(field), "situation.care_dates[%zu]", i);
        if (json_is_null(v)) {
            bad(rd, field, "invalid_type", "Une date AAAA-MM-JJ est attendue, pas null.");
            continue;
        }
        if (read_date_value(rd, v, field, &d))
            s->care_dates[s->n_care_dates++] = d;
    }
}

/* The situation object, shared by the simulation and the dossier. */
static void read_situation(struct reader *rd, const json_t *situation,
                           enum droits_prestation prestation, struct droits_situation *s)
{
    memset(s, 0, sizeof(*s));
    if (unsaid(situation)) {
        bad(rd, "situation", "required", "La situation de la personne est requise.");
        return;
    }
    if (!json_is_object(situation)) {
        bad(rd, "situation", "invalid_type", "Un objet est attendu.");
        return;
    }
    read_criterion(rd, situation, &s->puma_criterion);
    read_date(rd, situation, "residence_since", "situation.residence_since", &s->residence_since);
    read_fact(rd, situation, "regular_stay", "situation.regular_stay", &s->regular_stay);
    read_date(rd, situation, "irregular_since", "situation.irregular_since", &s->irregular_since);
    read_date(rd, situation, "activity_start", "situation.activity_start", &s->activity_start);
    read_fact(rd, situation, "resources_under_ceiling", "situation.resources_under_ceiling",
              &s->resources_under_ceiling);
    read_flag(rd, situation, "urgent_care_needed", "situation.urgent_care_needed",
              &s->urgent_care_needed);
    read_flag(rd, situation, "precarious", "situation.precarious", &s->precarious);
    read_date(rd, situation, "puma_start", "situation.puma_start", &s->puma_start);
    read_hospitalization(rd, situation, s);
    read_care_dates(rd, situation, s);

    /* Only what leaves no refusal to give is required: without a criterion, or
     * an activity without its date, the PUMa has no rule to apply at all. An
     * unsaid condition (resources, residence, PUMa for CSS…) is a refusal. */
    if (prestation != DROITS_PUMA)
        return;
    if (unsaid(json_object_get(situation, "puma_criterion")))
        bad(rd, "situation.puma_criterion", "required",
            "Le critère d'affiliation à la PUMa est requis : « residence » ou « activite ».");
    else if (s->puma_criterion == DROITS_CRITERE_ACTIVITE &&
             unsaid(json_object_get(situation, "activity_start")))
        bad(rd, "situation.activity_start", "required",
            "La date de début d'activité est requise pour une affiliation sur critère "
            "d'activité.");
}

static void read_prestation_value(struct reader *rd, const json_t *v,
                                  enum droits_prestation *out)
{
    *out = DROITS_PRESTATION_NONE;
    if (unsaid(v)) {
        bad(rd, "prestation", "required", "La prestation est requise : puma, css ou ame.");
        return;
    }
    if (!json_is_string(v)) {
        bad(rd, "prestation", "invalid_type", "Une chaîne est attendue : puma, css ou ame.");
        return;
    }
    if (json_string_length(v) != strlen(json_string_value(v)) ||
        !droits_prestation_parse(json_string_value(v), out))
        bad(rd, "prestation", "invalid_enum", "La prestation doit être puma, css ou ame.");
}

int droits_input_from_json(const json_t *in, cal_date today, struct droits_input *out,
                           json_t *errors)
{
    struct reader rd = {errors, 0};
    bool received_ok, deposited_ok, decided_ok;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(in)) {
        bad(&rd, "", "invalid_type", "Le corps de la requête doit être un objet JSON.");
        return -1;
    }
    read_prestation_value(&rd, json_object_get(in, "prestation"), &out->prestation);

    received_ok = read_date(&rd, in, "received_on", "received_on", &out->received_on);
    if (received_ok && !droits_date_set(out->received_on)) {
        bad(&rd, "received_on", "required", "La date de réception par la caisse est requise.");
        received_ok = false;
    }
    deposited_ok = read_date(&rd, in, "deposited_on", "deposited_on", &out->deposited_on);
    if (deposited_ok && !droits_date_set(out->deposited_on))
        out->deposited_on = out->received_on;
    decided_ok = read_date(&rd, in, "decided_on", "decided_on", &out->decided_on);
    if (decided_ok && !droits_date_set(out->decided_on))
        out->decided_on = today;

    if (received_ok && deposited_ok && cal_cmp(out->received_on, out->deposited_on) < 0)
        bad(&rd, "deposited_on", "invalid_range",
            "La date de dépôt ne peut pas être postérieure à la date de réception.");
    if (received_ok && decided_ok && droits_date_set(out->decided_on) &&
        cal_cmp(out->decided_on, out->received_on) < 0)
        bad(&rd, "decided_on", "invalid_range",
            "La date de décision (aujourd'hui si elle n'est pas donnée) ne peut pas précéder "
            "la date de réception.");

    read_situation(&rd, json_object_get(in, "situation"), out->prestation, &out->situation);
    return rd.failed ? -1 : 0;
}

int droits_input_from_situation(const json_t *situation, const char *prestation,
                                cal_date received_on, cal_date deposited_on,
                                cal_date decided_on, struct droits_input *out,
                                json_t *errors)
{
    struct reader rd = {errors, 0};

    memset(out, 0, sizeof(*out));
    if (prestation == NULL)
        bad(&rd, "prestation", "required", "La prestation est requise : puma, css ou ame.");
    else if (!droits_prestation_parse(prestation, &out->prestation))
        bad(&rd, "prestation", "invalid_enum", "La prestation doit être puma, css ou ame.");
    out->received_on = received_on;
    out->deposited_on = droits_date_set(deposited_on) ? deposited_on : received_on;
    out->decided_on = decided_on;
    read_situation(&rd, situation, out->prestation, &out->situation);
    return rd.failed ? -1 : 0;
}

/* ---- Output ---------------------------------------------------------------- */

/* A date, or JSON null when absent. */
static json_t *date_or_null(cal_date d)
{
    char buf[CAL_DATE_LEN];

    if (!droits_date_set(d))
        return json_null();
    return json_string(cal_format(d, buf));
}

static json_t *checks_to_json(const struct droits_result *r)
{
    json_t *checks = json_array();
    size_t n = r->n_checks <= DROITS_MAX_CHECKS ? r->n_checks : DROITS_MAX_CHECKS;

    if (checks == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const struct droits_check *c = &r->checks[i];
        /* detail is always NUL-terminated by the engine; bound it anyway. */
        json_t *o = json_pack("{s:s, s:b, s:s%}", "code", c->code != NULL ? c->code : "",
                              "ok", c->ok, "detail", c->detail,
                              strnlen(c->detail, sizeof(c->detail)));

        if (o == NULL || json_array_append_new(checks, o) != 0) {
            json_decref(checks);
            return NULL;
        }
    }
    return checks;
}

static json_t *fallback_to_json(const struct droits_result *r)
{
    if (!r->fallback)
        return json_null();
    return json_pack("{s:s, s:o}", "coverage", "soins_urgents", "start",
                     date_or_null(r->fallback_start));
}

json_t *droits_result_to_json(const struct droits_result *r)
{
    json_t *o = json_object();
    bool eligible = r->eligible;
    int rc = 0;

    if (o == NULL)
        return NULL;
    /* json_object_set_new() takes ownership even on failure, so a NULL from an
     * exhausted allocator only needs the sum of return codes checked. */
    rc |= json_object_set_new(o, "eligible", json_boolean(eligible));
    rc |= json_object_set_new(o, "start", eligible ? date_or_null(r->start) : json_null());
    rc |= json_object_set_new(o, "end", eligible ? date_or_null(r->end) : json_null());
    rc |= json_object_set_new(o, "retroactive", json_boolean(eligible && r->retroactive));
    rc |= json_object_set_new(o, "basis",
                              eligible ? json_string_or_null(droits_basis_name(r->basis))
                                       : json_null());
    rc |= json_object_set_new(o, "refusal",
                              eligible ? json_null()
                                       : json_string_or_null(droits_refusal_name(r->refusal)));
    rc |= json_object_set_new(o, "checks", checks_to_json(r));
    rc |= json_object_set_new(o, "fallback", fallback_to_json(r));
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *droits_simulate_json(const json_t *in, cal_date today, json_t *errors)
{
    struct droits_input input;
    struct droits_result result;

    if (droits_input_from_json(in, today, &input, errors) != 0)
        return NULL;
    droits_simulate(&input, &result);
    return droits_result_to_json(&result);
}
