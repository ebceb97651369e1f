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

/* Set a 200 reply with doc (reference taken), a dossier or request document:
 * the states of its deadlines at the product's now, for a request of SPEC §8
 * the "actions" its status allows (request_next_statuses), and its ETag. A NULL doc
 * (its re-read failed) is a 503. */
void call_set_document(struct call *c, json_t *doc);

#endif
