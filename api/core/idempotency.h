/*
 * idempotency.h — Idempotency-Key for the writes that go straight to
 * PostgreSQL (organisations, webhooks, clients, transitions, messages of the
 * caisse), and the record format shared with the ingest script (api/support/ingest.c).
 *
 * A record lives in Redis for 24 hours under idem_key_name() of the caller's
 * scope and key (common/idem_key.h). It holds what SPEC §2 lets it hold and
 * nothing else: the hash of method, path and body ("h"), the answer's status
 * ("s") and Location ("l"), the id of the object it concerns ("o") and a body
 * of ids ("b": id, reference, status, version — for a 4xx, the problem). Never
 * a person's data nor a secret: a replay that must show a document reads it
 * again through the handler's reread function (scope checked, journaled), and
 * a replayed creation of an API client or a webhook answers without its
 * secret. The record is also listed under its object (idem_object_key) for the
 * retention purge.
 *
 * The record is also kept in PostgreSQL (sql/020_idempotency_records.sql), in
 * the resource's own transaction: idem_begin() opens one when the handler has
 * none and idem_end() inserts the record and commits, so that a Redis
 * failover between the COMMIT and the record (docs/high-availability.md) can
 * never make a retry create the resource again; a key Redis does not know is
 * looked up there. A handler that runs its own transaction commits it itself
 * and its record follows in a transaction of its own.
 *
 * A key seen with another hash is a 422 idempotency_key_reused; a key whose
 * first request is still running is a 409. The key is looked up before the
 * status checks (SPEC §2): a handler calls idem_begin() (or, for a write that
 * the ingest script records, idem_lookup()) before its 412 and 409.
 */
#ifndef EPART_API_IDEMPOTENCY_H
#define EPART_API_IDEMPOTENCY_H

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdbool.h>

#include "digest.h"
#include "idem_key.h"
#include "core/server.h"

struct db;

/* An idem_reread_fn (core/server.h) reads again, for a replay, the document
 * that the first answer showed: it sets c's reply to it (any 2xx status: the
 * recorded one replaces it) and journals the read as any read of it is.
 * object_id is the recorded one; the caller's scope must be checked again. It
 * returns false when the object is gone or out of scope: the replay then
 * answers the recorded ids. */

/* The end of an idem_reread_fn whose document is shown as read: doc (reference
 * taken; NULL when none) made c's 200 reply with its ETag (call_set_doc) and
 * true; false when there is none, after setting a 503 when failed. */
bool idem_reread_reply(struct call *c, json_t *doc, bool failed);

struct idem {
    char redis_key[IDEM_KEY_LEN];
    char hash[SHA256_HEX_LEN];
    idem_reread_fn reread; /* set before idem_begin when the answer is a document */
    bool active;           /* a key was given and reserved: idem_end must be called */
    bool own_tx;           /* idem_begin opened the transaction that idem_end ends */
};

/* Start the idempotent handling of c on a database thread (reread may be NULL).
 * Returns true when the handler must go on (no key, or a new key now reserved,
 * and then inside a transaction of db->pg: the handler's own if it opened one,
 * else one that idem_end() commits — its statements must leave it usable, an
 * expected conflict is an ON CONFLICT, not an error); false when the call's
 * reply is already set (a replay of the first response, a 422 for a reused
 * key, a 409 while the first is running, a 400 for a malformed key, a 503 when
 * Redis or PostgreSQL cannot say). */
bool idem_begin(struct idem *id, struct call *c, struct db *db, idem_reread_fn reread);

/* Record the reply now set in c as the answer to the key (2xx and 4xx other than
 * 409, 412 and 429: status, Location, object id and ids only) in PostgreSQL,
 * committing the transaction idem_begin() opened, then in Redis; or roll that
 * transaction back and release the key so that a retry can run. A COMMIT that
 * fails turns the reply into a 503; a record another attempt of the same key
 * committed first (a concurrent retry after a failover) replaces the reply,
 * its own writes rolled back. */
void idem_end(struct idem *id, struct call *c, struct db *db);

/* For writes whose record the ingest script writes (the partner's queued
 * writes on a dossier): look c's key up without reserving it, before the
 * status checks. Returns true when c's reply is set: the first answer again,
 * 422 for a reused key, 400 for a malformed key. Redis silent: false (the
 * script looks again). */
bool idem_lookup(struct call *c, struct db *db);

/* Set c's reply to the 422 idempotency_key_reused problem. */
void idem_set_reused(struct call *c);

/* True when the stored record rec (parsed; NULL when unreadable) is not that of
 * the request whose hash is given: the key is then reused. */
bool idem_hash_differs(const json_t *rec, const char *hash);

/* Set c's reply for a body that failed validation (errors taken), on a database
 * thread: 422 idempotency_key_reused when c's Idempotency-Key is recorded for
 * another request (SPEC §2: whatever the new body), else the 422 listing errors.
 * For the handlers that validate before idem_begin(), whose invalid bodies are
 * thus never recorded under their key. api/support/ingest.c does the same on the HTTP
 * thread (ingest_reply_invalid). */
void idem_set_invalid(struct call *c, redisContext *rc, json_t *errors);

/* The hash of a request: method, path and body. */
void idem_request_hash(const struct call *c, char out[SHA256_HEX_LEN]);

/* Apply the recorded answer rec (parsed) to c as its reply, without reading
 * anything again. Returns false when the record is unreadable. */
bool idem_replay(struct call *c, const json_t *rec);

/* The Redis key for (scope of c, key) into out. */
void idem_redis_key(const struct call *c, const char *key, char out[IDEM_KEY_LEN]);

/* Say in the body of a replayed creation that its secret is not shown again
 * (SPEC §3): field (e.g. "client_secret") left out, "replayed": true and a
 * note in French. */
void idem_note_secret_withheld(json_t *doc, const char *field, const char *what);

#endif
