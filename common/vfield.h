/*
 * vfield.h — the field checks every request validator is built from.
 *
 * A validator walks a Jansson body and, for each field, calls one of the checks
 * below with the field's path ("applicant.first_names[1]") and value. A check
 * appends at most one entry to the 422 error list (fielderr.h) and says whether
 * the value is usable, so the validator can go on with the other fields and list
 * every problem in one answer (SPEC §2).
 *
 * Conventions shared by every check:
 * - A missing member (val == NULL) and JSON null are the same: "absent". With
 *   VF_REQUIRED, absent is the error "required"; otherwise it is fine.
 * - A value of the wrong JSON type is "invalid_type": booleans must be true or
 *   false (not "true"), integers must be JSON integers (not 12.0 nor "12").
 * - Strings are refused ("invalid_format") when they hold U+0000, C0 or C1
 *   control characters or the invisible bidirectional and zero-width format
 *   characters used to disguise text; tabs and line breaks are allowed only in
 *   multi-line text (VF_MULTILINE). An empty or all-blank string is "required"
 *   for a required field and "invalid_format" otherwise (send null instead).
 *   Lengths count characters (code points), not bytes.
 * - Error codes: required, invalid_type, invalid_date, future_date, invalid_enum,
 *   invalid_format, too_long, too_many, invalid_range, unknown_field; validators
 *   add their own (invalid_nir, must_be_true, ...) through vf_error.
 * - To keep an answer bounded whatever the body (a 1 MiB object of unknown keys
 *   would otherwise yield a 20 MiB error list), at most VF_MAX_LISTED entries are
 *   listed in one error array; further problems are still counted, so a body is
 *   never taken for valid because the list is full.
 *
 * Pure logic, no I/O, thread-safe: all state lives in the caller's vctx.
 */
#ifndef EPART_VFIELD_H
#define EPART_VFIELD_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "calendar.h"

#define VF_MAX_LISTED 200 /* entries listed in one error array */
#define VF_PATH_MAX 192   /* longest field path written (longer ones are cut) */

/* Flags of the checks. */
enum {
    VF_REQUIRED = 1u << 0,   /* absent or null is the error "required" */
    VF_NOT_FUTURE = 1u << 1, /* dates: a day after today is "future_date" */
    VF_NAME = 1u << 2,       /* strings: a person's name (letters, space, - ' . ’) */
    VF_MULTILINE = 1u << 3,  /* strings: tabs and line breaks allowed */
    VF_NONEMPTY = 1u << 4    /* arrays: an empty array counts as absent */
};

/* Outcome of a check. */
typedef enum {
    VF_BAD = -1,   /* an error was recorded (including "required") */
    VF_ABSENT = 0, /* missing or null, and allowed to be */
    VF_OK = 1      /* present and valid; the out parameter is set */
} vf_res;

/* A validation in progress: the error array and the number of problems found. */
typedef struct {
    json_t *errors;
    int problems;
} vctx;

/* Start a validation appending to errors (a JSON array, which may already hold
 * entries). */
void vf_init(vctx *v, json_t *errors);

/* Record a problem: counts it and, unless the array holds VF_MAX_LISTED entries,
 * appends {"field":path,"code":code,"message":<French, printf-style>}. */
void vf_error(vctx *v, const char *path, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Write "parent.key" (or "key" when parent is "") into buf (VF_PATH_MAX bytes). */
char *vf_join(char *buf, const char *parent, const char *key);

/* Write "parent[i]" into buf (VF_PATH_MAX bytes). */
char *vf_index(char *buf, const char *parent, size_t i);

/* A string of at most max characters, checked as described above (and, with
 * VF_NAME, made of letters, spaces, hyphens, apostrophes and dots only, with at
 * least one letter). *out (may be NULL) gets the string on VF_OK. */
vf_res vf_string(vctx *v, const char *path, const json_t *val, unsigned flags, size_t max,
                 const char **out);

/* vf_string, then ok(s) must hold, else "invalid_format" with the message
 * "<what> invalide" (what is a French noun phrase, e.g. "adresse électronique"). */
vf_res vf_format(vctx *v, const char *path, const json_t *val, unsigned flags, size_t max,
                 bool (*ok)(const char *), const char *what, const char **out);

/* A string among set (NULL-terminated), else "invalid_enum" naming the values. */
vf_res vf_enum(vctx *v, const char *path, const json_t *val, unsigned flags,
               const char *const *set, const char **out);

/* A real calendar day "YYYY-MM-DD" ("invalid_date" otherwise); with VF_NOT_FUTURE,
 * not after today ("future_date"). */
vf_res vf_date(vctx *v, const char *path, const json_t *val, unsigned flags, cal_date today,
               cal_date *out);

/* A JSON boolean. */
vf_res vf_bool(vctx *v, const char *path, const json_t *val, unsigned flags, bool *out);

/* A JSON integer within [lo, hi] ("invalid_range" outside). */
vf_res vf_integer(vctx *v, const char *path, const json_t *val, unsigned flags, json_int_t lo,
                  json_int_t hi, json_int_t *out);

/* A JSON object whose keys are all in allowed (NULL-terminated): each other key
 * is an "unknown_field" at "path.key". Returns VF_OK for any object, even with
 * unknown keys (they are recorded), so that its known fields are still checked. */
vf_res vf_object(vctx *v, const char *path, const json_t *val, unsigned flags,
                 const char *const *allowed);

/* A JSON array of at most max elements ("too_many" beyond, and VF_BAD so that the
 * caller does not walk a huge array). With VF_NONEMPTY an empty array is absent. */
vf_res vf_array(vctx *v, const char *path, const json_t *val, unsigned flags, size_t max);

/* vf_array of at most max elements, each a string among set (vf_enum at
 * "path[i]"), none twice: a repeated one is "duplicate" with the message
 * duplicate (a French sentence: "motif déjà indiqué"). Returns vf_array's
 * result: VF_OK even when an element was refused (each error is recorded). */
vf_res vf_enum_set(vctx *v, const char *path, const json_t *val, unsigned flags, size_t max,
                   const char *const *set, const char *duplicate);

/* True when s is one of set (NULL-terminated). s may be NULL (false). */
bool vf_in_set(const char *s, const char *const *set);

/* Number of code points of the UTF-8 string s. */
size_t vf_utf8_length(const char *s);

/* Formats (s not NULL):
 * - e-mail: ASCII local@domain, at most 254 characters, local part of at most 64
 *   atext characters and single dots, domain of at least two labels of letters,
 *   digits and inner hyphens, the last one not all digits. Internationalised
 *   domains must be sent in punycode.
 * - phone: a French number "0XXXXXXXXX" (10 digits) or an international one
 *   "+<8 to 15 digits>" (E.164), with single spaces, dots or hyphens allowed
 *   between digits ("06 12 34 56 78", "+33 6 12 34 56 78").
 * - postal code: five digits not starting with 00, or 2A/2B and three digits
 *   (Corsica written with its department code).
 * - language: an ISO 639 code of 2 or 3 ASCII letters ("fr", "ber").
 * - sha256: 64 hexadecimal digits, either case. */
bool vf_is_email(const char *s);
bool vf_is_phone(const char *s);
bool vf_is_postal_code(const char *s);
bool vf_is_language(const char *s);
bool vf_is_sha256(const char *s);

#endif
