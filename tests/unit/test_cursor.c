/*
 * test_cursor.c — list cursors (round trip, strict decoding of hostile input)
 * and the UUID syntax check of path ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "cursor.h"
#include "uuidv.h"

static void roundtrip(int64_t ts, const char *key)
{
    char enc[CURSOR_BUF_LEN], key2[CURSOR_KEY_MAX + 1];
    int64_t ts2 = 0;

    assert_true(cursor_encode(ts, key, enc, sizeof(enc)));
    assert_true(strlen(enc) <= CURSOR_MAX_LEN);
    assert_int_equal(strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     strlen(enc));
    assert_true(cursor_decode(enc, &ts2, key2, sizeof(key2)));
    assert_true(ts2 == ts);
    assert_string_equal(key2, key);
}

static void test_roundtrip(void **state)
{
    char key[CURSOR_KEY_MAX + 1];

    (void)state;
    roundtrip(1763888400000000LL, "0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b");
    roundtrip(0, "");
    roundtrip(-1, "x");
    roundtrip(INT64_MAX, "~");
    roundtrip(INT64_MIN, " ");
    roundtrip(INT64_MIN + 1, "a b");
    /* Every key length, so every base64 tail (0, 2 or 3 characters) occurs. */
    for (int n = 0; n <= CURSOR_KEY_MAX; n++) {
        memset(key, 'a' + n % 26, (size_t)n);
        key[n] = '\0';
        roundtrip((int64_t)n * 1000003 - 500, key);
    }
    /* Every printable character, including the base64 specials' sources. */
    for (int c = 0x20; c <= 0x7E; c++) {
        key[0] = (char)c;
        key[1] = '?';
        key[2] = '\0';
        roundtrip(c, key);
    }
}

static void test_encode_refusals(void **state)
{
    char enc[CURSOR_BUF_LEN], key[CURSOR_KEY_MAX + 2];

    (void)state;
    memset(key, 'k', CURSOR_KEY_MAX + 1);
    key[CURSOR_KEY_MAX + 1] = '\0';
    assert_false(cursor_encode(1, key, enc, sizeof(enc))); /* 65 characters */
    assert_false(cursor_encode(1, NULL, enc, sizeof(enc)));
    assert_false(cursor_encode(1, "tab\there", enc, sizeof(enc)));
    assert_false(cursor_encode(1, "\x7f", enc, sizeof(enc)));
    assert_false(cursor_encode(1, "\xc3\xa9", enc, sizeof(enc)));
    assert_false(cursor_encode(1, "abc", enc, 4)); /* too small a buffer */
    assert_false(cursor_encode(1, "abc", NULL, 0));
    assert_true(cursor_encode(1, "abc", enc, 19)); /* 13 bytes -> 18 characters + NUL */
    assert_int_equal(strlen(enc), 18);
    assert_false(cursor_encode(1, "abc", enc, 18));
}

static bool dec(const char *s)
{
    int64_t ts = 42;
    char key[CURSOR_KEY_MAX + 1] = "untouched";
    bool ok = cursor_decode(s, &ts, key, sizeof(key));

    if (!ok) {
        /* Outputs are left alone on failure. */
        assert_true(ts == 42);
        assert_string_equal(key, "untouched");
    }
    return ok;
}

static void test_decode_hostile(void **state)
{
    char enc[CURSOR_BUF_LEN], bad[CURSOR_BUF_LEN + 8], big[4096];
    size_t n;

    (void)state;
    assert_true(cursor_encode(1763888400000000LL, "0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b", enc,
                              sizeof(enc)));
    assert_true(dec(enc));
    n = strlen(enc);

    assert_false(dec(NULL));
    assert_false(dec(""));
    assert_false(dec("A"));
    assert_false(dec("AAAA"));          /* 3 bytes: shorter than the header */
    assert_false(dec("AAAAAAAAAAAAAA")); /* 10 zero bytes: version 0 */
    assert_false(dec("'; DROP TABLE dossiers;--"));
    assert_false(dec("<script>alert(1)</script>"));
    assert_false(dec("%00"));
    assert_false(dec("null"));

    /* Standard alphabet, padding, whitespace: refused. */
    snprintf(bad, sizeof(bad), "%s=", enc);
    assert_false(dec(bad));
    snprintf(bad, sizeof(bad), "%s==", enc);
    assert_false(dec(bad));
    snprintf(bad, sizeof(bad), " %s", enc);
    assert_false(dec(bad));
    snprintf(bad, sizeof(bad), "%s\n", enc);
    assert_false(dec(bad));
    for (size_t i = 0; i < n; i++) {
        const char *subs = "+/=.~ \t*";

        for (const char *c = subs; *c; c++) {
            memcpy(bad, enc, n + 1);
            bad[i] = *c;
            assert_false(dec(bad));
        }
    }
    /* Junk after a valid cursor, or a truncated one. */
    for (size_t cut = 0; cut < n; cut++) {
        memcpy(bad, enc, cut);
        bad[cut] = '\0';
        assert_false(dec(bad));
    }
    snprintf(bad, sizeof(bad), "%sAAAA", enc);
    assert_false(dec(bad));
    snprintf(bad, sizeof(bad), "%sA", enc);
    assert_false(dec(bad));

    /* Overlong. */
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_false(dec(big));
    big[CURSOR_MAX_LEN + 1] = '\0';
    assert_false(dec(big));
}

/* Build a cursor from raw bytes, bypassing cursor_encode's checks. */
static void raw_cursor(const unsigned char *raw, size_t n, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;

    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)raw[i] << 16;

        if (i + 1 < n)
            v |= (unsigned)raw[i + 1] << 8;
        if (i + 2 < n)
            v |= raw[i + 2];
        out[o++] = a[(v >> 18) & 63];
        out[o++] = a[(v >> 12) & 63];
        if (i + 1 < n)
            out[o++] = a[(v >> 6) & 63];
        if (i + 2 < n)
            out[o++] = a[v & 63];
    }
    out[o] = '\0';
}

static void test_decode_payload(void **state)
{
    unsigned char raw[80];
    char s[120], key[CURSOR_KEY_MAX + 1];
    int64_t ts;

    (void)state;
    /* The reference encoder agrees with cursor_encode. */
    memset(raw, 0, sizeof(raw));
    raw[0] = 1;
    raw[8] = 7;
    raw[9] = 3;
    memcpy(raw + 10, "abc", 3);
    raw_cursor(raw, 13, s);
    assert_true(cursor_decode(s, &ts, key, sizeof(key)));
    assert_true(ts == 7);
    assert_string_equal(key, "abc");
    {
        char enc[CURSOR_BUF_LEN];

        assert_true(cursor_encode(7, "abc", enc, sizeof(enc)));
        assert_string_equal(enc, s);
    }

    raw[0] = 2; /* unknown version */
    raw_cursor(raw, 13, s);
    assert_false(dec(s));
    raw[0] = 1;

    raw[9] = 4; /* length says 4, payload has 3 */
    raw_cursor(raw, 13, s);
    assert_false(dec(s));
    raw[9] = 2; /* length says 2, payload has 3 */
    raw_cursor(raw, 13, s);
    assert_false(dec(s));
    raw[9] = 3;

    raw[11] = 0; /* NUL inside the key */
    raw_cursor(raw, 13, s);
    assert_false(dec(s));
    raw[11] = 0x1f;
    raw_cursor(raw, 13, s);
    assert_false(dec(s));
    raw[11] = 0x80;
    raw_cursor(raw, 13, s);
    assert_false(dec(s));
    raw[11] = 'b';

    /* A 65-byte key, correctly announced, is still too long. */
    raw[9] = 65;
    memset(raw + 10, 'k', 65);
    raw_cursor(raw, 75, s);
    assert_false(dec(s));

    /* A key that does not fit the caller's buffer. */
    raw[9] = 3;
    memcpy(raw + 10, "abc", 3);
    raw_cursor(raw, 13, s);
    ts = 0;
    assert_false(cursor_decode(s, &ts, key, 3));
    assert_true(cursor_decode(s, &ts, key, 4));
    assert_false(cursor_decode(s, NULL, key, sizeof(key)));
    assert_false(cursor_decode(s, &ts, NULL, sizeof(key)));

    /* Non-canonical trailing bits: same bytes, another spelling. 13 bytes end
     * with one byte in two characters, whose last 4 bits must be zero. */
    raw_cursor(raw, 13, s);
    {
        size_t n = strlen(s);
        const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int idx = (int)(strchr(a, s[n - 1]) - a);

        assert_int_equal(idx & 15, 0);
        s[n - 1] = a[idx | 1];
        assert_false(dec(s));
    }
}

/* Random bytes must never crash nor be accepted unless they round-trip. */
static void test_decode_random(void **state)
{
    char s[CURSOR_MAX_LEN + 2], key[CURSOR_KEY_MAX + 1], again[CURSOR_BUF_LEN];
    const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ ";
    uint32_t seed = 12345;
    int accepted = 0;

    (void)state;
    for (int iter = 0; iter < 200000; iter++) {
        size_t n;
        int64_t ts;

        seed = seed * 1103515245u + 12345u;
        n = (seed >> 16) % (CURSOR_MAX_LEN + 1);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            /* Mostly the URL alphabet, sometimes any byte. */
            s[i] = (seed >> 24) % 8 ? alpha[(seed >> 16) % 64] : (char)((seed >> 16) % 255 + 1);
        }
        s[n] = '\0';
        if (iter % 2 == 0) {
            /* Or a valid cursor with one character changed. */
            char k[CURSOR_KEY_MAX + 1];
            size_t kl = (seed >> 8) % (CURSOR_KEY_MAX + 1);

            memset(k, 'a' + (int)(seed % 26), kl);
            k[kl] = '\0';
            assert_true(cursor_encode((int64_t)seed * 977, k, s, sizeof(s)));
            n = strlen(s);
            seed = seed * 1103515245u + 12345u;
            s[(seed >> 16) % n] = alpha[(seed >> 8) % 68];
        }
        if (cursor_decode(s, &ts, key, sizeof(key))) {
            accepted++;
            assert_true(cursor_encode(ts, key, again, sizeof(again)));
            assert_string_equal(again, s);
        }
    }
    print_message("random cursors accepted: %d\n", accepted);
}

static void test_uuid(void **state)
{
    (void)state;
    assert_true(uuid_valid("0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b"));
    assert_true(uuid_valid("0B6F3C2E-1D4A-4F7E-9A51-2C3D4E5F6A7B"));
    assert_true(uuid_valid("00000000-0000-0000-0000-000000000000"));
    assert_true(uuid_valid("ffffffff-ffff-ffff-ffff-ffffffffffff"));
    assert_false(uuid_valid(NULL));
    assert_false(uuid_valid(""));
    assert_false(uuid_valid("0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7"));   /* 35 */
    assert_false(uuid_valid("0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7bc")); /* 37 */
    assert_false(uuid_valid("0b6f3c2e1d4a4f7e9a512c3d4e5f6a7b"));
    assert_false(uuid_valid("{0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b}"));
    assert_false(uuid_valid("urn:uuid:0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b"));
    assert_false(uuid_valid("0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7g"));
    assert_false(uuid_valid("0b6f3c2e_1d4a-4f7e-9a51-2c3d4e5f6a7b"));
    assert_false(uuid_valid("0b6f3c2-e1d4a-4f7e-9a51-2c3d4e5f6a7b"));
    assert_false(uuid_valid(" 0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b"));
    assert_false(uuid_valid("0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b "));
    assert_false(uuid_valid("0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b\n"));
    assert_false(uuid_valid("'; DROP TABLE dossiers;--"));
    assert_false(uuid_valid("../../../../etc/passwd"));
    assert_false(uuid_valid("------------------------------------"));
    /* A hyphen moved onto a digit, or a digit onto a hyphen, is refused. */
    for (int i = 0; i < UUID_STR_LEN; i++) {
        char s[] = "0b6f3c2e-1d4a-4f7e-9a51-2c3d4e5f6a7b";

        s[i] = s[i] == '-' ? 'a' : '-';
        assert_false(uuid_valid(s));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_encode_refusals),
        cmocka_unit_test(test_decode_hostile),
        cmocka_unit_test(test_decode_payload),
        cmocka_unit_test(test_decode_random),
        cmocka_unit_test(test_uuid),
    };

    cal_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
