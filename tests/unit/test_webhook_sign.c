/*
 * test_webhook_sign.c — the Standard Webhooks signature (against the
 * specification's published test vector) and the retry schedule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "calendar.h"
#include "webhook_sign.h"

static void test_standard_vector(void **state)
{
    /* The vector of the Standard Webhooks reference libraries' tests. */
    const char *body = "{\"test\": 2432232314}";
    char sig[WEBHOOK_SIGNATURE_LEN];

    (void)state;
    assert_int_equal(webhook_signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                       "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body,
                                       strlen(body), sig, sizeof(sig)),
                     0);
    assert_string_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    /* any change of id, timestamp or body changes it */
    assert_int_equal(webhook_signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                       "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, body,
                                       strlen(body), sig, sizeof(sig)),
                     0);
    assert_string_not_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

static void test_bad_secrets(void **state)
{
    char sig[WEBHOOK_SIGNATURE_LEN];

    (void)state;
    assert_int_equal(webhook_signature(NULL, "id", 1, "", 0, sig, sizeof(sig)), -1);
    assert_int_equal(webhook_signature("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "id", 1, "", 0, sig,
                                       sizeof(sig)),
                     -1);
    assert_int_equal(webhook_signature("whsec_", "id", 1, "", 0, sig, sizeof(sig)), -1);
    assert_int_equal(webhook_signature("whsec_not base64!", "id", 1, "", 0, sig, sizeof(sig)),
                     -1);
    assert_string_equal(sig, "");
    assert_int_equal(webhook_signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "id", 1, "", 0,
                                       sig, 10),
                     -1);
}

static void test_schedule(void **state)
{
    const int64_t base = 30000;
    int64_t min_span = 0, max_span = 0;

    (void)state;
    assert_int_equal(webhook_retry_delay_ms(1, base, 0), 30000);
    assert_int_equal(webhook_retry_delay_ms(2, base, 0), 120000);
    assert_int_equal(webhook_retry_delay_ms(3, base, 0), 600000);
    assert_int_equal(webhook_retry_delay_ms(4, base, 0), 1800000);
    assert_int_equal(webhook_retry_delay_ms(5, base, 0), 7200000);
    assert_int_equal(webhook_retry_delay_ms(6, base, 0), 14400000);
    assert_int_equal(webhook_retry_delay_ms(7, base, 0), 21600000);
    assert_int_equal(webhook_retry_delay_ms(8, base, 0), 28800000);
    assert_int_equal(webhook_retry_delay_ms(50, base, 0), 28800000);
    /* jitter: at most half a step more, never less */
    assert_int_equal(webhook_retry_delay_ms(1, base, 0.5), 37500);
    assert_true(webhook_retry_delay_ms(1, base, 0.999999) < 45000);
    assert_int_equal(webhook_retry_delay_ms(1, base, 1.5), 30000); /* out of range: no jitter */
    assert_int_equal(webhook_retry_delay_ms(0, base, 0), 30000);
    /* the first 8 tries (7 waits) span at least 12 hours, whatever the jitter */
    for (int n = 1; n <= 7; n++) {
        min_span += webhook_retry_delay_ms(n, base, 0);
        max_span += webhook_retry_delay_ms(n, base, 0.999999);
    }
    assert_true(min_span >= 12LL * 3600 * 1000);
    assert_int_equal(min_span, 45750000); /* 12 h 42 min 30 s */
    assert_true(max_span < 19LL * 3600 * 1000 + 1800000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standard_vector),
        cmocka_unit_test(test_bad_secrets),
        cmocka_unit_test(test_schedule),
    };

    assert_true(cal_init());
    return cmocka_run_group_tests(tests, NULL, NULL);
}
