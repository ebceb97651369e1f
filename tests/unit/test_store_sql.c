/*
 * test_store_sql.c — each list of store/ takes as many parameters as its enum
 * says (store/store.h): the handler's array, .nparams and the SQL's $n agree;
 * and the audit journal's row is the record its insert reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "store/agents.h"
#include "store/alerts.h"
#include "store/audit_journal.h"
#include "store/demandes.h"
#include "store/organisations.h"
#include "store/partnership_messages.h"
#include "store/store.h"
#include "store/webhook_deliveries.h"
#include "store/webhooks.h"

/* What api/support/listing.h passes a list's macro: its parameters alone
 * matter here (PAGE_BEFORE takes $1 and $2, PAGE_NEWEST_FIRST $3). */
#define SORT_US "0"
#define BEFORE "($1::bigint, $2::uuid)"
#define NEWEST_FIRST " LIMIT $3"

static void test_nparams_counts(void **state)
{
    (void)state;
    assert_int_equal(store_sql_nparams("SELECT 1"), 0);
    assert_int_equal(store_sql_nparams("SELECT $1, $2::int, $10"), -1); /* $3..$9 missing */
    assert_int_equal(store_sql_nparams("SELECT $2, $1 WHERE x = $2"), 2);
    assert_int_equal(store_sql_nparams("SELECT '$' || $1, $ 2"), 1);
    assert_int_equal(store_sql_nparams("SELECT $3"), -1);
}

static void test_lists(void **state)
{
    (void)state;
    assert_int_equal(store_sql_nparams(AGENTS_SQL_LIST(SORT_US, BEFORE, NEWEST_FIRST)),
                     AGENTS_LIST_NPARAMS);
    assert_int_equal(store_sql_nparams(ORGANISATIONS_SQL_LIST(SORT_US, BEFORE, NEWEST_FIRST)),
                     ORGANISATIONS_LIST_NPARAMS);
    assert_int_equal(store_sql_nparams(WEBHOOKS_SQL_LIST(SORT_US, BEFORE, NEWEST_FIRST)),
                     WEBHOOKS_LIST_NPARAMS);
    assert_int_equal(store_sql_nparams(WEBHOOK_DELIVERIES_SQL_LIST(SORT_US)),
                     WEBHOOK_DELIVERIES_LIST_NPARAMS);
    assert_int_equal(store_sql_nparams(AUDIT_JOURNAL_SQL_LIST), AUDIT_JOURNAL_LIST_NPARAMS);
    assert_int_equal(store_sql_nparams(ALERTS_SQL_LIST(SORT_US, BEFORE, NEWEST_FIRST)),
                     ALERTS_LIST_NPARAMS);
    assert_int_equal(store_sql_nparams(DEMANDES_SQL_LIST(SORT_US, BEFORE, BEFORE)),
                     DEMANDES_LIST_NPARAMS);
    assert_int_equal(store_sql_nparams(PARTNERSHIP_MESSAGES_SQL_LIST),
                     PARTNERSHIP_MESSAGES_LIST_NPARAMS);
}

/* A journal row is the record epart_insert_journal reads: every column named,
 * NULL as null, texts escaped as Jansson would; a text that is not UTF-8
 * leaves the rows as they were, still an array the next row extends. */
static void test_journal_row(void **state)
{
    static const char *const first =
        "[{\"at\":\"2026-12-02 06:00:00+00\",\"sub\":\"agent-1\","
        "\"role\":\"admin\",\"org_id\":null,\"caisse\":null,"
        "\"action\":\"read\",\"object_type\":\"dossier\","
        "\"object_id\":null,\"remote_addr\":null,\"entry_id\":null}]";
    const char *col[AUDIT_JOURNAL_NCOLS] = {
        [AUDIT_JOURNAL_AT] = "2026-12-02 06:00:00+00", [AUDIT_JOURNAL_SUB] = "agent-1",
        [AUDIT_JOURNAL_ROLE] = "admin", [AUDIT_JOURNAL_ACTION] = "read",
        [AUDIT_JOURNAL_OBJECT_TYPE] = "dossier"};
    struct audit_journal_rows rows = {{NULL, 0, 0}, 0};
    json_t *parsed, *want;
    char *before, *text;

    (void)state;
    assert_int_equal(audit_journal_add(&rows, col), 0);
    assert_string_equal(rows.text.s, first);
    assert_int_equal(rows.n, 1);

    /* a hostile subject: quotes, backslash, controls, non-ASCII, a '}' and ']' */
    col[AUDIT_JOURNAL_SUB] = "\"a\\b\n\x01}]é€𝄞";
    assert_int_equal(audit_journal_add(&rows, col), 0);
    parsed = json_loads(rows.text.s, 0, NULL);
    assert_non_null(parsed);
    assert_int_equal(json_array_size(parsed), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(parsed, 1), "sub")),
                        col[AUDIT_JOURNAL_SUB]);
    want = json_loads(first, 0, NULL);
    json_array_append_new(want, json_deep_copy(json_array_get(want, 0)));
    json_object_set_new(json_array_get(want, 1), "sub", json_string(col[AUDIT_JOURNAL_SUB]));
    text = json_dumps(want, JSON_COMPACT | JSON_ENSURE_ASCII);
    assert_string_equal(rows.text.s, text); /* the very text Jansson writes */
    free(text);
    json_decref(want);
    json_decref(parsed);

    before = strdup(rows.text.s);
    col[AUDIT_JOURNAL_OBJECT_ID] = "\xff\xfe";
    assert_int_equal(audit_journal_add(&rows, col), -1);
    assert_int_equal(rows.n, 2);
    assert_string_equal(rows.text.s, before);
    free(before);

    col[AUDIT_JOURNAL_OBJECT_ID] = "3f1c2b9e-0d4a-4c51-9a57-3c2d1e0f9a8b";
    assert_int_equal(audit_journal_add(&rows, col), 0);
    parsed = json_loads(rows.text.s, 0, NULL);
    assert_int_equal(json_array_size(parsed), 3);
    json_decref(parsed);
    audit_journal_rows_free(&rows);
    assert_int_equal(rows.n, 0);

    /* the first row refused: nothing written at all */
    assert_int_equal(audit_journal_add(&rows, (const char *[AUDIT_JOURNAL_NCOLS]){"\xc3"}), -1);
    assert_int_equal(rows.n, 0);
    assert_true(rows.text.len == 0);
    audit_journal_rows_free(&rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nparams_counts),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_journal_row),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
