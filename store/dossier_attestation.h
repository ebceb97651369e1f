/*
 * dossier_attestation.h — the read of a dossier's attestation de dépôt (GET
 * /v1/dossiers/{id}/attestation-depot): its document with the name of its
 * organisation, a join of the tables dossiers and organisations. The
 * conventions of store/ are at the top of store/deadlines.h.
 */
#ifndef EPART_STORE_DOSSIER_ATTESTATION_H
#define EPART_STORE_DOSSIER_ATTESTATION_H

#include <libpq-fe.h>

/* The columns of dossier_attestation_read()'s row. */
enum dossier_attestation_col {
    ATTESTATION_DOC,     /* JSON: the dossier's document, without its history */
    ATTESTATION_ORG_NAME /* its organisation's name */
};

/* The stored dossier id's row (columns above): 1 with it in *row (the caller
 * PQclear()s it), 0 when the dossier is not stored (yet), -1 on failure. */
int dossier_attestation_read(PGconn *pg, const char *id, PGresult **row);

#endif
