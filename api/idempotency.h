/*
 * idempotency.h — Idempotency-Key for the writes that go straight to
 * PostgreSQL (organisations, webhooks, clients, transitions, messages of the
 * caisse).
 *
 * The record lives in Redis under "epart:idem:<scope>:<key>" for 24 hours, the
 * same record the ingest script writes for queued writes (api/ingest.c): the
 * hash of method, path and body, and the first response (status, Location,
 * body). A key seen with another hash is a 422 idempotency_key_reused; a key
 * whose first request is still running is a 409.
 */
#ifndef EPART_API_IDEMPOTENCY_H
#define EPART_API_IDEMPOTENCY_H

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdbool.h>

#include "digest.h"
#include "server.h"

#define IDEM_TTL_SECONDS 86400

struct idem {
    char redis_key[400];
    char hash[SHA256_HEX_LEN];
    bool active; /* a key was given and reserved: idem_end must be called */
};

/* Start the idempotent handling of c on a database thread. Returns true when
 * the handler must go on (no key, or a new key now reserved); false when the
 * call's reply is already set (a replay of the first response, a 422 for a
 * reused key, a 409 while the first is running, a 400 for a malformed key, a 503
 * when Redis cannot say). */
bool idem_begin(struct idem *id, struct call *c, redisContext *rc);

/* Record the reply now set in c as the answer to the key (2xx and 4xx other than
 * 409, 412 and 429), or release the key so that a retry can run. */
void idem_end(struct idem *id, struct call *c, redisContext *rc);

/* Set c's reply to the 422 idempotency_key_reused problem. */
void idem_set_reused(struct call *c);

/* True when the stored record rec (parsed; NULL when unreadable) is not that of
 * the request whose hash is given: the key is then reused. */
bool idem_hash_differs(const json_t *rec, const char *hash);

/* Set c's reply for a body that failed validation (errors taken), on a database
 * thread: 422 idempotency_key_reused when c's Idempotency-Key is recorded for
 * another request (SPEC §2: whatever the new body), else the 422 listing errors.
 * For the handlers that validate before idem_begin(), whose invalid bodies are
 * thus never recorded under their key. api/ingest.c does the same on the HTTP
 * thread (ingest_reply_invalid). */
void idem_set_invalid(struct call *c, redisContext *rc, json_t *errors);

/* The hash of a request: method, path and body. */
void idem_request_hash(const struct call *c, char out[SHA256_HEX_LEN]);

/* Build the record stored for a response (malloc'd JSON text). */
char *idem_record(const char *hash, int status, const char *location, const char *body);

/* Apply a stored record to c as its reply. Returns false when the record is
 * unreadable. */
bool idem_replay(struct call *c, const char *record, size_t len);

/* The Redis key for (scope of c, key) into out. */
void idem_redis_key(const struct call *c, const char *key, char *out, size_t len);

#endif
