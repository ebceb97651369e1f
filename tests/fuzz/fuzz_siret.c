/*
 * fuzz_siret.c — the SIRET check (common/siret.h) on arbitrary strings.
 *
 * siret_check() runs on an exact-size NUL-terminated copy of the input, and
 * luhn_valid() on the raw bytes (not NUL-terminated) with their own length.
 * Invariants:
 *   - a SIRET accepted is 14 ASCII digits passing Luhn, or a La Poste SIRET
 *     (356000000…) whose digits add up to a multiple of 5;
 *   - Luhn catches every single-digit change: altering one digit of a SIRET
 *     that passes Luhn (outside La Poste) makes it SIRET_BAD_CHECKSUM;
 *   - SIRET_BAD_FORMAT exactly when the input is not 14 ASCII digits;
 *   - siret_result_message() is never NULL.
 */
#include "fuzz_common.h"

#include <stdbool.h>

#include "siret.h"

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fz_str(data, size);
    size_t len = strlen(s);
    siret_result r = siret_check(s);
    bool well_formed = len == SIRET_LEN && all_digits(s, len);

    FZ_ASSERT(siret_result_message(r) != NULL);
    FZ_ASSERT((r == SIRET_BAD_FORMAT) == !well_formed);

    /* luhn_valid on bytes that need not be a string: exactly n are read. */
    if (size > 0 && size <= 64) {
        char *raw = malloc(size);

        FZ_ASSERT(raw != NULL);
        memcpy(raw, data, size);
        if (luhn_valid(raw, (int)size))
            FZ_ASSERT(all_digits(raw, size));
        free(raw);
    }

    if (r == SIRET_VALID) {
        int sum = 0;

        for (int i = 0; i < SIRET_LEN; i++)
            sum += s[i] - '0';
        FZ_ASSERT(luhn_valid(s, SIRET_LEN) ||
                  (strncmp(s, "356000000", 9) == 0 && sum % 5 == 0));
    }
    if (well_formed && luhn_valid(s, SIRET_LEN) && strncmp(s, "356000000", 9) != 0) {
        char other[SIRET_LEN + 1];
        int pos = (int)((unsigned char)s[0] + (unsigned char)s[13]) % SIRET_LEN;

        FZ_ASSERT(r == SIRET_VALID);
        memcpy(other, s, sizeof(other));
        other[pos] = (char)('0' + (other[pos] - '0' + 1 + (int)(size % 9)) % 10);
        if (strncmp(other, "356000000", 9) != 0)
            FZ_ASSERT(siret_check(other) == SIRET_BAD_CHECKSUM);
    }
    free(s);
    return 0;
}
