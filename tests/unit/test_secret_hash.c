/*
 * test_secret_hash.c — base64 both ways, PBKDF2 hashes of client secrets, random
 * tokens and UUID v4.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secret_hash.h"
#include "uuidv.h"

#define FAST 1000u /* iterations: the minimum, so that the suite runs under valgrind */

/* Known answer computed with Python: hashlib.pbkdf2_hmac('sha256', b'password',
 * b'saltsaltsaltsalt', 1000, 32), both parts in standard padded base64. */
static const char KNOWN[] =
    "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=";

static void check_encode(const char *in, enum b64_variant v, const char *want)
{
    char out[64];
    unsigned char back[64];
    long n;

    assert_int_equal(b64_encoded_len(strlen(in), v), strlen(want));
    assert_int_equal(b64_encode((const unsigned char *)in, strlen(in), v, out, sizeof(out)),
                     strlen(want));
    assert_string_equal(out, want);
    n = b64_decode(want, strlen(want), v, back, sizeof(back));
    assert_int_equal(n, strlen(in));
    assert_memory_equal(back, in, strlen(in));
}

static void test_b64_rfc4648_vectors(void **state)
{
    char out[8];
    const unsigned char fb[] = {0xfb, 0xff};

    (void)state;
    check_encode("", B64_STD, "");
    check_encode("f", B64_STD, "Zg==");
    check_encode("fo", B64_STD, "Zm8=");
    check_encode("foo", B64_STD, "Zm9v");
    check_encode("foob", B64_STD, "Zm9vYg==");
    check_encode("fooba", B64_STD, "Zm9vYmE=");
    check_encode("foobar", B64_STD, "Zm9vYmFy");
    check_encode("", B64_URL, "");
    check_encode("f", B64_URL, "Zg");
    check_encode("fo", B64_URL, "Zm8");
    check_encode("foo", B64_URL, "Zm9v");
    check_encode("foob", B64_URL, "Zm9vYg");
    check_encode("fooba", B64_URL, "Zm9vYmE");
    check_encode("foobar", B64_URL, "Zm9vYmFy");
    assert_int_equal(b64_encode(fb, 2, B64_STD, out, sizeof(out)), 4);
    assert_string_equal(out, "+/8=");
    assert_int_equal(b64_encode(fb, 2, B64_URL, out, sizeof(out)), 3);
    assert_string_equal(out, "-_8");
}

static void test_b64_encode_buffer_too_small(void **state)
{
    char out[8] = "junk";

    (void)state;
    /* "foobar" needs 8 characters plus the NUL. */
    assert_int_equal(b64_encode((const unsigned char *)"foobar", 6, B64_STD, out, 8),
                     (size_t)-1);
    assert_string_equal(out, "");
    assert_int_equal(b64_encode((const unsigned char *)"f", 1, B64_URL, out, 2), (size_t)-1);
    assert_int_equal(b64_encode((const unsigned char *)"f", 1, B64_URL, out, 3), 2);
    assert_int_equal(b64_encode((const unsigned char *)"f", 1, B64_STD, out, 4), (size_t)-1);
    assert_int_equal(b64_encode((const unsigned char *)"f", 1, B64_STD, out, 5), 4);
    assert_int_equal(b64_encode(NULL, 1, B64_STD, out, sizeof(out)), (size_t)-1);
    assert_int_equal(b64_encode(NULL, 0, B64_STD, out, sizeof(out)), 0);
    assert_int_equal(b64_encode((const unsigned char *)"f", 1, B64_STD, NULL, 8), (size_t)-1);
}

static void reject(const char *s, enum b64_variant v)
{
    unsigned char out[64];

    assert_int_equal(b64_decode(s, strlen(s), v, out, sizeof(out)), -1);
}

static void test_b64_decode_is_strict(void **state)
{
    unsigned char out[4];

    (void)state;
    reject("Zg", B64_STD);     /* padding required */
    reject("Zm8", B64_STD);
    reject("Zg==", B64_URL);   /* padding refused */
    reject("Zm8=", B64_URL);
    reject("Zh==", B64_STD);   /* non-zero unused bits */
    reject("Zh", B64_URL);
    reject("Zm9=", B64_STD);
    reject("Zm9", B64_URL);
    reject("Z", B64_URL);      /* one character cannot carry a byte */
    reject("A", B64_URL);      /* ...not even with zero bits */
    reject("AAAAA", B64_URL);
    reject("Z===", B64_STD);
    reject("====", B64_STD);
    reject("Zg=a", B64_STD);
    reject("Z=g=", B64_STD);
    reject("Zm9v\n", B64_STD); /* no whitespace */
    reject("Zm9v ", B64_URL);
    reject(" Zm9v", B64_URL);
    reject("Zm 9v", B64_URL);
    reject("+/8=", B64_URL);   /* alphabets are not mixed */
    reject("-_8=", B64_STD);
    reject("-_8", B64_STD);
    reject("+/8", B64_URL);
    reject("Zm9v.", B64_URL);
    reject("Zm9\xc3\xa9", B64_URL);
    assert_int_equal(b64_decode("Zm9v\0Zm9v", 9, B64_URL, out, sizeof(out)), -1);
    /* Output too small. */
    assert_int_equal(b64_decode("Zm9vYg", 6, B64_URL, out, 3), -1);
    assert_int_equal(b64_decode("Zm9vYg", 6, B64_URL, out, 4), 4);
    assert_int_equal(b64_decode("", 0, B64_URL, NULL, 0), 0);
    assert_int_equal(b64_decode(NULL, 4, B64_URL, out, sizeof(out)), -1);
    /* Decoding stops at in_len, whatever follows. */
    assert_int_equal(b64_decode("Zm9v!!!!", 4, B64_URL, out, sizeof(out)), 3);
}

static void test_b64_roundtrip_all_lengths(void **state)
{
    unsigned char in[100], back[100];
    char text[200];

    (void)state;
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (unsigned char)(i * 37 + 11);
    for (int v = B64_STD; v <= B64_URL; v++) {
        for (size_t n = 0; n <= sizeof(in); n++) {
            size_t len = b64_encode(in, n, (enum b64_variant)v, text, sizeof(text));

            assert_int_equal(len, b64_encoded_len(n, (enum b64_variant)v));
            assert_int_equal(strlen(text), len);
            assert_int_equal(b64_decode(text, len, (enum b64_variant)v, back, sizeof(back)), n);
            assert_memory_equal(back, in, n);
        }
    }
}

static void test_b64_large_input_spans_chunks(void **state)
{
    const size_t n = 3 * 65536 * 2 + 2; /* more than two EVP_EncodeBlock chunks, a tail */
    unsigned char *in = malloc(n), *back = malloc(n);
    size_t tlen = b64_encoded_len(n, B64_URL);
    char *text = malloc(tlen + 1);

    (void)state;
    assert_non_null(in);
    assert_non_null(back);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++)
        in[i] = (unsigned char)(i ^ (i >> 8));
    assert_int_equal(b64_encode(in, n, B64_URL, text, tlen + 1), tlen);
    assert_null(strchr(text, '='));
    assert_null(strchr(text, '+'));
    assert_int_equal(b64_decode(text, tlen, B64_URL, back, n), n);
    assert_memory_equal(in, back, n);
    free(in);
    free(back);
    free(text);
}

static void test_hash_format_and_verify(void **state)
{
    char h[SECRET_HASH_MAX_LEN], h2[SECRET_HASH_MAX_LEN];
    const char *secret = "s3cr3t-0f-a-cl1ent";
    unsigned char salt[16];
    const char *p;

    (void)state;
    assert_true(secret_hash(secret, strlen(secret), FAST, h, sizeof(h)));
    assert_int_equal(strncmp(h, "pbkdf2-sha256$1000$", 19), 0);
    p = h + 19;
    assert_int_equal(strchr(p, '$') - p, 24); /* 16-byte salt */
    assert_int_equal(b64_decode(p, 24, B64_STD, salt, sizeof(salt)), 16);
    assert_int_equal(strlen(strchr(p, '$') + 1), 44); /* 32-byte hash */
    assert_true(strlen(h) < SECRET_HASH_MAX_LEN);

    assert_true(secret_verify(secret, strlen(secret), h));
    assert_false(secret_verify("s3cr3t-0f-a-cl1enT", strlen(secret), h));
    assert_false(secret_verify(secret, strlen(secret) - 1, h));
    assert_false(secret_verify("", 0, h));
    assert_false(secret_verify(NULL, 0, h));

    /* A fresh salt each time: same secret, different strings, both verify. */
    assert_true(secret_hash(secret, strlen(secret), FAST, h2, sizeof(h2)));
    assert_string_not_equal(h, h2);
    assert_true(secret_verify(secret, strlen(secret), h2));

    /* Secrets are byte strings: an embedded NUL counts. */
    assert_true(secret_hash("a\0b", 3, FAST, h, sizeof(h)));
    assert_true(secret_verify("a\0b", 3, h));
    assert_false(secret_verify("a\0c", 3, h));
    assert_false(secret_verify("a", 1, h));
}

static void test_hash_known_answer(void **state)
{
    (void)state;
    assert_true(secret_verify("password", 8, KNOWN));
    assert_false(secret_verify("Password", 8, KNOWN));
    assert_false(secret_hash_needs_rehash(KNOWN, FAST));
    assert_true(secret_hash_needs_rehash(KNOWN, SECRET_HASH_DEFAULT_ITERATIONS));
    assert_int_equal(SECRET_HASH_DEFAULT_ITERATIONS, 210000);
}

static void test_hash_iterations_are_recorded(void **state)
{
    char h[SECRET_HASH_MAX_LEN];

    (void)state;
    assert_true(secret_hash("x", 1, 1234, h, sizeof(h)));
    assert_int_equal(strncmp(h, "pbkdf2-sha256$1234$", 19), 0);
    assert_true(secret_verify("x", 1, h));
    assert_false(secret_hash_needs_rehash(h, 1234));
    assert_true(secret_hash_needs_rehash(h, 1235));
}

static void test_hash_bad_arguments(void **state)
{
    char h[SECRET_HASH_MAX_LEN] = "junk";
    static char big[SECRET_MAX_LEN + 1];

    (void)state;
    assert_false(secret_hash(NULL, 3, FAST, h, sizeof(h)));
    assert_string_equal(h, "");
    assert_false(secret_hash("abc", 0, FAST, h, sizeof(h)));
    assert_false(secret_hash("abc", 3, SECRET_HASH_MIN_ITERATIONS - 1, h, sizeof(h)));
    assert_false(secret_hash("abc", 3, SECRET_HASH_MAX_ITERATIONS + 1, h, sizeof(h)));
    assert_false(secret_hash("abc", 3, FAST, h, SECRET_HASH_MAX_LEN - 1));
    assert_false(secret_hash("abc", 3, FAST, NULL, sizeof(h)));
    memset(big, 'a', sizeof(big));
    assert_false(secret_hash(big, sizeof(big), FAST, h, sizeof(h)));
    assert_true(secret_hash(big, SECRET_MAX_LEN, FAST, h, sizeof(h)));
    assert_true(secret_verify(big, SECRET_MAX_LEN, h));
    assert_false(secret_verify(big, sizeof(big), h));
}

static void test_verify_malformed_stored(void **state)
{
    static const char *const bad[] = {
        "",
        "pbkdf2-sha256",
        "pbkdf2-sha256$",
        "pbkdf2-sha256$1000",
        "pbkdf2-sha256$1000$",
        "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==",
        "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$",
        "pbkdf2-sha512$1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "PBKDF2-SHA256$1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "pbkdf2_sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "pbkdf2-sha256$01000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "pbkdf2-sha256$+1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "pbkdf2-sha256$-1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "pbkdf2-sha256$ 1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "pbkdf2-sha256$1000a$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "pbkdf2-sha256$999$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "pbkdf2-sha256$0$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "pbkdf2-sha256$99999999$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "pbkdf2-sha256$100000000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "pbkdf2-sha256$18446744073709551617$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA=*$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "pbkdf2-sha256$1000$c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "pbkdf2-sha256$1000$$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQ==",
        "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQAA",
        "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA",
        "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=\n",
        "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=$",
        "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=$x",
        "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQB=",
        " pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=",
        "password",
    };
    char longstr[400];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(secret_verify("password", 8, bad[i]));
        assert_true(secret_hash_needs_rehash(bad[i], FAST));
    }
    assert_false(secret_verify("password", 8, NULL));
    assert_true(secret_hash_needs_rehash(NULL, FAST));

    /* Every strict prefix of a valid string is refused. */
    for (size_t n = 0; n < strlen(KNOWN); n++) {
        char cut[sizeof(KNOWN)];

        memcpy(cut, KNOWN, n);
        cut[n] = '\0';
        assert_false(secret_verify("password", 8, cut));
    }

    /* An over-long string is refused before any parsing. */
    memset(longstr, 'A', sizeof(longstr) - 1);
    longstr[sizeof(longstr) - 1] = '\0';
    memcpy(longstr, KNOWN, strlen(KNOWN));
    assert_false(secret_verify("password", 8, longstr));
}

static void test_verify_accepts_other_salt_lengths(void **state)
{
    /* 8-byte salt "saltsalt", computed with Python: another writer's salt length
     * still verifies (the format is self-describing), and asks for a re-hash. */
    const char *h8 = "pbkdf2-sha256$1000$c2FsdHNhbHQ=$E196ZhRPzw+wA84EjzHwJO1cv/MFJdO6C/sxmUeTYqY=";

    (void)state;
    assert_true(secret_verify("password", 8, h8));
    assert_true(secret_hash_needs_rehash(h8, FAST));
}

/* Correct hashes (computed with Python) that are nonetheless refused: they are
 * outside what we accept, so that a tampered row cannot lower the work. */
static void test_verify_refuses_weak_parameters(void **state)
{
    (void)state;
    /* 999 iterations, below the minimum. */
    assert_false(secret_verify("password", 8, "pbkdf2-sha256$999$c2FsdHNhbHRzYWx0c2FsdA==$"
                                              "30dQG/o1Bgdh2BLsfTDnOktUSuQ4qsNGPEZMNLBFNQM="));
    /* 4- and 7-byte salts, below 8. */
    assert_false(secret_verify("password", 8, "pbkdf2-sha256$1000$c2FsdA==$"
                                              "YywoEuRtRgQQK6dhjp1tfS+BKPYma0oDJk0qBGC33LM="));
    assert_false(secret_verify("password", 8, "pbkdf2-sha256$1000$c2FsdHNhbA==$"
                                              "8fU9CLdWBQ4tBGOA3Fe+V9v7e2vW97yqzXYaEFUXEvI="));
    /* 2^64 + 1000 iterations would wrap to 1000 in a 64-bit counter. */
    assert_false(secret_verify("password", 8,
                               "pbkdf2-sha256$18446744073709552616$c2FsdHNhbHRzYWx0c2FsdA==$"
                               "8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA="));
    assert_false(secret_verify("password", 8,
                               "pbkdf2-sha256$4294968296$c2FsdHNhbHRzYWx0c2FsdA==$"
                               "8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA="));
}

static bool url_safe(const char *s)
{
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
           strlen(s);
}

static void test_random_token(void **state)
{
    char a[64], b[64], small[43];
    unsigned char raw[32];

    (void)state;
    assert_int_equal(random_token(a, sizeof(a), 32), 43);
    assert_int_equal(strlen(a), 43);
    assert_true(url_safe(a));
    assert_int_equal(b64_decode(a, 43, B64_URL, raw, sizeof(raw)), 32);
    assert_int_equal(random_token(b, sizeof(b), 32), 43);
    assert_string_not_equal(a, b);

    assert_int_equal(random_token(small, sizeof(small), 32), -1); /* needs 44 with the NUL */
    assert_string_equal(small, "");
    assert_int_equal(random_token(a, sizeof(a), 0), -1);
    assert_int_equal(random_token(a, sizeof(a), RANDOM_MAX_BYTES + 1), -1);
    assert_int_equal(random_token(NULL, 64, 16), -1);
    assert_int_equal(random_token(a, 3, 1), 2);
}

static void test_random_b64_standard_for_webhooks(void **state)
{
    char s[64];
    unsigned char raw[24];

    (void)state;
    /* whsec_ + base64 of at least 24 random bytes (SPEC §6). */
    assert_int_equal(random_b64(s, sizeof(s), 24, B64_STD), 32);
    assert_int_equal(b64_decode(s, strlen(s), B64_STD, raw, sizeof(raw)), 24);
    assert_int_equal(random_b64(s, sizeof(s), 32, B64_STD), 44);
    assert_int_equal(s[43], '=');
}

static void test_uuid_v4(void **state)
{
    enum { N = 200 };
    static char ids[N][37];

    (void)state;
    for (int i = 0; i < N; i++) {
        char *u = ids[i];

        assert_true(uuid_v4(u));
        assert_int_equal(strlen(u), 36);
        assert_true(uuid_valid(u));
        assert_int_equal(u[14], '4');
        assert_non_null(strchr("89ab", u[19]));
        assert_int_equal(strspn(u, "0123456789abcdef-"), 36);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(ids[j], u);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b64_rfc4648_vectors),
        cmocka_unit_test(test_b64_encode_buffer_too_small),
        cmocka_unit_test(test_b64_decode_is_strict),
        cmocka_unit_test(test_b64_roundtrip_all_lengths),
        cmocka_unit_test(test_b64_large_input_spans_chunks),
        cmocka_unit_test(test_hash_format_and_verify),
        cmocka_unit_test(test_hash_known_answer),
        cmocka_unit_test(test_hash_iterations_are_recorded),
        cmocka_unit_test(test_hash_bad_arguments),
        cmocka_unit_test(test_verify_malformed_stored),
        cmocka_unit_test(test_verify_accepts_other_salt_lengths),
        cmocka_unit_test(test_verify_refuses_weak_parameters),
        cmocka_unit_test(test_random_token),
        cmocka_unit_test(test_random_b64_standard_for_webhooks),
        cmocka_unit_test(test_uuid_v4),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
