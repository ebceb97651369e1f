/*
 * nir.h — the French social security number (NIR, "numéro de sécurité sociale").
 *
 * A NIR is 13 characters followed by a 2-digit key (SPEC §4):
 *
 *     S YY MM DD CCC OOO KK
 *     | |  |  |  |   |   +-- key = 97 - (number mod 97), 01..97
 *     | |  |  |  |   +------ order number of the birth register, 3 digits
 *     | |  |  |  +---------- commune (or country for people born abroad), 3 digits
 *     | |  |  +------------- department: 2 digits, or "2A"/"2B" for Corsica
 *     | |  +---------------- month of birth
 *     | +------------------- year of birth, 2 digits
 *     +--------------------- 1/2 (man/woman), 3/4 (provisional, born abroad),
 *                            7/8 (provisional NIA numbers)
 *
 * Choices where the rules leave room:
 * - The input is taken as written: exactly 15 characters, no spaces, dots or
 *   dashes, and Corsica in capitals ("2A", "2B"). Partner software sends a JSON
 *   string, so it can strip its own display spaces; one canonical form keeps the
 *   stored value comparable and indexable.
 * - Month: 01..12 for a known month, 20..42 and 50..99 for the special cases
 *   INSEE uses (unknown month, provisional and fictitious months). 00 and 13..19,
 *   43..49 are refused.
 * - Department: any two digits (including 96..99 used for overseas and abroad)
 *   or 2A/2B. For the key, 2A counts as 19 and 2B as 18, which is the official
 *   rule "subtract 1 000 000 (2A) or 2 000 000 (2B) from the number read with 20".
 *
 * Pure logic, no I/O, thread-safe.
 */
#ifndef EPART_NIR_H
#define EPART_NIR_H

#define NIR_LEN 15 /* 13 characters + 2-digit key */

typedef enum {
    NIR_VALID = 0,
    NIR_BAD_FORMAT, /* length, characters, sex digit, month or department */
    NIR_BAD_KEY     /* well formed, but the key does not match the number */
} nir_result;

/* Check s (NUL-terminated; NULL is a format error). */
nir_result nir_check(const char *s);

/* The key (1..97) of the first 13 characters of s, which must be well formed
 * as described above (s may be longer: only 13 characters are read, and a NUL
 * within them is a format error). Returns -1 when they are not. */
int nir_key(const char *s);

/* A short French reason for r, for the "message" of a 422 ("" for NIR_VALID). */
const char *nir_result_message(nir_result r);

#endif
