/*
 * siret.h — the SIRET number of an establishment (SPEC §3: "SIRET is checked").
 *
 * A SIRET is 14 digits: the 9-digit SIREN of the company and the 5-digit NIC of
 * the establishment, with a Luhn checksum over the whole.
 *
 * La Poste exception: the establishments of La Poste (SIREN 356000000) are too
 * many for the NIC to carry a Luhn key; INSEE numbers them so that the sum of
 * the 14 digits is a multiple of 5. A SIRET starting with 356000000 is therefore
 * accepted when it passes either Luhn (the head office, 35600000000048, does) or
 * the sum-of-digits rule. Other SIRETs must pass Luhn.
 *
 * Only the 14-digit form is accepted: no spaces ("732 829 320 00074" is refused),
 * so what is stored is canonical. The SIREN's own key is not checked separately:
 * the contract says "14 digits, Luhn" and real SIRETs satisfy both anyway.
 *
 * Pure logic, no I/O, thread-safe.
 */
#ifndef EPART_SIRET_H
#define EPART_SIRET_H

#include <stdbool.h>

#define SIRET_LEN 14

typedef enum {
    SIRET_VALID = 0,
    SIRET_BAD_FORMAT,  /* not exactly 14 ASCII digits */
    SIRET_BAD_CHECKSUM /* 14 digits, but neither Luhn nor the La Poste rule holds */
} siret_result;

/* Check s (NUL-terminated; NULL is a format error). */
siret_result siret_check(const char *s);

/* True when the n ASCII digits of s pass the Luhn checksum (the last digit being
 * the key). False for anything that is not n digits. */
bool luhn_valid(const char *s, int n);

/* A short French reason for r, for the "message" of a 422 ("" for SIRET_VALID). */
const char *siret_result_message(siret_result r);

#endif
