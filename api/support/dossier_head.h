/*
 * dossier_head.h — what the handlers acting on one dossier need to know first:
 * does it exist in the caller's scope, in which status, at which version.
 *
 * A dossier accepted but not yet persisted is found through its pending record
 * in Redis (ingest.h), so that a partner may act on a dossier right after its
 * 202 (transmit a deposit, write a message) as SPEC §1 promises for reads.
 */
#ifndef EPART_API_DOSSIER_HEAD_H
#define EPART_API_DOSSIER_HEAD_H

#include <stdbool.h>

#include "core/dbpool.h"

struct dossier_action;

struct dossier_head {
    bool pending;          /* known only from the queue */
    char status[24];
    char org[37];
    char caisse[17];
    char reference[40];
    int version;
};

/* Look the dossier c->params[0] up. Returns 1 when found in the caller's
 * scope, 0 when unknown or out of scope (the reply is set to 404), -1 when
 * PostgreSQL failed (the reply is set to 503). lock takes a row lock (inside the
 * caller's transaction). */
int dossier_head_load(struct call *c, struct db *db, bool lock, struct dossier_head *out);

/* True when the caller's role may take action a (NULL: a write that is no
 * action, a message) by the dossier's life (dossier_action_by,
 * common/dossier_life.h); else false after setting a 403 in French. The
 * route's roles (R_*) are the first gate; this is the rule's one definition,
 * which refuses should the two ever disagree. */
bool dossier_role_may(struct call *c, const struct dossier_action *a);

/* Set a 200 reply with doc (reference taken), a dossier or request document:
 * the states of its deadlines at the product's now, for a request of SPEC §8
 * the "actions" its status allows (request_next_statuses), and its ETag. A NULL doc
 * (its re-read failed) is a 503. */
void call_set_document(struct call *c, json_t *doc);

/* GET of one dossier or request c->params[0]: its document from PostgreSQL
 * (stored(db, arg, id, &failed)), else from its pending record while it is
 * queued (pending(db, arg, id), NULL when none), else from PostgreSQL again —
 * the worker drops the pending record only after its commit, so when both
 * reads missed the commit came between them. Out of the caller's scope is a
 * 404; found, its read is journaled as object_type and it is c's reply. */
void document_show(struct call *c, struct db *db,
                   json_t *(*stored)(struct db *db, const void *arg, const char *id, bool *failed),
                   json_t *(*pending)(struct db *db, const void *arg, const char *id),
                   const void *arg, const char *object_type);

/* A replayed transition (idem_reread_fn) shows its dossier or request as it
 * is now, doc as read again in the caller's scope (NULL when none; failed when
 * PostgreSQL failed): made c's reply (call_set_document) with the read of
 * object_type id journaled. True when shown; false when there is none (the
 * reply untouched) or on failure (a 503 set). */
bool reread_shown(struct call *c, json_t *doc, bool failed, const char *object_type,
                  const char *id);

#endif
