/*
 * journal.h — the audit journal of the writes the workers persist (SPEC §10).
 *
 * A partner's submission (POST /v1/dossiers, /transmit, /pieces, messages…) is
 * answered 202 by the API before anything reaches PostgreSQL; the write of the
 * person's data happens when a worker applies the stream entry. That is where
 * it is journaled, in the same transaction as the write itself, so that the
 * journal never shows a write that did not happen nor misses one that did.
 */
#ifndef EPART_WORKER_JOURNAL_H
#define EPART_WORKER_JOURNAL_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "persist.h"
#include "store/audit_journal.h"

/* Journal the entry e just applied inside the current transaction: who (the
 * actor of its meta: sub, role, organisation or caisse), from where (the
 * address the API saw), when (the API's receipt on the product clock), what
 * ("<object_type>.<action>" of its type, e.g. dossier.create) and on which
 * object (meta.id). An entry is journaled once however often it is delivered
 * (audit_journal.entry_id is unique). An entry without an actor is not
 * journaled. Returns 0, or -1 when the insert failed (the caller rolls back). */
int journal_entry(PGconn *pg, struct entry *e);

/* The texts of e's journal row (store/audit_journal.h), for a caller that
 * journals a run of entries with one statement (persist.c's pipeline). col
 * points into the row and into e's parsed meta (e->m): both must outlive its
 * use. Returns false when the entry is not journaled (no actor). */
struct journal_row {
    char at[40];
    char object_type[24];
    char action[24];
    const char *col[AUDIT_JOURNAL_NCOLS];
};
bool journal_row(const struct entry *e, struct journal_row *row);

#endif
