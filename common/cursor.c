/*
 * cursor.c — encoding and strict decoding of list cursors.
 *
 * OpenSSL does the base64 work (EVP_EncodeBlock / EVP_DecodeBlock); this file
 * only maps between the standard and the URL alphabets and enforces strictness.
 * EVP_DecodeBlock is lenient (it skips surrounding whitespace and ignores unused
 * trailing bits), so the input is first checked against the alphabet, and the
 * decoded bytes are re-encoded and compared with the input: only the one
 * canonical spelling of a payload is accepted.
 */
#include "cursor.h"

#include <string.h>

#include <openssl/evp.h>

#define CURSOR_VERSION 1
#define HEADER_LEN 10 /* version + int64 + key length */
#define RAW_MAX (HEADER_LEN + CURSOR_KEY_MAX)

static bool key_char_ok(unsigned char c)
{
    return c >= 0x20 && c <= 0x7E;
}

static bool b64url_char_ok(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

/* base64url without padding of raw[0..n) into out (room for 4*ceil(n/3)+1). */
static size_t b64url_encode(const unsigned char *raw, size_t n, char *out)
{
    int len = EVP_EncodeBlock((unsigned char *)out, raw, (int)n);

    while (len > 0 && out[len - 1] == '=')
        len--;
    out[len] = '\0';
    for (int i = 0; i < len; i++) {
        if (out[i] == '+')
            out[i] = '-';
        else if (out[i] == '/')
            out[i] = '_';
    }
    return (size_t)len;
}

bool cursor_encode(int64_t ts, const char *key, char *out, size_t outsz)
{
    unsigned char raw[RAW_MAX];
    char enc[CURSOR_BUF_LEN + 4];
    uint64_t u = (uint64_t)ts;
    size_t n, len;

    if (key == NULL || out == NULL)
        return false;
    n = strnlen(key, CURSOR_KEY_MAX + 1);
    if (n > CURSOR_KEY_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!key_char_ok((unsigned char)key[i]))
            return false;

    raw[0] = CURSOR_VERSION;
    for (int i = 0; i < 8; i++)
        raw[1 + i] = (unsigned char)(u >> (56 - 8 * i));
    raw[9] = (unsigned char)n;
    memcpy(raw + HEADER_LEN, key, n);

    len = b64url_encode(raw, HEADER_LEN + n, enc);
    if (len + 1 > outsz)
        return false;
    memcpy(out, enc, len + 1);
    return true;
}

bool cursor_decode(const char *s, int64_t *ts, char *key, size_t keysz)
{
    char std[CURSOR_BUF_LEN + 4];   /* standard alphabet, padded */
    char again[CURSOR_BUF_LEN + 4]; /* canonical re-encoding */
    unsigned char raw[RAW_MAX + 3];
    size_t len, pad, n;
    int got;
    uint64_t u = 0;

    if (s == NULL || ts == NULL || key == NULL)
        return false;
    len = strnlen(s, CURSOR_MAX_LEN + 1);
    /* A length of 1 mod 4 cannot come from any byte string. */
    if (len == 0 || len > CURSOR_MAX_LEN || len % 4 == 1)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!b64url_char_ok(s[i]))
            return false;
        std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
    }
    pad = (4 - len % 4) % 4;
    memset(std + len, '=', pad);
    std[len + pad] = '\0';

    got = EVP_DecodeBlock(raw, (const unsigned char *)std, (int)(len + pad));
    if (got < 0 || (size_t)got < pad)
        return false;
    n = (size_t)got - pad; /* EVP_DecodeBlock counts the padding as zero bytes */
    if (n < HEADER_LEN || n > RAW_MAX)
        return false;

    /* Refuse the other spellings of the same bytes (non-zero unused bits). */
    b64url_encode(raw, n, again);
    if (strcmp(again, s) != 0)
        return false;

    if (raw[0] != CURSOR_VERSION || raw[9] > CURSOR_KEY_MAX || (size_t)raw[9] != n - HEADER_LEN)
        return false;
    if ((size_t)raw[9] + 1 > keysz)
        return false;
    for (size_t i = HEADER_LEN; i < n; i++)
        if (!key_char_ok(raw[i]))
            return false;

    for (int i = 0; i < 8; i++)
        u = (u << 8) | raw[1 + i];
    /* Two's complement without relying on an implementation-defined conversion. */
    *ts = u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
    memcpy(key, raw + HEADER_LEN, n - HEADER_LEN);
    key[n - HEADER_LEN] = '\0';
    return true;
}
