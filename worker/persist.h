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

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "stream.h"

struct entry {
    char id[48];          /* stream id "ms-seq" */
    char type[48];        /* "dossier.create", ... */
    char *meta;           /* JSON text (owned) */
    char *body;           /* JSON text (owned) */
    size_t body_len;
    struct stream_meta m; /* meta, read once by persist_batch() */
    bool done;            /* applied now or earlier: acknowledge it */
    bool refused;         /* never applicable here (a meta version this worker
                           * does not know): dead-letter it at once */
    char pending_key[80]; /* read-your-writes record to drop once applied */
    char error[200];      /* why it failed (no personal data) */
};

/* Apply entries in stream order, reading each meta once into e->m. Entries
 * that could be applied get done = true; the others keep done = false and an
 * error, and refused = true if no retry can help. Returns -1 when PostgreSQL was lost
 * (then no entry is done), else the number of entries done. */
int persist_batch(PGconn *pg, struct entry *entries, int n);

/* The ordering key of a stream id: milliseconds * 100000 + sequence. */
long long persist_stream_seq(const char *stream_id);

#endif
