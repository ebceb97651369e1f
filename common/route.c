/*
 * route.c — segment-wise path matching.
 */
#include "route.h"

#include <string.h>

bool route_match(const char *pattern, const char *path, char params[][ROUTE_PARAM_LEN],
                 int maxp)
{
    const char *p = pattern, *s = path;
    int np = 0;

    if (p == NULL || s == NULL)
        return false;
    while (*p != '\0' && *s != '\0') {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            size_t n = strcspn(s, "/");

            if (pe == NULL || n == 0 || n >= ROUTE_PARAM_LEN)
                return false;
            if (np < maxp) {
                memcpy(params[np], s, n);
                params[np][n] = '\0';
            }
            np++;
            p = pe + 1;
            s += n;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *p == '\0' && *s == '\0';
}
