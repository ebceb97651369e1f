/*
 * webpath.c — a strict alphabet rather than a list of dangers: what is not
 * plainly a file name of the built folder is not looked up at all.
 */
#include "webpath.h"

#include <stdlib.h>
#include <string.h>

bool webpath_clean(const char *rel)
{
    bool seg_start = true;
    size_t n = 0;

    if (rel == NULL || *rel == '\0')
        return false;
    for (const char *p = rel; *p != '\0'; p++, n++) {
        char ch = *p;

        if (n >= WEBPATH_MAX - 1)
            return false;
        if (ch == '/') {
            if (seg_start)
                return false; /* empty segment */
            seg_start = true;
            continue;
        }
        if (seg_start && ch == '.')
            return false; /* ".", "..", dotfiles */
        seg_start = false;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return false;
    }
    return !seg_start; /* no trailing slash */
}

bool webpath_is_page(const char *rel)
{
    const char *last = strrchr(rel, '/');

    return strchr(last ? last + 1 : rel, '.') == NULL;
}

bool webpath_accepts_gzip(const char *ae)
{
    const char *p = ae ? strstr(ae, "gzip") : NULL;
    const char *q;

    if (p == NULL)
        return false;
    q = p + 4;
    while (*q == ' ')
        q++;
    if (*q != ';')
        return true;
    q = strstr(q, "q=");
    return q == NULL || strtod(q + 2, NULL) > 0.0;
}
