/*
 * fuzz_common.h — helpers shared by the libFuzzer targets of tests/fuzz.
 *
 * Header-only (static inline): each fuzz_*.c is its own binary. The prototypes
 * of the libFuzzer entry points are declared here so that the targets build
 * with -Wmissing-prototypes -Werror.
 */
#ifndef EPART_FUZZ_COMMON_H
#define EPART_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The product's "today" and real "now" used by every target: 2026-11-23, the
 * date of the SPEC's examples, and 2026-11-23T09:00:00Z. */
#define FZ_TODAY ((cal_date){2026, 11, 23})
#define FZ_NOW ((time_t)1795424400)

/* The depth the API allows before parsing a body (api/core/server.c). */
#define FZ_JSON_DEPTH 32

/* The LLVMFuzzerInitialize of a target that needs only the calendar (the
 * Europe/Paris zone, calendar.h). */
#define FZ_INITIALIZE_CALENDAR()                                                              \
    int LLVMFuzzerInitialize(int *argc, char ***argv)                                         \
    {                                                                                         \
        (void)argc;                                                                           \
        (void)argv;                                                                           \
        if (!cal_init())                                                                      \
            abort();                                                                          \
        return 0;                                                                             \
    }

/* A broken invariant: say which and abort, so that libFuzzer saves the input. */
#define FZ_ASSERT(cond)                                                                    \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__,        \
                    __LINE__);                                                             \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

/* A NUL-terminated heap copy of the first n bytes of data, exactly n + 1 bytes
 * long so that AddressSanitizer sees any read past the string's end. The string
 * ends at the first NUL of data, as it would for a C caller. Never NULL. */
static inline char *fz_str(const uint8_t *data, size_t n)
{
    char *s = malloc(n + 1);

    if (s == NULL)
        abort();
    if (n > 0)
        memcpy(s, data, n);
    s[n] = '\0';
    return s;
}

/* Split data at the first occurrence of sep: *left gets what comes before (as a
 * fz_str), the return value is the offset just after sep, or size when sep does
 * not occur (then *left is the whole input). */
static inline size_t fz_split(const uint8_t *data, size_t size, uint8_t sep, char **left)
{
    const uint8_t *p = size > 0 ? memchr(data, sep, size) : NULL;
    size_t n = p != NULL ? (size_t)(p - data) : size;

    *left = fz_str(data, n);
    return p != NULL ? n + 1 : size;
}

/* A JSON error array written by the validators: every entry an object with
 * string field, code and message, and exactly min(problems, max_listed)
 * entries (the validators list each problem until the list is full, and still
 * count the rest: vfield.h). */
static inline void fz_check_errors(const json_t *errors, int problems, size_t max_listed)
{
    size_t i, want;
    json_t *e;

    FZ_ASSERT(problems >= 0);
    FZ_ASSERT(json_is_array(errors));
    want = (size_t)problems < max_listed ? (size_t)problems : max_listed;
    if (json_array_size(errors) != want)
        fprintf(stderr, "fuzz: %d problems but %zu errors listed\n", problems,
                json_array_size(errors));
    FZ_ASSERT(json_array_size(errors) == want);
    json_array_foreach(errors, i, e) {
        FZ_ASSERT(json_is_object(e));
        FZ_ASSERT(json_is_string(json_object_get(e, "field")));
        FZ_ASSERT(json_is_string(json_object_get(e, "code")));
        FZ_ASSERT(json_is_string(json_object_get(e, "message")));
        FZ_ASSERT(json_string_length(json_object_get(e, "code")) > 0);
    }
}

#endif
