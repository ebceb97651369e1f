/*
 * audit.h — the RGPD audit journal (SPEC §10): who read or wrote whose data,
 * with which role and organisation, from where, and when.
 *
 * Records are buffered in memory and written in batches by one thread with
 * asynchronous commit, so that journaling a read adds no fsync to it; at most
 * the last fraction of a second of the journal can be lost in a crash.
 */
#ifndef EPART_API_AUDIT_H
#define EPART_API_AUDIT_H

#include <jansson.h>
#include <libpq-fe.h>

#include "core/server.h"

/* Journal an action ("read", "list", "create", "transition", …) of the caller of c
 * on an object (object_id may be NULL for lists). Safe from any thread. */
void audit_record(struct call *c, const char *action, const char *object_type,
                  const char *object_id);

/* The same for someone who is not (yet) the call's identity: a person signing
 * in, or refused (role "agent" while unknown; sub, org and caisse may be ""). */
void audit_record_as(struct call *c, const char *sub, const char *role, const char *org,
                     const char *caisse, const char *action, const char *object_type,
                     const char *object_id);

/* Journal a list (SPEC §10): one row of action on object_type per document of
 * items (a JSON array) naming it by its "id" — the objects whose data the
 * caller read. With object_type NULL, each document names the object it is
 * about in "object": {"type", "id"} (an alert), and the row names that one.
 * Rows go into the same buffer as audit_record's, in one step. Safe from any
 * thread. */
void audit_record_items(struct call *c, const char *action, const char *object_type,
                        const json_t *items);

/* audit_record_items() of the first n rows of res, each naming an object of
 * object_type by its id in column col (a list served as text, without a
 * tree). */
void audit_record_rows(struct call *c, const char *action, const char *object_type,
                       const PGresult *res, int col, int n);

/* Start and stop the writer thread. */
int audit_start(void);
void audit_stop(void);

#endif
