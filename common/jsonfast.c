/*
 * jsonfast.c — the fast path to a Jansson tree (see jsonfast.h).
 *
 * A recursive descent over the text in place: a string without escapes goes to
 * json_stringn_nocheck() straight from the input (its UTF-8 checked here, as
 * Jansson's reader checks every byte), one with escapes is decoded into a
 * scratch buffer reused for the whole document. Every rule where Jansson
 * refuses (jansson 2.14: lex_scan_string, lex_scan_number, parse_object,
 * utf8_check_first/full) is a "give up" here, never a decision.
 */
#include "jsonfast.h"

#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define FAST_DEPTH_MAX 64
#define REAL_TEXT_MAX 64
#define INT_DIGITS_MAX 18 /* always within int64_t: no overflow to check */

struct parser {
    const unsigned char *s, *end;
    int depth, max_depth;
    char *scratch; /* decoded strings with escapes */
    size_t scratch_cap;
};

static void skip_ws(struct parser *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
        p->s++;
}

/* Length of the UTF-8 sequence starting at s (at most left bytes), 0 when
 * Jansson would refuse it: overlong, a surrogate, past U+10FFFF, truncated. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
    unsigned c = s[0];
    size_t n;
    uint32_t v;

    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 3 && v < 0x800) ||
        (n == 4 && v < 0x10000))
        return 0;
    return n;
}

static int hex_value(unsigned c)
{
    if (c >= '0' && c <= '9')
        return (int)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return (int)(c - 'A' + 10);
    return -1;
}

/* The 4 hex digits at s (the caller made sure they are there), or -1. */
static int32_t hex4(const unsigned char *s)
{
    int32_t v = 0;

    for (int i = 0; i < 4; i++) {
        int h = hex_value(s[i]);

        if (h < 0)
            return -1;
        v = (v << 4) | h;
    }
    return v;
}

static size_t utf8_put(char *out, uint32_t v)
{
    if (v < 0x80) {
        out[0] = (char)v;
        return 1;
    }
    if (v < 0x800) {
        out[0] = (char)(0xC0 | (v >> 6));
        out[1] = (char)(0x80 | (v & 0x3F));
        return 2;
    }
    if (v < 0x10000) {
        out[0] = (char)(0xE0 | (v >> 12));
        out[1] = (char)(0x80 | ((v >> 6) & 0x3F));
        out[2] = (char)(0x80 | (v & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (v >> 18));
    out[1] = (char)(0x80 | ((v >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((v >> 6) & 0x3F));
    out[3] = (char)(0x80 | (v & 0x3F));
    return 4;
}

/* Decode the escapes of the raw string [s, e) (checked by read_string) into
 * the scratch buffer. False on what Jansson refuses: "\u0000" (no
 * JSON_ALLOW_NUL), a lone or reversed surrogate. */
static bool decode(struct parser *p, const unsigned char *s, const unsigned char *e, size_t *len)
{
    size_t n = 0, raw = (size_t)(e - s);
    char *out;

    /* decoding never lengthens: "\uXXXX" (6) gives at most 3 bytes, a pair
     * (12) 4 bytes, a two-character escape 1 byte */
    if (raw + 1 > p->scratch_cap) {
        char *b = realloc(p->scratch, raw + 1);

        if (b == NULL)
            return false;
        p->scratch = b;
        p->scratch_cap = raw + 1;
    }
    out = p->scratch;
    while (s < e) {
        int32_t v;

        if (*s != '\\') {
            out[n++] = (char)*s++;
            continue;
        }
        s++;
        switch (*s) {
        case '"': case '\\': case '/': out[n++] = (char)*s; s++; continue;
        case 'b': out[n++] = '\b'; s++; continue;
        case 'f': out[n++] = '\f'; s++; continue;
        case 'n': out[n++] = '\n'; s++; continue;
        case 'r': out[n++] = '\r'; s++; continue;
        case 't': out[n++] = '\t'; s++; continue;
        default: break; /* 'u': read_string let nothing else through */
        }
        v = hex4(s + 1);
        s += 5;
        if (v <= 0 || (v >= 0xDC00 && v <= 0xDFFF))
            return false;
        if (v >= 0xD800 && v <= 0xDBFF) {
            int32_t lo;

            if (e - s < 6 || s[0] != '\\' || s[1] != 'u')
                return false;
            lo = hex4(s + 2);
            if (lo < 0xDC00 || lo > 0xDFFF)
                return false;
            v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
            s += 6;
        }
        n += utf8_put(out + n, (uint32_t)v);
    }
    *len = n;
    return true;
}

/* The string whose opening quote is at p->s: its bytes in *out, *len (in the
 * input when it has no escape, else in the scratch buffer). */
static bool read_string(struct parser *p, const char **out, size_t *len)
{
    const unsigned char *start = p->s + 1, *s = start, *e = p->end;
    bool escaped = false;

    for (;;) {
        unsigned c;

        if (s >= e)
            return false;
        c = *s;
        if (c == '"')
            break;
        if (c == '\\') {
            escaped = true;
            if (e - s < 2)
                return false;
            switch (s[1]) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                s += 2;
                continue;
            case 'u':
                if (e - s < 6 || hex4(s + 2) < 0)
                    return false;
                s += 6;
                continue;
            default:
                return false;
            }
        }
        if (c < 0x20)
            return false;
        if (c < 0x80) {
            s++;
            continue;
        }
        {
            size_t n = utf8_len(s, (size_t)(e - s));

            if (n == 0)
                return false;
            s += n;
        }
    }
    p->s = s + 1;
    if (!escaped) {
        *out = (const char *)start;
        *len = (size_t)(s - start);
        return true;
    }
    if (!decode(p, start, s, len))
        return false;
    *out = p->scratch;
    return true;
}

static bool is_digit(const struct parser *p, const unsigned char *s)
{
    return s < p->end && *s >= '0' && *s <= '9';
}

/* A number as Jansson's lex_scan_number reads it; NULL for a form it refuses
 * (leading zero, "-", "1.", "1e") and for those left to it (more than
 * INT_DIGITS_MAX digits, a real out of range or too long to copy). */
static json_t *read_number(struct parser *p)
{
    const unsigned char *s = p->s, *digits;
    bool real = false;

    if (*s == '-')
        s++;
    digits = s;
    if (is_digit(p, s) && *s == '0') {
        s++;
        if (is_digit(p, s))
            return NULL;
    } else if (is_digit(p, s)) {
        while (is_digit(p, s))
            s++;
    } else {
        return NULL;
    }
    if (s < p->end && *s == '.') {
        real = true;
        s++;
        if (!is_digit(p, s))
            return NULL;
        while (is_digit(p, s))
            s++;
    }
    if (s < p->end && (*s == 'e' || *s == 'E')) {
        real = true;
        s++;
        if (s < p->end && (*s == '+' || *s == '-'))
            s++;
        if (!is_digit(p, s))
            return NULL;
        while (is_digit(p, s))
            s++;
    }
    if (!real) {
        json_int_t v = 0;

        if (s - digits > INT_DIGITS_MAX)
            return NULL;
        for (const unsigned char *d = digits; d < s; d++)
            v = v * 10 + (*d - '0');
        if (*p->s == '-')
            v = -v;
        p->s = s;
        return json_integer(v);
    }
    {
        char text[REAL_TEXT_MAX + 1];
        size_t n = (size_t)(s - p->s);
        double v;

        /* strtod reads the C locale's '.', as Jansson makes sure it does */
        if (n > REAL_TEXT_MAX || localeconv()->decimal_point[0] != '.')
            return NULL;
        memcpy(text, p->s, n);
        text[n] = '\0';
        v = strtod(text, NULL);
        if (isinf(v))
            return NULL; /* Jansson: "real number overflow" */
        p->s = s;
        return json_real(v);
    }
}

static bool literal(struct parser *p, const char *word, size_t n)
{
    if ((size_t)(p->end - p->s) < n || memcmp(p->s, word, n) != 0)
        return false;
    p->s += n;
    return true;
}

static json_t *read_value(struct parser *p);

enum after { MORE, CLOSED, BROKEN };

/* After a member or an element: a comma (another follows) or the closing
 * bracket of its container (one level up). */
static enum after after_member(struct parser *p, unsigned char close)
{
    skip_ws(p);
    if (p->s >= p->end)
        return BROKEN;
    if (*p->s == ',') {
        p->s++;
        skip_ws(p);
        return MORE;
    }
    if (*p->s != close)
        return BROKEN;
    p->s++;
    p->depth--;
    return CLOSED;
}

static json_t *read_object(struct parser *p)
{
    json_t *obj;
    char *held = NULL; /* the copy of an escaped key */

    if (++p->depth > p->max_depth || (obj = json_object()) == NULL)
        return NULL;
    p->s++;
    skip_ws(p);
    if (p->s < p->end && *p->s == '}') {
        p->s++;
        p->depth--;
        return obj;
    }
    for (;;) {
        const char *key;
        size_t klen, before;
        json_t *v;

        if (p->s >= p->end || *p->s != '"' || !read_string(p, &key, &klen))
            goto fail;
        /* a key with escapes lives in the scratch buffer, which the value
         * may reuse: keep a copy of it */
        if (key == p->scratch) {
            char *k = malloc(klen + 1);

            if (k == NULL)
                goto fail;
            memcpy(k, key, klen);
            key = held = k;
        }
        skip_ws(p);
        if (p->s >= p->end || *p->s != ':')
            goto fail;
        p->s++;
        skip_ws(p);
        v = read_value(p);
        before = json_object_size(obj);
        /* a key already there leaves the size as it was: Jansson's
         * JSON_REJECT_DUPLICATES refuses it */
        if (v == NULL || json_object_setn_new_nocheck(obj, key, klen, v) != 0 ||
            json_object_size(obj) == before)
            goto fail;
        free(held);
        held = NULL;
        switch (after_member(p, '}')) {
        case MORE: continue;
        case CLOSED: return obj;
        default: goto fail;
        }
    }
fail:
    free(held);
    json_decref(obj);
    return NULL;
}

static json_t *read_array(struct parser *p)
{
    json_t *arr;

    if (++p->depth > p->max_depth || (arr = json_array()) == NULL)
        return NULL;
    p->s++;
    skip_ws(p);
    if (p->s < p->end && *p->s == ']') {
        p->s++;
        p->depth--;
        return arr;
    }
    for (;;) {
        json_t *v = read_value(p);

        if (v == NULL || json_array_append_new(arr, v) != 0)
            goto fail;
        switch (after_member(p, ']')) {
        case MORE: continue;
        case CLOSED: return arr;
        default: goto fail;
        }
    }
fail:
    json_decref(arr);
    return NULL;
}

static json_t *read_value(struct parser *p)
{
    if (p->s >= p->end)
        return NULL;
    switch (*p->s) {
    case '{':
        return read_object(p);
    case '[':
        return read_array(p);
    case '"': {
        const char *s;
        size_t n;

        return read_string(p, &s, &n) ? json_stringn_nocheck(s, n) : NULL;
    }
    case 't':
        return literal(p, "true", 4) ? json_true() : NULL;
    case 'f':
        return literal(p, "false", 5) ? json_false() : NULL;
    case 'n':
        return literal(p, "null", 4) ? json_null() : NULL;
    default:
        return read_number(p);
    }
}

json_t *json_fast_loadb(const char *text, size_t len, int max_depth)
{
    struct parser p = {
        .s = (const unsigned char *)text,
        .end = (const unsigned char *)text + len,
        .max_depth = max_depth < 1 ? 1 : max_depth > FAST_DEPTH_MAX ? FAST_DEPTH_MAX : max_depth,
    };
    json_t *doc = NULL;

    if (text == NULL)
        return NULL;
    skip_ws(&p);
    /* without JSON_DECODE_ANY, Jansson takes an object or an array only */
    if (p.s < p.end && (*p.s == '{' || *p.s == '['))
        doc = read_value(&p);
    if (doc != NULL) {
        skip_ws(&p);
        if (p.s != p.end) {
            json_decref(doc);
            doc = NULL;
        }
    }
    free(p.scratch);
    return doc;
}

json_t *json_loadb_fast(const char *text, size_t len, size_t flags, json_error_t *err)
{
    /* other flags change the tree (JSON_DECODE_INT_AS_REAL…): Jansson's alone */
    json_t *doc = (flags & ~(size_t)JSON_REJECT_DUPLICATES) == 0
                      ? json_fast_loadb(text, len, FAST_DEPTH_MAX)
                      : NULL;

    if (doc != NULL) {
        if (err != NULL)
            memset(err, 0, sizeof(*err));
        return doc;
    }
    return json_loadb(text, len, flags, err);
}

/* ---- the writer ----------------------------------------------------------- */

#define OUT_BUF 8192
#define DUMP_DEPTH_MAX 2048

struct writer {
    json_dump_callback_t cb;
    void *data;
    bool ascii;
    bool failed;
    size_t n;
    char b[OUT_BUF];
};

static void w_flush(struct writer *w)
{
    if (w->n > 0 && !w->failed && w->cb(w->b, w->n, w->data) != 0)
        w->failed = true;
    w->n = 0;
}

static void w_put(struct writer *w, const char *s, size_t n)
{
    if (OUT_BUF - w->n < n)
        w_flush(w);
    if (n > OUT_BUF) {
        if (!w->failed && w->cb(s, n, w->data) != 0)
            w->failed = true;
        return;
    }
    memcpy(w->b + w->n, s, n);
    w->n += n;
}

static void w_char(struct writer *w, char ch)
{
    if (w->n == OUT_BUF)
        w_flush(w);
    w->b[w->n++] = ch;
}

static void w_u16(struct writer *w, unsigned v)
{
    static const char hex[] = "0123456789ABCDEF"; /* Jansson's "\\u%04X" */
    char e[6] = {'\\', 'u', hex[(v >> 12) & 15], hex[(v >> 8) & 15], hex[(v >> 4) & 15],
                 hex[v & 15]};

    w_put(w, e, 6);
}

/* Bytes a string copies as they are: printable ASCII but '"' and '\\' (UTF-8
 * sequences are checked apart). */
static bool plain(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Jansson's dump_string: the escapes it writes, and a failure on what is not
 * UTF-8. */
static void w_string(struct writer *w, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str, *end = s + len;

    w_char(w, '"');
    while (s < end && !w->failed) {
        const unsigned char *run = s;

        while (s < end && plain(*s))
            s++;
        if (s > run)
            w_put(w, (const char *)run, (size_t)(s - run));
        if (s >= end)
            break;
        if (*s >= 0x80) {
            size_t n = utf8_len(s, (size_t)(end - s));
            uint32_t v;

            if (n == 0) {
                w->failed = true;
                break;
            }
            if (!w->ascii) {
                w_put(w, (const char *)s, n);
                s += n;
                continue;
            }
            v = s[0] & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
            for (size_t i = 1; i < n; i++)
                v = (v << 6) | (s[i] & 0x3F);
            if (v > 0xFFFF) {
                v -= 0x10000;
                w_u16(w, 0xD800 | ((v & 0xFFC00) >> 10));
                w_u16(w, 0xDC00 | (v & 0x3FF));
            } else {
                w_u16(w, v);
            }
            s += n;
            continue;
        }
        switch (*s) {
        case '\\': w_put(w, "\\\\", 2); break;
        case '"': w_put(w, "\\\"", 2); break;
        case '\b': w_put(w, "\\b", 2); break;
        case '\f': w_put(w, "\\f", 2); break;
        case '\n': w_put(w, "\\n", 2); break;
        case '\r': w_put(w, "\\r", 2); break;
        case '\t': w_put(w, "\\t", 2); break;
        default: w_u16(w, *s); break;
        }
        s++;
    }
    w_char(w, '"');
}

static void w_integer(struct writer *w, json_int_t v)
{
    char b[24], *p = b + sizeof(b);
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    if (v < 0)
        *--p = '-';
    w_put(w, p, (size_t)(b + sizeof(b) - p));
}

/* Jansson's jsonp_dtostr with precision 17: "%.17g", ".0" after what would
 * read as an integer, no '+' nor leading zeros in the exponent. */
static void w_real(struct writer *w, double v)
{
    char b[64];
    int n = snprintf(b, sizeof(b), "%.17g", v);
    size_t len;
    char *start;

    if (n < 0 || (size_t)n >= sizeof(b) - 3) {
        w->failed = true;
        return;
    }
    len = (size_t)n;
    for (size_t i = 0; i < len; i++)
        if (b[i] == ',')
            b[i] = '.'; /* a locale's decimal comma, as Jansson undoes it */
    if (strspn(b, "0123456789-") == len) {
        b[len++] = '.';
        b[len++] = '0';
        b[len] = '\0';
    }
    start = strchr(b, 'e');
    if (start != NULL) {
        char *e;

        start++;
        e = start + 1;
        if (*start == '-')
            start++;
        while (*e == '0')
            e++;
        if (e != start) {
            memmove(start, e, len - (size_t)(e - b) + 1);
            len -= (size_t)(e - start);
        }
    }
    w_put(w, b, len);
}

static void w_value(struct writer *w, const json_t *v, int depth)
{
    if (w->failed)
        return;
    if (depth > DUMP_DEPTH_MAX) {
        w->failed = true;
        return;
    }
    switch (json_typeof(v)) {
    case JSON_NULL: w_put(w, "null", 4); return;
    case JSON_TRUE: w_put(w, "true", 4); return;
    case JSON_FALSE: w_put(w, "false", 5); return;
    case JSON_INTEGER: w_integer(w, json_integer_value(v)); return;
    case JSON_REAL: w_real(w, json_real_value(v)); return;
    case JSON_STRING: w_string(w, json_string_value(v), json_string_length(v)); return;
    case JSON_ARRAY: {
        size_t n = json_array_size(v);

        w_char(w, '[');
        for (size_t i = 0; i < n && !w->failed; i++) {
            if (i > 0)
                w_char(w, ',');
            w_value(w, json_array_get(v, i), depth + 1);
        }
        w_char(w, ']');
        return;
    }
    case JSON_OBJECT: {
        bool first = true;

        w_char(w, '{');
        /* insertion order, as Jansson 2.14 iterates (no JSON_SORT_KEYS) */
        for (void *it = json_object_iter((json_t *)v); it != NULL && !w->failed;
             it = json_object_iter_next((json_t *)v, it)) {
            if (!first)
                w_char(w, ',');
            first = false;
            w_string(w, json_object_iter_key(it), json_object_iter_key_len(it));
            w_char(w, ':');
            w_value(w, json_object_iter_value(it), depth + 1);
        }
        w_char(w, '}');
        return;
    }
    }
    w->failed = true;
}

int json_fast_dump_string(const char *str, bool ascii, json_dump_callback_t cb, void *data)
{
    struct writer w;

    w.cb = cb;
    w.data = data;
    w.ascii = ascii;
    w.failed = false;
    w.n = 0;
    w_string(&w, str, strlen(str));
    w_flush(&w);
    return w.failed ? -1 : 0;
}

int json_fast_dump(const json_t *doc, bool ascii, json_dump_callback_t cb, void *data)
{
    struct writer *w;
    int rc;

    /* without JSON_ENCODE_ANY, Jansson dumps an object or an array only */
    if (!json_is_object(doc) && !json_is_array(doc))
        return -1;
    if ((w = malloc(sizeof(*w))) == NULL)
        return -1;
    w->cb = cb;
    w->data = data;
    w->ascii = ascii;
    w->failed = false;
    w->n = 0;
    w_value(w, doc, 1);
    w_flush(w);
    rc = w->failed ? -1 : 0;
    free(w);
    return rc;
}
