/*
 * test_dossier_doc.c — a stored dossier served as text (common/dossier_doc.h,
 * dossier_doc_text): the same JSON value as the document parsed, finished by
 * dossier_doc_finish() and dumped, for every state of a deadline; and the
 * compact copy of a JSON text as PostgreSQL writes it (common/jsonutil.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "config.h"
#include "dossier_doc.h"
#include "jsonutil.h"

/* A document's fields as jsonb::text writes them: spaces after ':' and ',',
 * strings holding spaces, escaped quotes and backslashes, nested values. */
static const char fields[] =
    "{\"id\": \"6f1c0b1e-2a8e-4a57-9a53-1d2b3c4d5e6f\", \"org\": \"a\", "
    "\"pieces\": [{\"name\": \"avis d'impôt 2025\", \"note\": \"dit \\\"oui\\\" \\\\ non\"}], "
    "\"status\": \"en_instruction\", \"version\": 3, \"applicant\": {\"nom\": \"  Le  Gall \"}, "
    "\"decision\": null, \"situation\": {\"revenus\": 12000, \"seul\": true}}";

/* epart_deadlines_doc's array, now being 2026-12-02T12:00:00Z: a running clock in
 * its warning, one running far from it, one breached, one suspended, one met,
 * one stopped after its due time. */
static const char deadlines[] =
    "[{\"clock\": \"instruction\", \"due_at\": \"2026-12-04T22:59:59Z\", \"stopped_at\": null, "
    "\"suspended_on\": null, \"suspended_days\": 0}, "
    "{\"clock\": \"rappel\", \"due_at\": \"2027-01-30T10:00:00Z\", \"stopped_at\": null, "
    "\"suspended_on\": null, \"suspended_days\": 0}, "
    "{\"clock\": \"transmission\", \"due_at\": \"2026-12-01T22:59:59Z\", \"stopped_at\": null, "
    "\"suspended_on\": null, \"suspended_days\": 0}, "
    "{\"clock\": \"prise_en_charge\", \"due_at\": \"2026-12-01T10:00:00Z\", \"stopped_at\": null, "
    "\"suspended_on\": \"2026-11-20\", \"suspended_days\": 4}, "
    "{\"clock\": \"instruction\", \"due_at\": \"2026-12-20T22:59:59Z\", "
    "\"stopped_at\": \"2026-11-30T08:00:00Z\", \"suspended_on\": null, \"suspended_days\": 0}, "
    "{\"clock\": \"transmission\", \"due_at\": \"2026-11-20T22:59:59Z\", "
    "\"stopped_at\": \"2026-11-25T08:00:00Z\", \"suspended_on\": null, \"suspended_days\": 0}]";

static struct config cfg;
static time_t now;

static int setup(void **state)
{
    (void)state;
    cfg.leads_instruction = (struct clock_leads){2, {5 * 86400L, 86400L}};
    cfg.leads_rappel = (struct clock_leads){1, {3600L}};
    cfg.leads_transmission = (struct clock_leads){1, {2 * 86400L}};
    cfg.leads_prise_en_charge = (struct clock_leads){0, {0}};
    assert_true(cal_parse_instant("2026-12-02T12:00:00Z", &now));
    return 0;
}

/* The document as it was served before: the whole text parsed, finished, dumped. */
static json_t *finished_tree(const char *f, const char *d)
{
    json_t *doc = json_loads(f, 0, NULL);

    assert_non_null(doc);
    json_object_set_new(doc, "deadlines", json_loads(d, 0, NULL));
    dossier_doc_finish(doc, now, &cfg);
    return doc;
}

static void test_text_is_the_finished_document(void **state)
{
    struct text_buf t = {0};
    json_t *want = finished_tree(fields, deadlines);
    json_t *got, *dl;

    (void)state;
    assert_int_equal(dossier_doc_text(&t, fields, strlen(fields), deadlines, strlen(deadlines),
                                      now, &cfg),
                     0);
    got = json_loads(t.s, 0, NULL);
    assert_non_null(got);
    assert_true(json_equal(got, want));
    /* every state, read from the text itself */
    dl = json_object_get(got, "deadlines");
    assert_string_equal(json_str(json_array_get(dl, 0), "state"), "running");
    assert_true(json_is_true(json_object_get(json_array_get(dl, 0), "in_warning")));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(dl, 0), "days_left")), 2);
    assert_string_equal(json_str(json_array_get(dl, 1), "state"), "running");
    assert_true(json_is_false(json_object_get(json_array_get(dl, 1), "in_warning")));
    assert_string_equal(json_str(json_array_get(dl, 2), "state"), "breached");
    assert_string_equal(json_str(json_array_get(dl, 3), "state"), "suspended");
    assert_string_equal(json_str(json_array_get(dl, 4), "state"), "met");
    assert_string_equal(json_str(json_array_get(dl, 5), "state"), "breached");
    assert_null(json_object_get(json_array_get(dl, 3), "suspended_on"));
    /* compact, as every other reply; the strings untouched */
    assert_null(strstr(t.s, "\": "));
    assert_non_null(strstr(t.s, "\"  Le  Gall \""));
    assert_non_null(strstr(t.s, "\"dit \\\"oui\\\" \\\\ non\""));
    json_decref(got);
    json_decref(want);
    text_buf_free(&t);
}

static void test_text_appends_and_empty_ones(void **state)
{
    struct text_buf t = {0};
    json_t *got;

    (void)state;
    assert_int_equal(text_buf_str(&t, "["), 0);
    assert_int_equal(dossier_doc_text(&t, "{}", 2, "[]", 2, now, &cfg), 0);
    assert_int_equal(text_buf_str(&t, ","), 0);
    assert_int_equal(dossier_doc_text(&t, "{\"id\": 1}\n", 10, " [ ]", 4, now, NULL), 0);
    assert_int_equal(text_buf_str(&t, "]"), 0);
    assert_string_equal(t.s, "[{\"deadlines\":[]},{\"id\":1,\"deadlines\":[]}]");
    got = json_loads(t.s, 0, NULL);
    assert_non_null(got);
    json_decref(got);
    text_buf_free(&t);
}

/* A text that is not what PostgreSQL writes is refused, the buffer as it was. */
static void test_bad_texts_leave_the_buffer(void **state)
{
    static const struct {
        const char *fields, *deadlines;
    } bad[] = {
        {"{\"id\": 1", "[]"},
        {"", "[]"},
        {"[1]", "[]"},
        {"{\"id\": 1}", "{}"},
        {"{\"id\": 1}", "[{\"clock\""},
        {"{\"id\": 1}", ""},
    };
    struct text_buf t = {0};

    (void)state;
    assert_int_equal(text_buf_str(&t, "before"), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(dossier_doc_text(&t, bad[i].fields, strlen(bad[i].fields),
                                          bad[i].deadlines, strlen(bad[i].deadlines), now, &cfg),
                         -1);
        assert_string_equal(t.s, "before");
    }
    text_buf_free(&t);
}

/* json_text_compact() gives Jansson's compact dump of the same text (no reals:
 * their digits are Jansson's own choice). */
static void test_compact_is_jansson_compact(void **state)
{
    static const char *texts[] = {
        "{\"a\": 1, \"b\": [1, 2, {\"c\": null}], \"d\": \"x y\"}",
        "[\"\\\"\", \"\\\\\", \"\\\\\\\"\", \"\\n\\t\", \" \"]",
        "{\"k e y\": {\"\": []}}\n",
        "[]",
        fields,
    };

    (void)state;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct text_buf t = {0};
        json_t *doc = json_loads(texts[i], 0, NULL);
        char *want;

        assert_non_null(doc);
        want = json_dumps(doc, JSON_COMPACT);
        assert_int_equal(json_text_compact(&t, texts[i], strlen(texts[i])), 0);
        assert_string_equal(t.s, want);
        assert_int_equal(t.len, strlen(want));
        free(want);
        json_decref(doc);
        text_buf_free(&t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_is_the_finished_document),
        cmocka_unit_test(test_text_appends_and_empty_ones),
        cmocka_unit_test(test_bad_texts_leave_the_buffer),
        cmocka_unit_test(test_compact_is_jansson_compact),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
