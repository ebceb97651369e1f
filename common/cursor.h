/*
 * cursor.h — the opaque "cursor" of list endpoints (SPEC §2, keyset pagination).
 *
 * Lists are ordered newest first by (created_at, id). The cursor names the last
 * row of a page as the pair (int64, key): created_at in microseconds since the
 * epoch and the row's id (a UUID, or any printable ASCII key of at most 64
 * characters). The next page is then "WHERE (created_at, id) < ($1, $2)", which
 * stays correct when rows are inserted between calls, unlike OFFSET.
 *
 * Wire form: base64url without padding (RFC 4648 §5) of
 *     1 byte   format version (1)
 *     8 bytes  the int64, big-endian two's complement
 *     1 byte   key length n (0..64)
 *     n bytes  the key, printable ASCII (0x20..0x7E)
 * so a cursor is at most 99 characters and safe in a URL without escaping.
 *
 * The cursor is not signed: a client that forges one only chooses where its own
 * list starts, and every list query is still restricted to the caller's scope.
 * Decoding is strict (only the canonical encoding of a well-formed payload is
 * accepted) because the value comes straight from the query string: anything
 * else is a 400, never a crash, whatever the bytes (the function is fuzzed).
 *
 * Pure logic, no I/O, thread-safe.
 */
#ifndef EPART_CURSOR_H
#define EPART_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CURSOR_KEY_MAX 64  /* characters of the key */
#define CURSOR_MAX_LEN 99  /* characters of an encoded cursor */
#define CURSOR_BUF_LEN 100 /* buffer for an encoded cursor and its NUL */

/* Encode (ts, key) into out (outsz bytes, CURSOR_BUF_LEN is always enough).
 * Returns false, writing nothing useful, when key is NULL, longer than
 * CURSOR_KEY_MAX, holds a byte outside 0x20..0x7E, or out is too small. */
bool cursor_encode(int64_t ts, const char *key, char *out, size_t outsz);

/* Decode the NUL-terminated cursor s. On success stores the pair in *ts and in
 * key (keysz bytes, CURSOR_KEY_MAX + 1 is always enough) and returns true. Any
 * other input — NULL, empty, over CURSOR_MAX_LEN characters, a character outside
 * the base64url alphabet, padding, non-canonical trailing bits, an unknown
 * version, a length that disagrees with the payload, a non-printable key, a key
 * that does not fit keysz — returns false and leaves *ts and key untouched. */
bool cursor_decode(const char *s, int64_t *ts, char *key, size_t keysz);

#endif
