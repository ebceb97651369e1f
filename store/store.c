/*
 * store.c — the one-row reader, the integer parameter and the parameter count
 * of store/ (store.h).
 */
#include "store/store.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int store_sql_nparams(const char *sql)
{
    bool seen[100] = {false};
    int most = 0;

    for (const char *p = strchr(sql, '$'); p != NULL; p = strchr(p + 1, '$')) {
        long n = isdigit((unsigned char)p[1]) ? strtol(p + 1, NULL, 10) : 0;

        if (n < 1 || n >= (long)(sizeof(seen) / sizeof(seen[0])))
            continue;
        seen[n] = true;
        if (n > most)
            most = (int)n;
    }
    for (int n = 1; n <= most; n++)
        if (!seen[n])
            return -1;
    return most;
}
