/*
 * siret.c — SIRET format, Luhn checksum and the La Poste exception.
 */
#include "siret.h"

#include <string.h>

#define LA_POSTE_SIREN "356000000"

bool luhn_valid(const char *s, int n)
{
    int sum = 0;

    if (s == NULL || n <= 0)
        return false;
    /* Walk from the key leftwards; every second digit is doubled. */
    for (int i = 0; i < n; i++) {
        char c = s[n - 1 - i];
        int d;

        if (c < '0' || c > '9')
            return false;
        d = c - '0';
        if (i % 2 == 1) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return sum % 10 == 0;
}

static int digit_sum(const char *s, int n)
{
    int sum = 0;

    for (int i = 0; i < n; i++)
        sum += s[i] - '0';
    return sum;
}

siret_result siret_check(const char *s)
{
    if (s == NULL || strlen(s) != SIRET_LEN)
        return SIRET_BAD_FORMAT;
    for (int i = 0; i < SIRET_LEN; i++)
        if (s[i] < '0' || s[i] > '9')
            return SIRET_BAD_FORMAT;
    if (luhn_valid(s, SIRET_LEN))
        return SIRET_VALID;
    if (strncmp(s, LA_POSTE_SIREN, strlen(LA_POSTE_SIREN)) == 0 &&
        digit_sum(s, SIRET_LEN) % 5 == 0)
        return SIRET_VALID;
    return SIRET_BAD_CHECKSUM;
}

const char *siret_result_message(siret_result r)
{
    switch (r) {
    case SIRET_VALID:
        return "";
    case SIRET_BAD_FORMAT:
        return "le SIRET doit compter exactement 14 chiffres, sans espace";
    case SIRET_BAD_CHECKSUM:
        return "la clé de contrôle du SIRET (Luhn) est fausse";
    }
    return "SIRET invalide";
}
