/*
 * nir.c — NIR format and key check.
 *
 * The 13-character number fits in 44 bits, so the key is computed exactly in
 * 64-bit arithmetic; no big-number library is needed.
 */
#include "nir.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int two_digits(const char *s)
{
    if (!is_digit(s[0]) || !is_digit(s[1]))
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* The numeric value of the 13 characters of a well-formed NIR, Corsica
 * departments read as 19 (2A) and 18 (2B); -1 when the characters are not a NIR. */
static int64_t nir_number(const char *s)
{
    int64_t n = 0;
    int month;

    for (int i = 0; i < 13; i++) {
        if (s[i] == '\0')
            return -1;
        if (i == 5 || i == 6)
            continue; /* department, checked below */
        if (!is_digit(s[i]))
            return -1;
    }
    if (strchr("123478", s[0]) == NULL)
        return -1;
    month = two_digits(s + 3);
    if (!((month >= 1 && month <= 12) || (month >= 20 && month <= 42) || month >= 50))
        return -1;

    for (int i = 0; i < 13; i++) {
        int d;

        if (i == 5 && s[5] == '2' && (s[6] == 'A' || s[6] == 'B')) {
            /* 2A -> 19, 2B -> 18: two digits at once. */
            n = n * 100 + (s[6] == 'A' ? 19 : 18);
            i++;
            continue;
        }
        if (!is_digit(s[i]))
            return -1; /* a letter in the department other than 2A/2B */
        d = s[i] - '0';
        n = n * 10 + d;
    }
    return n;
}

int nir_key(const char *s)
{
    int64_t n;

    if (s == NULL)
        return -1;
    n = nir_number(s);
    if (n < 0)
        return -1;
    return (int)(97 - n % 97);
}

nir_result nir_check(const char *s)
{
    int key, given;

    if (s == NULL || strlen(s) != NIR_LEN)
        return NIR_BAD_FORMAT;
    key = nir_key(s);
    if (key < 0)
        return NIR_BAD_FORMAT;
    given = two_digits(s + 13);
    if (given < 0)
        return NIR_BAD_FORMAT;
    return given == key ? NIR_VALID : NIR_BAD_KEY;
}

const char *nir_result_message(nir_result r)
{
    switch (r) {
    case NIR_VALID:
        return "";
    case NIR_BAD_FORMAT:
        return "le NIR doit compter 15 caractères sans espace (13 + clé de 2 chiffres), "
               "département 2A/2B admis";
    case NIR_BAD_KEY:
        return "la clé du NIR ne correspond pas au numéro";
    }
    return "NIR invalide";
}
