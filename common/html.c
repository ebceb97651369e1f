/*
 * html.c — a growing buffer with HTML escaping.
 */
#include "html.h"

#include <stdlib.h>
#include <string.h>

static int reserve(char **buf, size_t *len, size_t *cap, size_t more)
{
    char *nb;
    size_t ncap;

    if (*len + more + 1 <= *cap)
        return 0;
    ncap = (*cap == 0 ? 1024 : *cap);
    while (*len + more + 1 > ncap)
        ncap *= 2;
    nb = realloc(*buf, ncap);
    if (nb == NULL)
        return -1;
    *buf = nb;
    *cap = ncap;
    return 0;
}

int html_append(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);

    if (reserve(buf, len, cap, n) < 0)
        return -1;
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

int html_append_escaped(char **buf, size_t *len, size_t *cap, const char *s)
{
    for (; *s; s++) {
        const char *rep = NULL;
        char one[2] = {*s, '\0'};

        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: rep = one; break;
        }
        if (html_append(buf, len, cap, rep) < 0)
            return -1;
    }
    return 0;
}
