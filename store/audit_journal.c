/*
 * audit_journal.c — the rows and the insert of the table audit_journal
 * (audit_journal.h).
 *
 * Why one insert: the API wrote its rows with an unnest of nine text arrays,
 * the worker with a single-row INSERT and with epart_insert_journal; the
 * columns are now named once, here and in that function.
 */
#include "store/audit_journal.h"

#include "jsonfast.h"
#include "jsonutil.h"

/* A record's text is written, not built as a Jansson tree and dumped: a list
 * page journals one record per row it shows, and the tree cost ten times the
 * text (24 k instructions a record against 2.4 k before it was one insert). */
int audit_journal_add(struct audit_journal_rows *rows, const char *const col[AUDIT_JOURNAL_NCOLS])
{
    /* epart_insert_journal's record, in the order of enum audit_journal_col */
    static const char *const keys[AUDIT_JOURNAL_NCOLS] = {
        "{\"at\":",      ",\"sub\":",         ",\"role\":",      ",\"org_id\":",
        ",\"caisse\":",  ",\"action\":",      ",\"object_type\":", ",\"object_id\":",
        ",\"remote_addr\":", ",\"entry_id\":"};
    struct text_buf *t = &rows->text;
    size_t mark;
    bool ok;

    if (rows->n > 0)
        t->len--; /* the array's closing bracket, written again below */
    mark = t->len;
    ok = text_buf_add(rows->n > 0 ? "," : "[", 1, t) == 0;
    for (int i = 0; ok && i < AUDIT_JOURNAL_NCOLS; i++)
        ok = text_buf_str(t, keys[i]) == 0 &&
             (col[i] == NULL ? text_buf_str(t, "null") == 0
                             : json_fast_dump_string(col[i], true, text_buf_add, t) == 0);
    ok = ok && text_buf_add("}]", 2, t) == 0;
    if (!ok) {
        t->len = mark;
        if (rows->n > 0)
            t->s[t->len++] = ']';
        if (t->s != NULL)
            t->s[t->len] = '\0';
        return -1;
    }
    rows->n++;
    return 0;
}

void audit_journal_rows_free(struct audit_journal_rows *rows)
{
    text_buf_free(&rows->text);
    rows->n = 0;
}

int audit_journal_insert(PGconn *pg, const char *rows)
{
    return STORE_CMD(pg, AUDIT_JOURNAL_SQL_INSERT, rows);
}
