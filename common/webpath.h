/*
 * webpath.h — the request paths the web application's files are looked up by
 * (api/core/web.c), and the Accept-Encoding it answers with gzip. Pure and bounded,
 * so that it can be fuzzed (tests/fuzz/fuzz_webpath.c).
 */
#ifndef EPART_WEBPATH_H
#define EPART_WEBPATH_H

#include <stdbool.h>
#include <stddef.h>

#define WEBPATH_MAX 256

/* True when rel (a path relative to /app/, still percent-encoded as received)
 * may name a file: 1..WEBPATH_MAX-1 bytes of letters, digits, '.', '_', '-' and
 * '/', no empty segment (no leading or doubled '/'), no trailing '/', and no
 * segment starting with '.' (so no "..", no dotfile). Everything else — "%2e",
 * '\\', NUL, spaces, UTF-8 — is refused: such a path is never looked up. */
bool webpath_clean(const char *rel);

/* True when rel is a page of the application (an extension-less last segment:
 * "dossiers/<id>", "callback") rather than a file. */
bool webpath_is_page(const char *rel);

/* True when an Accept-Encoding value admits gzip (named, with a weight other
 * than 0). */
bool webpath_accepts_gzip(const char *accept_encoding);

#endif
