/*
 * uuidv.c — canonical UUID syntax.
 */
#include "uuidv.h"

#include <stddef.h>

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool uuid_valid(const char *s)
{
    if (s == NULL)
        return false;
    /* Stops at the first bad character, so a short string never reads past its NUL. */
    for (size_t i = 0; i < UUID_STR_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (!is_hex(s[i])) {
            return false;
        }
    }
    return s[UUID_STR_LEN] == '\0';
}
