/*
 * lifecycle.h — the partner writes that change a persisted dossier: the
 * transmission of a deposit, the pieces answering a request, and messages.
 *
 * Each runs inside the consumer's transaction, at most once per entry
 * (applied_entries), with the dossier locked. A write that the dossier's status
 * no longer allows when it is applied (two transmissions raced, the instructor
 * closed the dossier meanwhile) is recorded in the history, never lost, and
 * changes no status.
 */
#ifndef EPART_WORKER_LIFECYCLE_H
#define EPART_WORKER_LIFECYCLE_H

#include <libpq-fe.h>

#include "persist.h"

/* Each reads the entry as persist_batch() parsed it (e->m, e->doc: borrowed,
 * never parsed again); returns 0 when applied (or already applied), -1 on
 * failure with e->error set. A dossier not yet persisted is a failure: the
 * entry is retried after its creation. */
int lifecycle_apply_transmit(PGconn *pg, struct entry *e);
int lifecycle_apply_pieces(PGconn *pg, struct entry *e);
int lifecycle_apply_message(PGconn *pg, struct entry *e);

#endif
