/*
 * csv.h — writing CSV (RFC 4180) for the exports of the API: the indicators
 * (SPEC §9) and the lists of the back office (SPEC §12).
 */
#ifndef EPART_CSV_H
#define EPART_CSV_H

#include <stdbool.h>
#include <stddef.h>

struct csv {
    char *data; /* NUL-terminated; NULL until something is written */
    size_t len, cap;
    bool failed; /* an allocation failed: the text is incomplete */
};

/* Append one field: quoted when it holds a comma, a quote or a line break,
 * quotes doubled. A text (text = true) that a spreadsheet would take for a
 * formula (=, +, -, @, tab or carriage return first) is prefixed with an
 * apostrophe (OWASP "CSV injection"); numbers are written with text = false.
 * last ends the row with CRLF. */
void csv_field(struct csv *b, const char *s, bool text, bool last);

/* Append raw bytes (a header line, say). */
void csv_raw(struct csv *b, const char *s, size_t n);

/* Release the text. */
void csv_free(struct csv *b);

#endif
