/*
 * fielderr.c — building the per-field error list of validation failures.
 */
#include "fielderr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void fielderr_add(json_t *errors, const char *field, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_array_append_new(errors, json_pack("{s:s, s:s, s:s}", "field", field, "code", code,
                                            "message", msg));
}

int fielderr_has(const json_t *errors, const char *field)
{
    size_t i;
    json_t *e;

    json_array_foreach(errors, i, e) {
        const char *f = json_string_value(json_object_get(e, "field"));

        if (f != NULL && strcmp(f, field) == 0)
            return 1;
    }
    return 0;
}
