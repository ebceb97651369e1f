/*
 * fuzz_webpath.c — the paths of the web application's files (common/webpath.h).
 *
 * Whatever the input (up to its first NUL), a path webpath_clean() accepts
 * can only name something inside the built folder: it is short, uses only
 * letters, digits, '.', '_', '-' and '/', does not start or end with '/', has
 * no empty segment and no segment starting with '.'. webpath_is_page and
 * webpath_accepts_gzip must survive any input.
 */
#include "fuzz_common.h"

#include <stdbool.h>

#include "webpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fz_str(data, size);

    if (webpath_clean(s)) {
        size_t n = strlen(s);

        FZ_ASSERT(n > 0 && n < WEBPATH_MAX);
        FZ_ASSERT(s[0] != '/' && s[n - 1] != '/');
        FZ_ASSERT(strstr(s, "//") == NULL && strstr(s, "/.") == NULL && s[0] != '.');
        for (size_t i = 0; i < n; i++)
            FZ_ASSERT(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/",
                             s[i]) != NULL);
        (void)webpath_is_page(s);
    }
    (void)webpath_accepts_gzip(s);
    free(s);
    return 0;
}
