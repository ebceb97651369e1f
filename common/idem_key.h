/*
 * idem_key.h — the Redis names of idempotency records (SPEC §2), one
 * definition for the API's database threads and its ingest script.
 *
 * A record is named by its caller's scope (organisation for a partner, caisse
 * for an instructor, sub for an admin) and the client's Idempotency-Key. The
 * parts are hashed each with its length in front, never joined with a
 * separator: a sub or a key may contain any visible character, and "sub:a" with
 * key "b:c" must not name the record of "sub:a:b" with key "c". The hash also
 * keeps the key's length fixed whatever the sub's.
 *
 * The records of one object (the dossier a transition moved, the signalement a
 * creation queued…) are listed in a set named after the object, so that the
 * retention purge (SPEC §10) finds them without scanning the key space.
 */
#ifndef EPART_IDEM_KEY_H
#define EPART_IDEM_KEY_H

#include <stdbool.h>
#include <stddef.h>

#define IDEM_KEY_PREFIX "epart:idem:"
/* "epart:idem:" + 64 hex digits + NUL */
#define IDEM_KEY_LEN (sizeof(IDEM_KEY_PREFIX) - 1 + 64 + 1)
/* How long a record lives, in Redis and in PostgreSQL (SPEC §2: 24 hours). */
#define IDEM_TTL_SECONDS 86400
#define IDEM_OBJECT_PREFIX "epart:idem-of:"
/* "epart:idem-of:" + an object id (at most 64 characters) + NUL */
#define IDEM_OBJECT_KEY_LEN (sizeof(IDEM_OBJECT_PREFIX) - 1 + 64 + 1)

/* The name of the record of key sent by the caller whose scope is
 * (scope_kind, scope_id), e.g. ("org", "<uuid>"), ("caisse", "171"),
 * ("sub", "<sub>"). Any of the three may hold any byte but NUL. */
void idem_key_name(const char *scope_kind, const char *scope_id, const char *key,
                   char out[IDEM_KEY_LEN]);

/* The id of the object a keyed creation makes (a dossier, a signalement…),
 * derived from the name of its record (idem_key_name) and the request's hash
 * (method, path, body): every attempt of one submission — the same key and
 * body — names the same object, on any node, even when a Redis failover lost
 * the record that the retry should have met (docs/high-availability.md), so
 * that two copies of its entry make one object. A UUID of version 8 (RFC
 * 9562: derived, not random) in its canonical text form, into out. */
void idem_object_id(const char *record_name, const char *request_hash, char out[37]);

/* The name of the set listing the records of object_id into out. Returns
 * false (out set to "") when object_id is empty or longer than 64 characters. */
bool idem_object_key(const char *object_id, char out[IDEM_OBJECT_KEY_LEN]);

#endif
