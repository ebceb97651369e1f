/*
 * fielderr.h — the "errors" list of a 422 problem document (SPEC §2).
 *
 * Validators never stop at the first problem: they append one entry per invalid
 * field to a Jansson array, {"field":"applicant.birth_date","code":"invalid_date",
 * "message":"…"} with the message in French, and the caller answers 422 when the
 * array is not empty.
 */
#ifndef EPART_FIELDERR_H
#define EPART_FIELDERR_H

#include <jansson.h>

/* Append {"field","code","message"} to errors (a JSON array). The message is a
 * printf-style French sentence; never put personal data in it beyond what the
 * caller itself sent. */
void fielderr_add(json_t *errors, const char *field, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* True when errors already holds an entry for field (to avoid listing a field twice). */
int fielderr_has(const json_t *errors, const char *field);

#endif
