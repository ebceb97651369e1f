/*
 * test_store_sql.c — each list of store/ takes as many parameters as its enum
 * says (store/store.h): the handler's array, .nparams and the SQL's $n agree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/agents.h"
#include "store/organisations.h"
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
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nparams_counts),
        cmocka_unit_test(test_lists),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
