/*
 * fuzz_route.c — request path matching (common/route.h).
 *
 * 1. The input (up to its first NUL) is matched as a path against every
 *    pattern of the API, taken from the route table (api/core/routes.def).
 *    params is a heap array of exactly maxp (0..3) rows, maxp chosen
 *    from the input, so that a write beyond it is caught. On a match every
 *    filled parameter is non-empty, NUL-terminated within ROUTE_PARAM_LEN, free
 *    of '/', and putting the parameters back into the pattern gives the path.
 *    No path matches two patterns (the table's order must not matter), but for
 *    the literal ".../counts" routes, which also match their "{id}" sibling and
 *    come before it in the table (an id is a UUID, never "counts").
 * 2. The input split at its first '\n' into a pattern and a path: route_match
 *    must survive any pattern (unclosed braces, empty names…), and whatever it
 *    writes into params stays NUL-terminated within each row.
 */
#include "fuzz_common.h"

#include <stdbool.h>

#include "route.h"

/* The paths of the route table itself (api/core/routes.def), each once
 * whatever its methods (dedup below). */
#define ROUTE(method, path, ...) path,
static const char *const table_paths[] = {
#include "../../api/core/routes.def"
};
#undef ROUTE
#define NTABLE (sizeof(table_paths) / sizeof(table_paths[0]))

static const char *patterns[NTABLE];
static size_t npatterns;

static void patterns_init(void)
{
    if (npatterns > 0)
        return;
    for (size_t i = 0; i < NTABLE; i++) {
        bool seen = false;

        for (size_t k = 0; k < npatterns; k++)
            seen = seen || strcmp(patterns[k], table_paths[i]) == 0;
        if (!seen)
            patterns[npatterns++] = table_paths[i];
    }
    FZ_ASSERT(npatterns > 10);
}

#define MAXP_MAX 3

typedef char param_row[ROUTE_PARAM_LEN];

static param_row *new_params(int maxp)
{
    param_row *p = malloc((size_t)(maxp > 0 ? maxp : 1) * sizeof(param_row));

    FZ_ASSERT(p != NULL);
    memset(p, 0xAA, (size_t)(maxp > 0 ? maxp : 1) * sizeof(param_row));
    return p;
}

/* Each row is untouched or holds a NUL within its ROUTE_PARAM_LEN bytes. */
static void rows_sane(param_row *params, int maxp)
{
    for (int i = 0; i < maxp; i++) {
        bool untouched = true;

        for (size_t k = 0; k < ROUTE_PARAM_LEN; k++)
            if ((unsigned char)params[i][k] != 0xAA)
                untouched = false;
        FZ_ASSERT(untouched || memchr(params[i], '\0', ROUTE_PARAM_LEN) != NULL);
    }
}

static int count_params(const char *pattern)
{
    int n = 0;

    for (const char *p = pattern; *p != '\0'; p++)
        if (*p == '{')
            n++;
    return n;
}

/* The path made by putting params back into pattern; compared with path. */
static void rebuild_equals(const char *pattern, param_row *params, const char *path)
{
    char buf[2048];
    size_t pos = 0;
    int np = 0;

    for (const char *p = pattern; *p != '\0';) {
        if (*p == '{') {
            size_t n = strlen(params[np]);

            FZ_ASSERT(n > 0 && n < ROUTE_PARAM_LEN && strchr(params[np], '/') == NULL);
            FZ_ASSERT(pos + n < sizeof(buf));
            memcpy(buf + pos, params[np], n);
            pos += n;
            np++;
            p = strchr(p, '}') + 1;
        } else {
            FZ_ASSERT(pos + 1 < sizeof(buf));
            buf[pos++] = *p++;
        }
    }
    buf[pos] = '\0';
    FZ_ASSERT(strcmp(buf, path) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = fz_str(data, size), *pattern;
    int maxp = (int)(size % (MAXP_MAX + 1));
    param_row *params = new_params(maxp);
    size_t matches = 0, counts = 0, rest;

    patterns_init();
    for (size_t i = 0; i < npatterns; i++) {
        if (!route_match(patterns[i], path, params, maxp)) {
            rows_sane(params, maxp);
            continue;
        }
        matches++;
        if (strstr(patterns[i], "/counts") != NULL)
            counts++;
        rows_sane(params, maxp);
        if (count_params(patterns[i]) <= maxp)
            rebuild_equals(patterns[i], params, path);
    }
    FZ_ASSERT(matches <= 1 || (matches == 2 && counts == 1));
    free(params);
    free(path);

    /* Any pattern against any path. */
    rest = fz_split(data, size, '\n', &pattern);
    path = fz_str(data + rest, size - rest);
    params = new_params(maxp);
    (void)route_match(pattern, path, params, maxp);
    rows_sane(params, maxp);
    (void)route_match(path, pattern, params, maxp);
    rows_sane(params, maxp);
    free(params);
    free(pattern);
    free(path);
    return 0;
}
