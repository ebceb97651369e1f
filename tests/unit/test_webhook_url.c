/*
 * test_webhook_url.c — webhook URL syntax and the private address classifier:
 * every URL case and both sides of every address range.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "webhook_url.h"

/* ---- URLs ------------------------------------------------------------------ */

static void url_is(const char *url, enum webhook_url_error want)
{
    enum webhook_url_error got = webhook_url_parse(url, NULL);

    if (got != want)
        fail_msg("%s: got %d, want %d", url ? url : "(null)", (int)got, (int)want);
}

static void test_url_accepted(void **state)
{
    struct webhook_url u;

    (void)state;
    assert_int_equal(webhook_url_parse("https://hooks.example.org/epart", &u), WURL_OK);
    assert_true(u.https);
    assert_string_equal(u.host, "hooks.example.org");
    assert_int_equal(u.port, 0);
    assert_int_equal(webhook_url_parse("http://example.org:8080/a/b?x=1&y=%20", &u), WURL_OK);
    assert_false(u.https);
    assert_string_equal(u.host, "example.org");
    assert_int_equal(u.port, 8080);
    assert_int_equal(webhook_url_parse("HTTPS://Example.ORG", &u), WURL_OK);
    assert_true(u.https);
    assert_string_equal(u.host, "Example.ORG");
    assert_int_equal(webhook_url_parse("HtTp://example.org?q", &u), WURL_OK);
    assert_int_equal(webhook_url_parse("http://127.0.0.1:65535/", &u), WURL_OK);
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 65535);
    assert_int_equal(webhook_url_parse("http://[::1]:8080/x", &u), WURL_OK);
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 8080);
    assert_int_equal(webhook_url_parse("https://[2001:db8::1]/", &u), WURL_OK);
    assert_string_equal(u.host, "2001:db8::1");
    assert_int_equal(webhook_url_parse("http://[::ffff:10.0.0.1]/", &u), WURL_OK);
    assert_int_equal(webhook_url_parse("https://example.org./", &u), WURL_OK);
    assert_int_equal(webhook_url_parse("https://my_host-1.example.org/", &u), WURL_OK);
    assert_int_equal(webhook_url_parse("http://localhost:1/", &u), WURL_OK);
    assert_int_equal(webhook_url_parse("http://a:1", &u), WURL_OK);
    assert_int_equal(u.port, 1);
}

static void test_url_scheme(void **state)
{
    (void)state;
    url_is("ftp://example.org/", WURL_SCHEME);
    url_is("file:///etc/passwd", WURL_SCHEME);
    url_is("gopher://example.org/", WURL_SCHEME);
    url_is("javascript:alert(1)", WURL_SCHEME);
    url_is("httpx://example.org/", WURL_SCHEME);
    url_is("ws://example.org/", WURL_SCHEME);
    url_is("http:example.org", WURL_MALFORMED);
    url_is("http:/example.org", WURL_MALFORMED);
    url_is("https//example.org", WURL_MALFORMED);
    url_is("example.org", WURL_MALFORMED);
    url_is("://example.org", WURL_MALFORMED);
    url_is("/relative/path", WURL_MALFORMED);
}

static void test_url_userinfo(void **state)
{
    (void)state;
    url_is("http://user:pw@example.org/", WURL_USERINFO);
    url_is("http://user@example.org/", WURL_USERINFO);
    url_is("http://@example.org/", WURL_USERINFO);
    url_is("http://example.org:80@evil.example/", WURL_USERINFO);
    url_is("https://a@[::1]/", WURL_USERINFO);
    /* an @ after the authority is only path or query */
    url_is("http://example.org/a@b", WURL_OK);
    url_is("http://example.org/?to=a@b", WURL_OK);
}

static void test_url_characters_and_length(void **state)
{
    char *url = malloc(WEBHOOK_URL_MAX + 2);
    size_t prefix = strlen("https://example.org/");

    (void)state;
    url_is(NULL, WURL_TOO_LONG);
    url_is("", WURL_TOO_LONG);
    memcpy(url, "https://example.org/", prefix);
    memset(url + prefix, 'a', WEBHOOK_URL_MAX - prefix);
    url[WEBHOOK_URL_MAX] = '\0';
    url_is(url, WURL_OK); /* exactly 2048 */
    url[WEBHOOK_URL_MAX] = 'a';
    url[WEBHOOK_URL_MAX + 1] = '\0';
    url_is(url, WURL_TOO_LONG); /* 2049 */
    free(url);
    url_is("http://example.org/a b", WURL_BAD_CHAR);
    url_is(" http://example.org/", WURL_BAD_CHAR);
    url_is("http://example.org/\t", WURL_BAD_CHAR);
    url_is("http://example.org/\r\nX-Evil: 1", WURL_BAD_CHAR);
    url_is("http://example.org/\x7f", WURL_BAD_CHAR);
    url_is("http://exa\x01mple.org/", WURL_BAD_CHAR);
    url_is("http://ex\xc3\xa9mple.org/", WURL_BAD_CHAR);
    url_is("http://example.org\\@evil/", WURL_BAD_CHAR);
    url_is("http://example.org/#frag", WURL_MALFORMED);
    url_is("http://evil#@example.org/", WURL_MALFORMED);
}

static void test_url_host_and_port(void **state)
{
    (void)state;
    url_is("http:///path", WURL_BAD_HOST);
    url_is("http://", WURL_BAD_HOST);
    url_is("http://?x", WURL_BAD_HOST);
    url_is("http://:80/", WURL_BAD_HOST);
    url_is("http://exa%2fmple.org/", WURL_BAD_HOST);
    url_is("http://example..org/", WURL_BAD_HOST);
    url_is("http://.example.org/", WURL_BAD_HOST);
    url_is("http://./", WURL_BAD_HOST);
    url_is("http://exa$mple.org/", WURL_BAD_HOST);
    url_is("http://[::1/", WURL_BAD_HOST);
    url_is("http://[]/", WURL_BAD_HOST);
    url_is("http://[not:an:ip]/", WURL_BAD_HOST);
    url_is("http://[fe80::1%25eth0]/", WURL_BAD_HOST);
    url_is("http://[127.0.0.1]/", WURL_BAD_HOST);
    url_is("http://[::1]x/", WURL_BAD_HOST);
    url_is("http://::1/", WURL_BAD_HOST);
    {
        char label[80], url[120];

        memset(label, 'a', 63);
        label[63] = '\0';
        snprintf(url, sizeof(url), "http://%s.org/", label);
        url_is(url, WURL_OK);
        memset(label, 'a', 64);
        label[64] = '\0';
        snprintf(url, sizeof(url), "http://%s.org/", label);
        url_is(url, WURL_BAD_HOST);
    }
    {
        char url[400];
        size_t n = 0;

        n += (size_t)snprintf(url, sizeof(url), "http://");
        while (n < 7 + 254) {
            url[n++] = 'a';
            url[n++] = '.';
        }
        url[n - 1] = 'a';
        url[n] = '\0';
        url_is(url, WURL_BAD_HOST); /* host of 254 characters */
    }
    url_is("http://example.org:0/", WURL_MALFORMED);
    url_is("http://example.org:65536/", WURL_MALFORMED);
    url_is("http://example.org:123456/", WURL_MALFORMED);
    url_is("http://example.org:/", WURL_MALFORMED);
    url_is("http://example.org:8o/", WURL_MALFORMED);
    url_is("http://example.org:-1/", WURL_MALFORMED);
    url_is("http://example.org:80:81/", WURL_MALFORMED);
    url_is("http://example.org:00080/", WURL_OK);
}

static void test_url_codes(void **state)
{
    (void)state;
    assert_string_equal(webhook_url_code(WURL_SCHEME), "unsupported_scheme");
    assert_string_equal(webhook_url_code(WURL_USERINFO), "userinfo_forbidden");
    assert_string_equal(webhook_url_code(WURL_TOO_LONG), "too_long");
    assert_string_equal(webhook_url_code(WURL_BAD_CHAR), "invalid_url");
    assert_string_equal(webhook_url_code(WURL_MALFORMED), "invalid_url");
    assert_string_equal(webhook_url_code(WURL_BAD_HOST), "invalid_url");
    for (int e = WURL_OK; e <= WURL_BAD_HOST; e++)
        assert_non_null(webhook_url_message((enum webhook_url_error)e));
}

/* ---- addresses -------------------------------------------------------------- */

static bool priv(const char *ip)
{
    struct sockaddr_storage ss;

    memset(&ss, 0, sizeof(ss));
    if (strchr(ip, ':') != NULL) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

        s6->sin6_family = AF_INET6;
        if (inet_pton(AF_INET6, ip, &s6->sin6_addr) != 1)
            fail_msg("bad test address %s", ip);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

        s4->sin_family = AF_INET;
        if (inet_pton(AF_INET, ip, &s4->sin_addr) != 1)
            fail_msg("bad test address %s", ip);
    }
    return addr_is_private((const struct sockaddr *)&ss);
}

static void is_private(const char *ip)
{
    if (!priv(ip))
        fail_msg("%s should be private", ip);
}

static void is_public(const char *ip)
{
    if (priv(ip))
        fail_msg("%s should be public", ip);
}

static void test_ipv4_ranges(void **state)
{
    (void)state;
    /* unspecified and "this network" 0/8 */
    is_private("0.0.0.0");
    is_private("0.255.255.255");
    is_public("1.0.0.0");
    is_public("1.1.1.1");
    /* 10/8 */
    is_public("9.255.255.255");
    is_private("10.0.0.0");
    is_private("10.0.0.1");
    is_private("10.255.255.255");
    is_public("11.0.0.0");
    /* CGNAT 100.64/10 */
    is_public("100.63.255.255");
    is_private("100.64.0.0");
    is_private("100.127.255.255");
    is_public("100.128.0.0");
    /* loopback 127/8 */
    is_public("126.255.255.255");
    is_private("127.0.0.0");
    is_private("127.0.0.1");
    is_private("127.255.255.255");
    is_public("128.0.0.0");
    /* link-local 169.254/16 with the cloud metadata address */
    is_public("169.253.255.255");
    is_private("169.254.0.0");
    is_private("169.254.169.254");
    is_private("169.254.255.255");
    is_public("169.255.0.0");
    /* 172.16/12 */
    is_public("172.15.255.255");
    is_private("172.16.0.0");
    is_private("172.31.255.255");
    is_public("172.32.0.0");
    /* 192.0.0/24 and 192.0.2/24 */
    is_public("191.255.255.255");
    is_private("192.0.0.0");
    is_private("192.0.0.255");
    is_public("192.0.1.0");
    is_private("192.0.2.1");
    is_public("192.0.3.0");
    /* 192.168/16 */
    is_public("192.167.255.255");
    is_private("192.168.0.0");
    is_private("192.168.1.1");
    is_private("192.168.255.255");
    is_public("192.169.0.0");
    /* benchmarking 198.18/15, documentation 198.51.100/24 and 203.0.113/24 */
    is_public("198.17.255.255");
    is_private("198.18.0.0");
    is_private("198.19.255.255");
    is_public("198.20.0.0");
    is_public("198.51.99.255");
    is_private("198.51.100.7");
    is_public("198.51.101.0");
    is_public("203.0.112.255");
    is_private("203.0.113.9");
    is_public("203.0.114.0");
    /* multicast 224/4, reserved 240/4 and broadcast */
    is_public("223.255.255.255");
    is_private("224.0.0.0");
    is_private("239.255.255.255");
    is_private("240.0.0.0");
    is_private("255.255.255.255");
    /* ordinary public addresses */
    is_public("8.8.8.8");
    is_public("93.184.216.34");
}

static void test_ipv6_ranges(void **state)
{
    (void)state;
    /* unspecified, loopback, IPv4-compatible, the rest of ::/8 */
    is_private("::");
    is_private("::1");
    is_private("::2");
    is_private("::8.8.8.8");
    is_private("ff::1");
    is_public("100::1:0:0:0:1"); /* just after 100::/64 */
    is_private("100::1");
    /* IPv4-mapped: judged by the IPv4 */
    is_private("::ffff:127.0.0.1");
    is_private("::ffff:10.0.0.1");
    is_private("::ffff:169.254.169.254");
    is_private("::ffff:100.64.0.0");
    is_public("::ffff:100.63.255.255");
    is_private("::ffff:172.16.0.0");
    is_public("::ffff:172.15.255.255");
    is_private("::ffff:0.0.0.0");
    is_private("::ffff:255.255.255.255");
    is_public("::ffff:8.8.8.8");
    /* NAT64 and 6to4 carry an IPv4 too */
    is_private("64:ff9b::7f00:1");
    is_private("64:ff9b::a00:1");
    is_public("64:ff9b::808:808");
    is_private("64:ff9b:1::1");
    is_private("2002:7f00:1::");
    is_private("2002:a9fe:a9fe::1");
    is_public("2002:808:808::1");
    /* Teredo and documentation */
    is_private("2001::1");
    is_private("2001:0:ffff::1");
    is_public("2001:1::1");
    is_private("2001:db8::1");
    is_public("2001:db9::1");
    is_public("2001:db7:ffff::1");
    /* unique local fc00::/7 */
    is_public("fbff:ffff::1");
    is_private("fc00::");
    is_private("fd12:3456::1");
    is_private("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    is_public("fe00::1");
    /* link-local fe80::/10 and site-local fec0::/10 */
    is_public("fe7f:ffff::1");
    is_private("fe80::");
    is_private("fe80::1");
    is_private("febf:ffff::1");
    is_private("fec0::1");
    is_private("feff:ffff::1");
    /* multicast */
    is_private("ff00::");
    is_private("ff02::1");
    is_private("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    /* global unicast */
    is_public("2001:4860:4860::8888");
    is_public("2a00:1450:4007::1");
    is_public("2606:4700::1111");
}

static void test_other_families(void **state)
{
    struct sockaddr sa;

    (void)state;
    assert_true(addr_is_private(NULL));
    memset(&sa, 0, sizeof(sa));
    sa.sa_family = AF_UNIX;
    assert_true(addr_is_private(&sa));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_accepted),
        cmocka_unit_test(test_url_scheme),
        cmocka_unit_test(test_url_userinfo),
        cmocka_unit_test(test_url_characters_and_length),
        cmocka_unit_test(test_url_host_and_port),
        cmocka_unit_test(test_url_codes),
        cmocka_unit_test(test_ipv4_ranges),
        cmocka_unit_test(test_ipv6_ranges),
        cmocka_unit_test(test_other_families),
    };

    assert_true(cal_init());
    return cmocka_run_group_tests(tests, NULL, NULL);
}
