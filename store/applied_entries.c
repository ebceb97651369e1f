/*
 * applied_entries.c — the statement of the table applied_entries
 * (applied_entries.h).
 */
#include "store/applied_entries.h"

#include <stdlib.h>

#include "store/store.h"

int applied_entries_claim(PGconn *pg, const char *entry_id, const char *stream_id)
{
    PGresult *res = STORE_EXEC(pg,
                               "INSERT INTO applied_entries (entry_id, stream_id) VALUES ($1, $2) "
                               "ON CONFLICT DO NOTHING",
                               entry_id, stream_id);
    int n;

    if (res == NULL)
        return -1;
    n = atoi(PQcmdTuples(res));
    PQclear(res);
    return n;
}
