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
 * NULL as null; a text that is not UTF-8 leaves the rows as they were. */
static void test_journal_row(void **state)
{
    const char *col[AUDIT_JOURNAL_NCOLS] = {
        [AUDIT_JOURNAL_AT] = "2026-12-02 06:00:00+00", [AUDIT_JOURNAL_SUB] = "agent-1",
        [AUDIT_JOURNAL_ROLE] = "admin", [AUDIT_JOURNAL_ACTION] = "read",
        [AUDIT_JOURNAL_OBJECT_TYPE] = "dossier"};
    json_t *rows = json_array();
    char *text;

    (void)state;
    assert_int_equal(audit_journal_add(rows, col), 0);
    text = json_dumps(rows, JSON_COMPACT);
    assert_string_equal(text, "[{\"at\":\"2026-12-02 06:00:00+00\",\"sub\":\"agent-1\","
                              "\"role\":\"admin\",\"org_id\":null,\"caisse\":null,"
                              "\"action\":\"read\",\"object_type\":\"dossier\","
                              "\"object_id\":null,\"remote_addr\":null,\"entry_id\":null}]");
    free(text);
    col[AUDIT_JOURNAL_OBJECT_ID] = "\xff\xfe";
    assert_int_equal(audit_journal_add(rows, col), -1);
    assert_int_equal(json_array_size(rows), 1);
    json_decref(rows);
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
