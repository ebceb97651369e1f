/*
 * fuzz_droits.c — the rights engine's JSON face (common/droits_json.h).
 *
 * The input is read as an API body (json_depth_ok() with the API's limit, then
 * json_loadb() refusing duplicate keys) and given to droits_simulate_json()
 * with today = 2026-11-23, as POST /v1/droits/simulation does. Its
 * "situation" and "prestation" also go through droits_input_from_situation()
 * (the dossier path), with the body's dates when they are real days before
 * year 9999 and fixed ones otherwise, then droits_simulate() and
 * droits_result_to_json().
 *
 * Invariants of every answer:
 *   - NULL exactly when errors were added (422), an object otherwise with no
 *     error added, holding exactly the eight keys of SPEC §5;
 *   - eligible ⇔ start is a date ⇔ basis is a string ⇔ refusal is null;
 *   - start ≤ end when both are set; end is null for PUMa; retroactive only
 *     when eligible; fallback only when refused, and then a coverage
 *     "soins_urgents" with a start date;
 *   - every date written is a real "YYYY-MM-DD", every check has a non-empty
 *     code, a boolean ok and a string detail.
 */
#include "fuzz_common.h"

#include <stdbool.h>

#include "calendar.h"
#include "droits.h"
#include "droits_json.h"
#include "jsonutil.h"

FZ_INITIALIZE_CALENDAR()

/* A member that must be null or a real date; returns whether it is a date. */
static bool date_member(const json_t *out, const char *key, cal_date *d)
{
    const json_t *v = json_object_get(out, key);

    FZ_ASSERT(v != NULL);
    if (json_is_null(v))
        return false;
    FZ_ASSERT(json_is_string(v));
    FZ_ASSERT(json_string_length(v) == 10 && cal_parse(json_string_value(v), d));
    return true;
}

static void output_laws(const json_t *out, const char *prestation)
{
    static const char *const keys[] = {"eligible", "start", "end", "retroactive",
                                       "basis", "refusal", "checks", "fallback"};
    const json_t *eligible = json_object_get(out, "eligible");
    const json_t *checks = json_object_get(out, "checks");
    const json_t *fallback = json_object_get(out, "fallback"), *c;
    cal_date start, end, fb;
    bool has_start, has_end, yes;
    size_t i;

    FZ_ASSERT(json_is_object(out));
    FZ_ASSERT(json_object_size(out) == sizeof(keys) / sizeof(keys[0]));
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        FZ_ASSERT(json_object_get(out, keys[i]) != NULL);
    FZ_ASSERT(json_is_boolean(eligible));
    yes = json_is_true(eligible);

    has_start = date_member(out, "start", &start);
    has_end = date_member(out, "end", &end);
    FZ_ASSERT(yes == has_start);
    FZ_ASSERT(!has_end || has_start);
    if (has_start && has_end)
        FZ_ASSERT(cal_cmp(start, end) <= 0);
    if (prestation != NULL && strcmp(prestation, "puma") == 0)
        FZ_ASSERT(!has_end);
    FZ_ASSERT(json_is_boolean(json_object_get(out, "retroactive")));
    FZ_ASSERT(!json_is_true(json_object_get(out, "retroactive")) || yes);
    FZ_ASSERT(yes == json_is_string(json_object_get(out, "basis")));
    FZ_ASSERT(yes || json_is_null(json_object_get(out, "basis")));
    FZ_ASSERT(yes == json_is_null(json_object_get(out, "refusal")));
    FZ_ASSERT(yes || json_is_string(json_object_get(out, "refusal")));

    FZ_ASSERT(json_is_array(checks) && json_array_size(checks) <= DROITS_MAX_CHECKS);
    json_array_foreach(checks, i, c) {
        FZ_ASSERT(json_is_string(json_object_get(c, "code")));
        FZ_ASSERT(json_string_length(json_object_get(c, "code")) > 0);
        FZ_ASSERT(json_is_boolean(json_object_get(c, "ok")));
        FZ_ASSERT(json_is_string(json_object_get(c, "detail")));
    }

    FZ_ASSERT(fallback != NULL);
    if (!json_is_null(fallback)) {
        FZ_ASSERT(!yes);
        FZ_ASSERT(json_is_string(json_object_get(fallback, "coverage")));
        FZ_ASSERT(strcmp(json_string_value(json_object_get(fallback, "coverage")),
                         "soins_urgents") == 0);
        FZ_ASSERT(date_member(fallback, "start", &fb));
    }
}

/* A date member of the body when it is a real day before 9999, else dflt. */
static cal_date body_date(const json_t *doc, const char *key, cal_date dflt)
{
    cal_date d;
    const char *s = json_str(doc, key);

    if (s != NULL && cal_parse(s, &d) && d.y <= 9998)
        return d;
    return dflt;
}

static void dossier_path(const json_t *doc)
{
    cal_date received = body_date(doc, "received_on", (cal_date){2026, 11, 20});
    cal_date deposited = body_date(doc, "deposited_on", DROITS_NO_DATE);
    cal_date decided = body_date(doc, "decided_on", FZ_TODAY);
    const char *prestation = json_str(doc, "prestation");
    struct droits_input in;
    struct droits_result r;
    json_t *errors = json_array(), *out;

    FZ_ASSERT(errors != NULL);
    if (droits_input_from_situation(json_object_get(doc, "situation"), prestation, received,
                                    deposited, decided, &in, errors) == 0) {
        FZ_ASSERT(json_array_size(errors) == 0);
        droits_simulate(&in, &r);
        FZ_ASSERT(r.n_checks <= DROITS_MAX_CHECKS);
        out = droits_result_to_json(&r);
        FZ_ASSERT(out != NULL);
        output_laws(out, prestation);
        json_decref(out);
    } else {
        FZ_ASSERT(json_array_size(errors) > 0);
        fz_check_errors(errors, (int)json_array_size(errors), (size_t)-1);
    }
    json_decref(errors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc, *errors, *out;
    bool valid;

    if (!json_depth_ok((const char *)data, size, FZ_JSON_DEPTH))
        return 0;
    doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (doc == NULL)
        return 0;

    errors = json_array();
    FZ_ASSERT(errors != NULL);
    out = droits_simulate_json(doc, FZ_TODAY, errors);
    valid = out != NULL;
    if (out == NULL) {
        FZ_ASSERT(json_array_size(errors) > 0);
        fz_check_errors(errors, (int)json_array_size(errors), (size_t)-1);
    } else {
        FZ_ASSERT(json_array_size(errors) == 0);
        output_laws(out, json_str(doc, "prestation"));
        json_decref(out);
    }
    json_decref(errors);

    /* Same verdict without an error array. */
    out = droits_simulate_json(doc, FZ_TODAY, NULL);
    FZ_ASSERT((out != NULL) == valid);
    json_decref(out);

    dossier_path(doc);
    json_decref(doc);
    return 0;
}
