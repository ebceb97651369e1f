/*
 * fuzz_cursor.c — list cursors (common/cursor.h).
 *
 * Decoding: cursor_decode() on the input as a string, into a key buffer of
 * exactly keysz bytes (keysz taken from the input's length, 0..CURSOR_KEY_MAX+1,
 * so that both tight and ample buffers are tried and any overflow is caught).
 * An accepted cursor must be canonical: encoding the decoded pair again gives
 * the input back; a refused one leaves the outputs untouched.
 *
 * Round trip: the input also gives an int64 (its first 8 bytes) and a key (the
 * rest); cursor_encode() must accept the key exactly when it is at most
 * CURSOR_KEY_MAX printable ASCII characters, write at most CURSOR_MAX_LEN
 * base64url characters, and cursor_decode() must give the same pair back. An
 * output buffer one byte too small must be refused.
 */
#include "fuzz_common.h"

#include <stdbool.h>

#include "cursor.h"

static bool printable(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            return false;
    return true;
}

static void decode_laws(const char *s, size_t keysz)
{
    char *key = malloc(keysz > 0 ? keysz : 1);
    int64_t ts = 0x5a5a5a5a;
    char again[CURSOR_BUF_LEN];

    FZ_ASSERT(key != NULL);
    if (keysz > 0)
        memset(key, 'Z', keysz);
    if (cursor_decode(s, &ts, key, keysz)) {
        FZ_ASSERT(keysz > 0);
        FZ_ASSERT(memchr(key, '\0', keysz) != NULL);
        FZ_ASSERT(strlen(key) <= CURSOR_KEY_MAX && printable(key, strlen(key)));
        FZ_ASSERT(strlen(s) <= CURSOR_MAX_LEN);
        FZ_ASSERT(cursor_encode(ts, key, again, sizeof(again)));
        FZ_ASSERT(strcmp(again, s) == 0);
    } else {
        FZ_ASSERT(ts == 0x5a5a5a5a);
        for (size_t i = 0; i < keysz; i++)
            FZ_ASSERT(key[i] == 'Z');
    }
    free(key);
}

static void round_trip(const uint8_t *data, size_t size)
{
    uint64_t u = 0;
    int64_t ts, got_ts = 0;
    char *key, enc[CURSOR_BUF_LEN], got_key[CURSOR_KEY_MAX + 1], small[CURSOR_BUF_LEN];
    size_t klen;
    bool ok;

    for (size_t i = 0; i < 8 && i < size; i++)
        u = (u << 8) | data[i];
    memcpy(&ts, &u, sizeof(ts));
    key = fz_str(data + (size < 8 ? size : 8), size < 8 ? 0 : size - 8);
    klen = strlen(key);

    ok = cursor_encode(ts, key, enc, sizeof(enc));
    FZ_ASSERT(ok == (klen <= CURSOR_KEY_MAX && printable(key, klen)));
    if (ok) {
        size_t elen = strlen(enc);

        FZ_ASSERT(elen > 0 && elen <= CURSOR_MAX_LEN);
        for (size_t i = 0; i < elen; i++)
            FZ_ASSERT(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                             enc[i]) != NULL);
        FZ_ASSERT(cursor_decode(enc, &got_ts, got_key, sizeof(got_key)));
        FZ_ASSERT(got_ts == ts && strcmp(got_key, key) == 0);
        /* Exactly enough room works; one byte less does not. */
        FZ_ASSERT(cursor_encode(ts, key, small, elen + 1) && strcmp(small, enc) == 0);
        FZ_ASSERT(!cursor_encode(ts, key, small, elen));
        /* A key buffer one byte short of the key and its NUL is refused. */
        FZ_ASSERT(!cursor_decode(enc, &got_ts, got_key, klen));
    }
    free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fz_str(data, size);

    decode_laws(s, size % (CURSOR_KEY_MAX + 2));
    decode_laws(s, CURSOR_KEY_MAX + 1);
    round_trip(data, size);
    free(s);
    return 0;
}
