/*
 * jsonutil.c — JSON helpers.
 */
#include "jsonutil.h"

#include <stdlib.h>
#include <string.h>

#include "jsonfast.h"

bool json_depth_ok(const char *text, size_t len, int max)
{
    int depth = 0;
    bool in_string = false;

    for (size_t i = 0; i < len; i++) {
        char ch = text[i];

        if (in_string) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_string = false;
            continue;
        }
        if (ch == '"') {
            in_string = true;
        } else if (ch == '{' || ch == '[') {
            if (++depth > max)
                return false;
        } else if (ch == '}' || ch == ']') {
            depth--;
        }
    }
    return true;
}

const char *json_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

bool json_bool(const json_t *obj, const char *key, bool dflt)
{
    const json_t *v = json_object_get(obj, key);

    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

json_t *json_string_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

/* Room for n more bytes and a NUL. */
static bool text_reserve(struct text_buf *t, size_t n)
{
    size_t cap = t->cap ? t->cap : 256;
    char *s;

    if (t->cap - t->len >= n + 1)
        return true;
    while (cap - t->len < n + 1)
        cap *= 2;
    if ((s = realloc(t->s, cap)) == NULL)
        return false;
    t->s = s;
    t->cap = cap;
    return true;
}

int text_buf_add(const char *buf, size_t n, void *data)
{
    struct text_buf *t = data;

    if (!text_reserve(t, n))
        return -1;
    memcpy(t->s + t->len, buf, n);
    t->len += n;
    t->s[t->len] = '\0';
    return 0;
}

int text_buf_str(struct text_buf *t, const char *s)
{
    return text_buf_add(s, strlen(s), t);
}

void text_buf_free(struct text_buf *t)
{
    free(t->s);
    t->s = NULL;
    t->len = t->cap = 0;
}

int json_text_compact(struct text_buf *t, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    char *out;

    if (!text_reserve(t, len))
        return -1;
    out = t->s + t->len;
    while (p < end) {
        char ch = *p++;

        if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r')
            continue;
        *out++ = ch;
        if (ch != '"')
            continue;
        /* a string, copied whole up to its closing quote: one not preceded
         * by an odd run of backslashes (most of a document's bytes, found by
         * memchr rather than one byte at a time) */
        for (;;) {
            const char *q = memchr(p, '"', (size_t)(end - p));
            size_t run = 0;

            if (q == NULL)
                q = end - 1;
            while (q - run > p && q[-1 - (ptrdiff_t)run] == '\\')
                run++;
            memcpy(out, p, (size_t)(q + 1 - p));
            out += q + 1 - p;
            p = q + 1;
            if (p >= end || run % 2 == 0)
                break;
        }
    }
    t->len = (size_t)(out - t->s);
    t->s[t->len] = '\0';
    return 0;
}

/* Jansson's text (jsonfast.h's writer), written into memory of our own, not
 * json_dumps()'s: what Jansson returns is allocated with its allocator, which
 * may be a request's arena (jsonarena.h), and the callers free() the text. */
char *json_text(const json_t *doc)
{
    struct text_buf t = {NULL, 0, 0};

    if (doc == NULL || json_fast_dump(doc, true, text_buf_add, &t) != 0 || t.s == NULL) {
        free(t.s);
        return NULL;
    }
    return t.s;
}
