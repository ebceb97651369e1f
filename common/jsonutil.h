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

/* Compact dump of doc, non-ASCII escaped (malloc'd, for free(); NULL on
 * failure). Safe inside a request's arena (jsonarena.h). */
char *json_text(const json_t *doc);

#endif
