/*
 * persist.h — applying stream entries to PostgreSQL, idempotently.
 *
 * An entry is applied at most once whatever the number of deliveries: a dossier
 * is inserted under the id the API gave it (ON CONFLICT DO NOTHING), and every
 * other write records its entry id in applied_entries in the same transaction.
 * The caller acknowledges an entry only after persist_batch() has committed it.
 */
#ifndef EPART_WORKER_PERSIST_H
#define EPART_WORKER_PERSIST_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "stream.h"

/* One stream entry. Ownership: the consumer owns the texts (meta, body) from
 * its read to its acknowledgement. persist_batch() reads each entry once, at
 * its start — the meta into m, the body into doc — and every step after it
 * (prepare, lifecycle.c, journal.c) reads those, never the texts again but to
 * copy them whole into an SQL argument. doc belongs to persist_batch(): it is
 * NULL outside the call. */
struct entry {
    char id[48];          /* stream id "ms-seq" */
    char type[48];        /* "dossier.create", ... */
    char *meta;           /* JSON text (owned by the consumer) */
    char *body;           /* JSON text (owned by the consumer) */
    size_t body_len;
    struct stream_meta m; /* meta, read once by persist_batch() */
    json_t *doc;          /* body, parsed once by persist_batch(); NULL when it
                           * is not JSON (an object or array), and outside the call */
    bool prepared;        /* its prepare step passed: apply it */
    bool done;            /* applied now or earlier: acknowledge it */
    bool refused;         /* never applicable here (a meta version this worker
                           * does not know): dead-letter it at once */
    char pending_key[STREAM_PENDING_KEY_MAX + 1]; /* read-your-writes record to drop once applied */
    char error[200];      /* why it failed (no personal data) */
};

/* Apply entries in stream order, reading each meta once into e->m and each
 * body once into e->doc (released before returning). Entries
 * that could be applied get done = true; the others keep done = false and an
 * error, and refused = true if no retry can help. Returns -1 when PostgreSQL was lost
 * (then no entry is done), else the number of entries done. */
int persist_batch(PGconn *pg, struct entry *entries, int n);

/* Release what persist_batch() keeps for this thread's next batch (its
 * arena's memory); at the end of a thread that called it. */
void persist_thread_end(void);

/* The ordering key of a stream id: milliseconds * 100000 + sequence. */
long long persist_stream_seq(const char *stream_id);

#endif
