/*
 * ingest.h — the durable queue of partner writes (SPEC §1).
 *
 * A partner write (a dossier, a transmission, pieces, a message, a signalement…)
 * is validated on the HTTP thread and then appended, with one Lua script run
 * atomically by Redis, to the stream STREAM_INGEST: the script also honours the
 * Idempotency-Key, refuses new work past the configured backlog, gives the
 * entry its human reference from a per-day counter and records the pending
 * object for read-your-writes. Redis runs with appendfsync always (deploy/), so
 * when the script's reply arrives the entry is on disk and the API may answer
 * 202; if Redis is unreachable nothing was written and the API answers 503.
 */
#ifndef EPART_API_INGEST_H
#define EPART_API_INGEST_H

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stddef.h>

#include "stream.h"
#include "core/server.h"

/* Replaced by the entry's reference in meta, pending meta and response. */
#define INGEST_REF_PLACEHOLDER "@REF@"

struct ingest_req {
    const char *type;        /* entry type, e.g. "dossier.create" */
    const char *meta;        /* JSON text of the entry's metadata */
    const char *body;        /* the validated request body, as received */
    size_t body_len;
    const char *pending_key; /* "epart:pending:<id>" or NULL */
    const char *refseq_key;  /* "epart:refseq:<day>" or NULL (no reference) */
    const char *ref_prefix;  /* "EP-20261123-" */
    const char *response;    /* JSON text of the 202 body */
    const char *location;    /* Location of the 202 */
    const char *object_id;   /* the object written (its idempotency records are
                              * listed under it for the purge), or NULL */
    const char *hash;        /* the request's hash when already computed, or NULL */
};

/* The pending record of an object accepted but not yet persisted (blocking
 * context rc): its meta read into *m (stream_meta_parse) and, when body is not
 * NULL, the partner's body from the stream entry in *body (a new reference).
 * False when there is none — unknown, unreadable, or (with body) persisted
 * meanwhile; *body is then NULL. */
bool ingest_pending(redisContext *rc, const char *id, struct stream_meta *m, json_t **body);

/* Fill *m with what every write by c carries (common/stream.h): a new entry
 * id, the object id, its org and caisse, c's actor and address, and the receipt
 * instant (the product clock, now). Other members are left empty for the
 * caller. False when no random id could be drawn or a text is too long. */
bool ingest_meta_init(const struct call *c, struct stream_meta *m, const char *id,
                      const char *org, const char *caisse);

/* c's identity as a stream actor: sub, role, and org for a partner or caisse
 * for an agent of the caisse. False when a text is too long. */
bool ingest_actor(const struct call *c, struct stream_actor *a);

/* Queue the creation of a new object by the partner of c (a dossier, a
 * signalement…): give it an id and a reference "<ref_prefix>-YYYYMMDD-NNNNNN"
 * from the day's counter, complete *m (the caller set only what its kind
 * adds: kind, the dossier's dates) with what every creation carries
 * (ingest_meta_init, reference, status), record it for read-your-writes, and
 * answer 202 with Location "<collection>/<id>" and
 * {"id","reference","status","received_at"}. */
void ingest_create(struct call *c, const char *type, const char *ref_prefix,
                   const char *collection, const char *status, struct stream_meta *m);

/* Answer 422 with errors (taken) for a creation whose body failed validation,
 * unless its Idempotency-Key is known with another body: then 422
 * idempotency_key_reused (SPEC §2). Looks the key up on c's Redis link; on the
 * HTTP thread only. */
void ingest_reply_invalid(struct call *c, json_t *errors);

/* Prepare the script's SHA-1 and each HTTP thread's queue of calls (once,
 * after the configuration, before the HTTP threads start). */
void ingest_init(void);

/* Free the threads' queues, once server_free() has freed the HTTP threads. */
void ingest_free(void);

/* Append the write to the stream and reply: 202 with Location and the response,
 * the first response again for a replayed Idempotency-Key (422 when its body
 * differs), or 503 (Redis down, or backlog over EPART_INGEST_BACKLOG). The
 * strings of r are copied before this returns (r->body may be c->body, which
 * is kept instead). The write waits for the end of the loop turn: the calls of
 * one turn of one HTTP thread go in one script call (up to 64), each answered
 * from its own part of the reply, in the order they came. */
void ingest_submit(struct call *c, const struct ingest_req *r);

/* The same with c's body, the entry's meta and the 202's body as documents
 * (references taken), written as text here; a 503 when memory is short. */
void ingest_queue(struct call *c, struct ingest_req *r, json_t *meta, json_t *response);

#endif
