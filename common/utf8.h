/*
 * utf8.h — keeping text cut by a fixed buffer valid UTF-8.
 *
 * snprintf cuts at a byte, which may fall inside a multi-byte character; the
 * JSON writer (Jansson) then refuses the whole string, and an error entry or a
 * sentence built from it would be silently left out. Every buffer that may
 * be cut is mended here.
 *
 * Pure, no allocation, thread-safe.
 */
#ifndef EPART_UTF8_H
#define EPART_UTF8_H

/* Drop a partial character at the end of the NUL-terminated s (one whose lead
 * byte announces more continuation bytes than follow). Valid text is left as
 * it is. */
void utf8_drop_partial_tail(char *s);

#endif
