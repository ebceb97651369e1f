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

struct text_buf {
    char *s;
    size_t len, cap;
};

static int text_append(const char *buf, size_t n, void *data)
{
    struct text_buf *t = data;

    if (t->cap - t->len < n + 1) {
        size_t cap = t->cap ? t->cap : 256;
        char *s;

        while (cap - t->len < n + 1)
            cap *= 2;
        if ((s = realloc(t->s, cap)) == NULL)
            return -1;
        t->s = s;
        t->cap = cap;
    }
    memcpy(t->s + t->len, buf, n);
    t->len += n;
    t->s[t->len] = '\0';
    return 0;
}

/* Jansson's text (jsonfast.h's writer), written into memory of our own, not
 * json_dumps()'s: what Jansson returns is allocated with its allocator, which
 * may be a request's arena (jsonarena.h), and the callers free() the text. */
char *json_text(const json_t *doc)
{
    struct text_buf t = {NULL, 0, 0};

    if (doc == NULL || json_fast_dump(doc, true, text_append, &t) != 0 || t.s == NULL) {
        free(t.s);
        return NULL;
    }
    return t.s;
}
