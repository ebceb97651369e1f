/*
 * dossier_attestation.c — the statement of the attestation de dépôt
 * (dossier_attestation.h).
 */
#include "store/dossier_attestation.h"

#include "store/store.h"

int dossier_attestation_read(PGconn *pg, const char *id, PGresult **row)
{
    return STORE_ROW(pg, row,
                     "SELECT epart_dossier_doc(d, false)::text, o.name FROM dossiers d "
                     "JOIN organisations o ON o.id = d.org_id WHERE d.id = $1",
                     id);
}
