/*
 * applied_entries.h — the SQL of the table applied_entries, its one home: the
 * stream entries the worker applied outside a creation (a creation is applied
 * once by its dossier's or request's id), each recorded in the transaction of
 * its write, so that an entry delivered twice is applied once
 * (worker/lifecycle.c). The conventions of store/ are at the top of
 * store/deadlines.h.
 */
#ifndef EPART_STORE_APPLIED_ENTRIES_H
#define EPART_STORE_APPLIED_ENTRIES_H

#include <libpq-fe.h>

/* Record the entry entry_id (a uuid, the meta's; stream_id its stream id) as
 * applied: 1 when it was not yet, 0 when it was, -1 on failure. */
int applied_entries_claim(PGconn *pg, const char *entry_id, const char *stream_id);

#endif
