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

/* Journal the entry e just applied inside the current transaction: who (the
 * actor of its meta: sub, role, organisation or caisse), from where (the
 * address the API saw), when (the API's receipt on the product clock), what
 * ("<object_type>.<action>" of its type, e.g. dossier.create) and on which
 * object (meta.id). An entry is journaled once however often it is delivered
 * (audit_journal.entry_id is unique). An entry without an actor is not
 * journaled. Returns 0, or -1 when the insert failed (the caller rolls back). */
int journal_entry(PGconn *pg, struct entry *e);

/* The statement journal_entry() runs, with its 10 parameters. */
extern const char JOURNAL_SQL[];

/* The parameters of e's journal row, for a caller that sends JOURNAL_SQL itself
 * (persist.c's pipeline). params point into the row and into e's parsed meta
 * (e->m): both must outlive the sending (libpq copies parameters when
 * sending). Returns false when the entry is not journaled (no actor). */
struct journal_row {
    char at[40];
    char object_type[24];
    char action[24];
    const char *params[10];
};
bool journal_row(const struct entry *e, struct journal_row *row);

/* The row as a JSON object keyed by audit_journal's columns, an element of the
 * array JOURNAL_BATCH_SQL takes (sql/functions/10_audit.sql): a new reference,
 * NULL when out of memory. */
json_t *journal_row_json(const struct journal_row *row);

/* Journal the rows of a whole batch at once, in order: one parameter, the JSON
 * array of their journal_row_json(). */
extern const char JOURNAL_BATCH_SQL[];

#endif
