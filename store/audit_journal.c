/*
 * audit_journal.c — the rows and the insert of the table audit_journal
 * (audit_journal.h).
 *
 * Why one insert: the API wrote its rows with an unnest of nine text arrays,
 * the worker with a single-row INSERT and with epart_insert_journal; the
 * columns are now named once, here and in that function.
 */
#include "store/audit_journal.h"

#include "jsonutil.h"

int audit_journal_add(json_t *rows, const char *const col[AUDIT_JOURNAL_NCOLS])
{
    /* epart_insert_journal's record, in the order of enum audit_journal_col */
    static const char *const names[AUDIT_JOURNAL_NCOLS] = {
        "at",     "sub",         "role",      "org_id",      "caisse",
        "action", "object_type", "object_id", "remote_addr", "entry_id"};
    json_t *row = json_object();

    for (int i = 0; row != NULL && i < AUDIT_JOURNAL_NCOLS; i++)
        if (json_object_set_new_nocheck(row, names[i], json_string_or_null(col[i])) < 0) {
            json_decref(row);
            row = NULL;
        }
    return row != NULL && json_array_append_new(rows, row) == 0 ? 0 : -1;
}

int audit_journal_insert(PGconn *pg, const char *rows)
{
    return STORE_CMD(pg, AUDIT_JOURNAL_SQL_INSERT, rows);
}
