/*
 * signalement_valid.h — the body of POST /v1/signalements (SPEC §8): a partner
 * tells the Mission accompagnement santé that a person gives up care or cannot
 * reach it.
 *
 *   {"person":{…},"reasons":["avance_de_frais",…],"parcours":"renoncement_soins",
 *    "consent":{"obtained_on","informed":true},"comment":"…"}
 *
 * - person: the person block of person_valid.h (PERSON_CONTACT: last_name,
 *   first_names and birth_date required, the rest optional), required.
 * - reasons: 1 to 7 distinct values among the reasons of §8 (a repeated value is
 *   "duplicate").
 * - parcours: one of the 26 parcours attentionnés (data/parcours.json), required.
 * - consent: as for a dossier, required.
 * - comment: optional free text, at most 2000 characters, line breaks allowed
 *   (an addition: the contract lets the partner say nothing beyond codes).
 * Unknown keys are "unknown_field"; a body that is not an object is one
 * "invalid_type" on field "".
 *
 * Pure logic, no I/O, thread-safe.
 */
#ifndef EPART_SIGNALEMENT_VALID_H
#define EPART_SIGNALEMENT_VALID_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "calendar.h"

#define PARCOURS_COUNT 26
#define SIGNALEMENT_COMMENT_MAX 2000

/* Validate the body; returns the number of problems (0: valid). */
int signalement_validate(const json_t *body, cal_date today, json_t *errors);

/* True when s is one of the 26 parcours codes / one of the reasons of §8. */
bool parcours_valid(const char *s);
bool signalement_reason_valid(const char *s);

/* The i-th parcours code (i < PARCOURS_COUNT), in the order of data/parcours.json;
 * NULL beyond. */
const char *parcours_code(size_t i);

/* A parcours attentionné with its French label and its theme's. */
struct parcours {
    const char *code;        /* "renoncement_soins" */
    const char *label;       /* "Renoncement aux soins" */
    const char *theme;       /* "acces_droits_soins" */
    const char *theme_label; /* "Accès aux droits et aux soins" */
};

/* The i-th parcours (i < PARCOURS_COUNT), in the order of data/parcours.json;
 * NULL beyond. */
const struct parcours *parcours_at(size_t i);

#endif
