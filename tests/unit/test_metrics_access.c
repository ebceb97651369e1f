/*
 * test_metrics_access.c — GET /metrics: loopback peers, or the metrics token.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "metrics_access.h"

static void test_loopback_addresses(void **state)
{
    (void)state;
    assert_true(metrics_peer_is_loopback("127.0.0.1"));
    assert_true(metrics_peer_is_loopback("127.255.3.4"));
    assert_true(metrics_peer_is_loopback("::1"));
    assert_true(metrics_peer_is_loopback("::ffff:127.0.0.1"));
    assert_false(metrics_peer_is_loopback("128.0.0.1"));
    assert_false(metrics_peer_is_loopback("10.0.0.1"));
    assert_false(metrics_peer_is_loopback("192.0.2.2"));
    assert_false(metrics_peer_is_loopback("::ffff:10.0.0.1"));
    assert_false(metrics_peer_is_loopback("fe80::1"));
    assert_false(metrics_peer_is_loopback("::"));
    assert_false(metrics_peer_is_loopback("0.0.0.0"));
    /* not addresses: a header value, a host name, garbage */
    assert_false(metrics_peer_is_loopback("127.0.0.1, 10.0.0.1"));
    assert_false(metrics_peer_is_loopback("localhost"));
    assert_false(metrics_peer_is_loopback("127.0.0.1 "));
    assert_false(metrics_peer_is_loopback(""));
    assert_false(metrics_peer_is_loopback(NULL));
}

static void test_decision(void **state)
{
    const char *tok = "s3cr3t-metrics-token";

    (void)state;
    assert_int_equal(metrics_access_check("127.0.0.1", NULL, ""), METRICS_ALLOWED);
    assert_int_equal(metrics_access_check("::1", "Bearer wrong", tok), METRICS_ALLOWED);
    assert_int_equal(metrics_access_check("192.0.2.2", NULL, ""), METRICS_LOOPBACK_ONLY);
    assert_int_equal(metrics_access_check("192.0.2.2", "Bearer x", ""), METRICS_LOOPBACK_ONLY);
    assert_int_equal(metrics_access_check("192.0.2.2", NULL, tok), METRICS_NEED_TOKEN);
    assert_int_equal(metrics_access_check("192.0.2.2", "Bearer s3cr3t-metrics-token", tok),
                     METRICS_ALLOWED);
    assert_int_equal(metrics_access_check("192.0.2.2", "bearer   s3cr3t-metrics-token ", tok),
                     METRICS_ALLOWED);
    /* a prefix, a longer value, another scheme, the token without a scheme */
    assert_int_equal(metrics_access_check("192.0.2.2", "Bearer s3cr3t", tok), METRICS_NEED_TOKEN);
    assert_int_equal(metrics_access_check("192.0.2.2", "Bearer s3cr3t-metrics-token2", tok),
                     METRICS_NEED_TOKEN);
    assert_int_equal(metrics_access_check("192.0.2.2", "Basic s3cr3t-metrics-token", tok),
                     METRICS_NEED_TOKEN);
    assert_int_equal(metrics_access_check("192.0.2.2", "s3cr3t-metrics-token", tok),
                     METRICS_NEED_TOKEN);
    assert_int_equal(metrics_access_check("192.0.2.2", "Bearer ", tok), METRICS_NEED_TOKEN);
    assert_int_equal(metrics_access_check("", NULL, tok), METRICS_NEED_TOKEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loopback_addresses),
        cmocka_unit_test(test_decision),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
