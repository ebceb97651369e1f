/*
 * jsonutil.h — small JSON helpers shared by the API and the workers.
 */
#ifndef EPART_JSONUTIL_H
#define EPART_JSONUTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* True when the JSON text nests arrays and objects at most max levels deep.
 * Scans the raw text (strings and escapes understood) before any parser sees
 * it, so a hostile document cannot exhaust the parser's stack. */
bool json_depth_ok(const char *text, size_t len, int max);

/* The string member key of obj, or NULL when absent or not a string. */
const char *json_str(const json_t *obj, const char *key);

/* The boolean member key of obj, or dflt when absent or not a boolean. */
bool json_bool(const json_t *obj, const char *key, bool dflt);

/* A new JSON string of s, or a new JSON null when s is NULL. */
json_t *json_string_or_null(const char *s);

/* A text growing in memory of our own (malloc'd: the caller frees it with
 * text_buf_free, whatever Jansson's allocator is). s is NUL-terminated once
 * something was written; {0} is an empty one. */
struct text_buf {
    char *s;
    size_t len, cap;
};

/* Append the n bytes at buf to the text_buf data: json_fast_dump()'s callback
 * (json_dump_callback_t). 0, or -1 when memory ran out (the text unchanged). */
int text_buf_add(const char *buf, size_t n, void *data);

/* Append the NUL-terminated s. 0, or -1 as text_buf_add. */
int text_buf_str(struct text_buf *t, const char *s);

/* Release the text; t is empty again. */
void text_buf_free(struct text_buf *t);

/* Append text, len bytes of valid JSON (as PostgreSQL writes a jsonb:
 * "{\"a\": 1, \"b\": [2, 3]}"), without the whitespace between its tokens
 * (the API's compact style, as json_fast_dump writes): the same JSON value.
 * Strings are copied as they are, escapes included. 0, or -1 when memory ran
 * out (the text unchanged). */
int json_text_compact(struct text_buf *t, const char *text, size_t len);

/* Compact dump of doc, non-ASCII escaped (malloc'd, for free(); NULL on
 * failure). Safe inside a request's arena (jsonarena.h). */
char *json_text(const json_t *doc);

#endif
