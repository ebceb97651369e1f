/*
 * jsonfast.h — a faster path to the Jansson tree of a JSON text.
 *
 * Why: under callgrind, Jansson's json_loadb() was half of the instructions of
 * a POST /v1/dossiers (about 410 000 for the 2.3 KB dossier: its lexer reads
 * the text one character at a time through a callback). This parser reads the
 * text in place and builds the very same json_t tree with Jansson's own
 * constructors, so that everything after the parse (validation, dumps, the
 * worker) is unchanged.
 *
 * It is a fast path, not a second definition of JSON: it accepts only what it
 * is sure Jansson accepts with JSON_REJECT_DUPLICATES (an object or array at the
 * top, strict UTF-8, no NUL, integers of at most 18 digits, finite reals) and
 * gives up — NULL — on anything else: malformed text, a duplicate key, a
 * "\u0000", a big integer, more than max_depth levels. The caller then asks
 * Jansson, whose answer (and error message) stands. tests/fuzz/fuzz_json.c
 * checks on arbitrary bytes that whenever this returns a tree, json_loadb()
 * returns an equal one.
 *
 * The writer, json_fast_dump(), is the other half: Jansson's dump hands its
 * text to a callback a token at a time and escapes strings one character at
 * a time (350 k instructions for a dossier's document); this one writes the
 * same bytes, checked against json_dumps() by the same fuzz target.
 */
#ifndef EPART_JSONFAST_H
#define EPART_JSONFAST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The tree of the len bytes at text (not necessarily NUL-terminated), nested at
 * most max_depth levels (1..64), or NULL when the fast path cannot say: then
 * json_loadb() decides. A new reference. */
json_t *json_fast_loadb(const char *text, size_t len, int max_depth);

/* json_fast_loadb(), else json_loadb(text, len, flags, err): the answer of
 * json_loadb() always, faster for the documents it accepts. */
json_t *json_loadb_fast(const char *text, size_t len, size_t flags, json_error_t *err);

/* The text json_dump_callback(doc, cb, data, JSON_COMPACT [| JSON_ENSURE_ASCII
 * when ascii]) writes, byte for byte (tests/fuzz/fuzz_json.c compares them),
 * in pieces of up to 8 KiB rather than one per token, and without Jansson's
 * per-character loop. 0, or -1 where Jansson fails too (not an object or
 * array, a string that is not UTF-8, a callback that fails, more than 2048
 * levels); cb may have received part of the text then. */
int json_fast_dump(const json_t *doc, bool ascii, json_dump_callback_t cb, void *data);

/* The JSON string literal of the NUL-terminated str, quotes included, as
 * json_fast_dump() writes a string member: for a caller that writes a small
 * document's text itself rather than build its tree (store/audit_journal.c).
 * 0, or -1 when str is not UTF-8 or cb failed (cb may have received part of
 * the text then). */
int json_fast_dump_string(const char *str, bool ascii, json_dump_callback_t cb, void *data);

#endif
