/*
 * utf8.c — keeping text cut by a fixed buffer valid UTF-8 (see utf8.h).
 */
#include "utf8.h"

#include <string.h>

void utf8_drop_partial_tail(char *s)
{
    size_t n = strlen(s), i = n;

    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--; /* continuation bytes */
    if (i > 0 && ((unsigned char)s[i - 1] & 0x80) != 0) {
        unsigned char lead = (unsigned char)s[i - 1];
        size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;

        if (n - (i - 1) < want)
            s[i - 1] = '\0';
    }
}
