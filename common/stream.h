/*
 * stream.h — the one definition of what passes between epart-api and
 * epart-worker through Redis: the keys, and the meta of a stream entry.
 *
 * Keys (every other Redis key of the product is named where noted):
 *
 *   STREAM_INGEST       "epart:ingest"         stream of partner writes. Written by
 *                       the API's ingest script (api/support/ingest.c, XADD, fields type,
 *                       meta, body); read by the workers' consumer group; an entry
 *                       is XDEL'd once persisted, so XLEN is the backlog.
 *   STREAM_GROUP        "epart-workers"        the consumer group of every worker.
 *   STREAM_DEAD         "epart:ingest:dead"    dead-letter stream: entries a worker
 *                       could not apply (poison, unknown meta version), with
 *                       original_id, type, meta, body, tries. Written by the
 *                       consumer, scrubbed by the retention purge.
 *   STREAM_FAILURES     "epart:ingest:failures" hash stream id -> failures so far
 *                       (consumer only).
 *   STREAM_PENDING_PREFIX "epart:pending:<id>" hash {meta, stream_id} of an object
 *                       accepted but not yet persisted (read-your-writes). Written
 *                       by the ingest script, read by the API's GETs, deleted by
 *                       the consumer after COMMIT, purged by retention.
 *   STREAM_REFSEQ_PREFIX "epart:refseq:<prefix>:<YYYYMMDD>" counter of a day's
 *                       references (ingest script only).
 *   Elsewhere: "epart:idem:…"/"epart:idem-of:…" (idem_key.h), "epart:clock"
 *   (clock.h), "epart:org:<id>" (api/core/orgcache.h), "epart:oidc:nonce:…"
 *   (api/resources/session.c).
 *
 * The meta (the entry's "meta" field) is a JSON object, version STREAM_META_V:
 *   v, entry (uuid of this write: idempotency of the worker), id (the object),
 *   org, caisse, actor {sub, role, org | caisse}, remote, received_at,
 *   received_at_us; a creation adds reference and status; a request creation
 *   kind; a message message_id; a dossier creation org_kind, ame_habilitated,
 *   received_on and ame_deposit_on (null when absent).
 * The SQL functions epart_apply_* read the same keys (sql/): renaming one is a
 * new version. Every producer builds it with stream_meta_build(); the worker
 * reads it once with stream_meta_parse() and refuses a version it does not
 * know, into STREAM_DEAD.
 */
#ifndef EPART_STREAM_H
#define EPART_STREAM_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "calendar.h"

#define STREAM_INGEST "epart:ingest"
#define STREAM_GROUP "epart-workers"
#define STREAM_DEAD "epart:ingest:dead"
#define STREAM_FAILURES "epart:ingest:failures"
#define STREAM_PENDING_PREFIX "epart:pending:"
#define STREAM_PENDING_TTL_SECONDS (7 * 86400)
#define STREAM_REFSEQ_PREFIX "epart:refseq:"

/* Longest pending record key: the prefix and an id. */
#define STREAM_PENDING_KEY_MAX (sizeof(STREAM_PENDING_PREFIX) - 1 + STREAM_ID_MAX)

/* The version of the meta this code writes and reads. */
#define STREAM_META_V 1

/* Longest accepted texts (bytes, without the NUL). */
#define STREAM_ID_MAX 64
#define STREAM_SUB_MAX 255
#define STREAM_SHORT_MAX 63

/* Who made a write: sub and role always; org for a partner, caisse for an agent
 * of the caisse ("" when not applicable). */
struct stream_actor {
    char sub[STREAM_SUB_MAX + 1];
    char role[STREAM_SHORT_MAX + 1];
    char org[STREAM_ID_MAX + 1];
    char caisse[STREAM_SHORT_MAX + 1];
};

/* The meta of one entry. An empty string is an absent member. */
struct stream_meta {
    int v;
    char entry[STREAM_ID_MAX + 1];
    char id[STREAM_ID_MAX + 1];
    char reference[STREAM_SHORT_MAX + 1];
    char org[STREAM_ID_MAX + 1];
    char caisse[STREAM_SHORT_MAX + 1];
    bool has_actor;
    struct stream_actor actor;
    char remote[STREAM_SHORT_MAX + 1];
    char status[STREAM_SHORT_MAX + 1];
    char kind[STREAM_SHORT_MAX + 1];
    char message_id[STREAM_ID_MAX + 1];
    bool has_received_at_us;
    int64_t received_at_us; /* the API's receipt, product clock */
    /* dossier creation only (is_dossier_create) */
    bool is_dossier_create;
    char org_kind[STREAM_SHORT_MAX + 1];
    bool ame_habilitated;
    bool has_received_on;   /* transmitted at creation: the caisse received it */
    cal_date received_on;
    bool has_ame_deposit;   /* AME first request of a habilitated organisation */
    cal_date ame_deposit_on;
};

/* Fill a with sub, role and org or caisse (NULL or "" for none). False when a
 * text is too long (a is then unspecified). */
bool stream_actor_set(struct stream_actor *a, const char *sub, const char *role,
                      const char *org, const char *caisse);

/* The actor as a JSON object {sub, role[, org][, caisse]}: the form journals,
 * dossier events and messages store. New reference, NULL when out of memory. */
json_t *stream_actor_json(const struct stream_actor *a);

/* The meta as a JSON object (v set to STREAM_META_V whatever m->v), members
 * present as described above: received_at is derived from received_at_us.
 * New reference, NULL when out of memory. */
json_t *stream_meta_build(const struct stream_meta *m);

enum stream_meta_rc {
    STREAM_META_OK = 0,
    STREAM_META_MALFORMED,     /* not JSON, not an object, a member of the wrong
                                * type or too long, id missing */
    STREAM_META_UNKNOWN_VERSION /* "v" an integer other than STREAM_META_V */
};

/* Read the meta text (len bytes, need not be NUL-terminated) into *m. Only the
 * version and "id" are required; each use checks the members it needs. Unknown
 * members are ignored (a v1 producer may add some). On UNKNOWN_VERSION m->v
 * holds the version read. Pure: no I/O. */
enum stream_meta_rc stream_meta_parse(const char *text, size_t len, struct stream_meta *m);

/* The key of the pending record of object id (STREAM_PENDING_PREFIX<id>) into
 * buf of STREAM_PENDING_KEY_MAX + 1 bytes: false when id is too long. */
bool stream_pending_key(char buf[STREAM_PENDING_KEY_MAX + 1], const char *id);

/* Set in doc the members an object's document takes from its meta while it is
 * pending (accepted, not yet persisted): id, reference, org, caisse, status,
 * received_at (null when absent) and kind when m has one. False when out of
 * memory. */
bool stream_meta_doc(const struct stream_meta *m, json_t *doc);

/* The object id ("id") of a meta of any version (every version keeps it):
 * what the retention purge needs to scrub the dead-letter stream, where
 * unknown versions end up. False when there is none. */
bool stream_meta_object_id(const char *text, size_t len, char id[STREAM_ID_MAX + 1]);

#endif
