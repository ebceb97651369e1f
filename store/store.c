/*
 * store.c — the one-row reader and the integer parameter of store/ (store.h).
 */
#include "store/store.h"

#include <stdio.h>

const char *store_int(char buf[STORE_INT_LEN], long long v)
{
    snprintf(buf, STORE_INT_LEN, "%lld", v);
    return buf;
}

int store_row(PGconn *pg, PGresult **row, const char *sql, int n, const char *const *params)
{
    PGresult *res = db_exec(pg, sql, n, params);

    *row = NULL;
    if (res == NULL)
        return -1;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return 0;
    }
    *row = res;
    return 1;
}

int store_exists(PGconn *pg, const char *sql, int n, const char *const *params)
{
    PGresult *row;
    int found = store_row(pg, &row, sql, n, params);

    if (found == 1)
        PQclear(row);
    return found;
}
