/*
 * html.h — escaping text for the printable documents (attestation de dépôt).
 */
#ifndef EPART_HTML_H
#define EPART_HTML_H

#include <stddef.h>

/* Append s to the growing buffer *buf (length *len, capacity *cap) with & < > "
 * and ' escaped, so that partner-supplied text can never become markup.
 * Returns 0, or -1 when memory runs out. */
int html_append_escaped(char **buf, size_t *len, size_t *cap, const char *s);

/* Append s unescaped (the page's own markup). */
int html_append(char **buf, size_t *len, size_t *cap, const char *s);

#endif
