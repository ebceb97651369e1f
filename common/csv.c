/*
 * csv.c — CSV fields, escaped once for every export.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

void csv_raw(struct csv *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap : 1024);
        char *p;

        while (cap < b->len + n + 1)
            cap *= 2;
        p = realloc(b->data, cap);
        if (p == NULL) {
            b->failed = true;
            return;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static bool formula_like(const char *s)
{
    return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
           s[0] == '\r';
}

void csv_field(struct csv *b, const char *s, bool text, bool last)
{
    bool formula = text && formula_like(s);
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;

    if (quote)
        csv_raw(b, "\"", 1);
    if (formula)
        csv_raw(b, "'", 1);
    for (const char *p = s; *p; p++) {
        size_t n = strcspn(p, "\"");

        csv_raw(b, p, n);
        p += n;
        if (*p == '\0')
            break;
        csv_raw(b, "\"\"", 2);
    }
    if (quote)
        csv_raw(b, "\"", 1);
    csv_raw(b, last ? "\r\n" : ",", last ? 2 : 1);
}

void csv_free(struct csv *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
