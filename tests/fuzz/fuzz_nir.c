/*
 * fuzz_nir.c — the NIR check (common/nir.h) on arbitrary strings.
 *
 * nir_check() and nir_key() run on a heap copy of exactly the input's length
 * (plus its NUL), so any read past the string is caught. Invariants:
 *   - nir_key() is -1 or a key 1..97;
 *   - a NIR nir_check() accepts is 15 characters long and ends with the key
 *     nir_key() computes for it;
 *   - when the first 13 characters are well formed, appending their key gives
 *     a NIR that nir_check() accepts, and any other key gives NIR_BAD_KEY;
 *   - nir_result_message() is never NULL.
 */
#include "fuzz_common.h"

#include "nir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fz_str(data, size);
    size_t len = strlen(s);
    nir_result r = nir_check(s);
    int key = nir_key(s);

    FZ_ASSERT(r == NIR_VALID || r == NIR_BAD_FORMAT || r == NIR_BAD_KEY);
    FZ_ASSERT(nir_result_message(r) != NULL);
    FZ_ASSERT(key == -1 || (key >= 1 && key <= 97));
    if (r == NIR_VALID) {
        FZ_ASSERT(len == NIR_LEN);
        FZ_ASSERT(key >= 1);
        FZ_ASSERT((s[13] - '0') * 10 + (s[14] - '0') == key);
    }
    if (r == NIR_BAD_KEY)
        FZ_ASSERT(len == NIR_LEN && key >= 1);

    /* The 13 characters alone (an exact-size buffer): nir_key reads no further. */
    if (len >= 13) {
        char *head = fz_str((const uint8_t *)s, 13);
        char full[NIR_LEN + 1];
        int k13 = nir_key(head);

        FZ_ASSERT(k13 == key);
        if (k13 >= 1) {
            snprintf(full, sizeof(full), "%.13s%02d", head, k13);
            FZ_ASSERT(nir_check(full) == NIR_VALID);
            snprintf(full, sizeof(full), "%.13s%02d", head, k13 % 97 + 1);
            FZ_ASSERT(nir_check(full) == NIR_BAD_KEY);
        }
        free(head);
    }
    free(s);
    return 0;
}
