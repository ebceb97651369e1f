/*
 * journal.c — journaling the writes applied from the stream (see journal.h).
 *
 * The row is built from the entry's meta, which the API filled from the
 * caller's token and connection; the body (the person's data) is never read
 * here.
 */
#include "journal.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "jsonutil.h"
#include "uuidv.h"

const char JOURNAL_SQL[] =
    "INSERT INTO audit_journal (at, sub, role, org_id, caisse, action, object_type, "
    "object_id, remote_addr, entry_id) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT (entry_id) DO NOTHING";

const char JOURNAL_BATCH_SQL[] = "SELECT epart_insert_journal($1::jsonb)";

json_t *journal_row_json(const struct journal_row *row)
{
    /* the order of JOURNAL_SQL's parameters */
    static const char *const columns[10] = {"at",     "sub",         "role",      "org_id",
                                            "caisse", "action",      "object_type",
                                            "object_id", "remote_addr", "entry_id"};
    json_t *doc = json_object();

    for (int i = 0; doc != NULL && i < 10; i++)
        if (json_object_set_new(doc, columns[i], json_string_or_null(row->params[i])) < 0) {
            json_decref(doc);
            doc = NULL;
        }
    return doc;
}

bool journal_row(const struct entry *e, struct journal_row *row)
{
    json_t *meta = json_loads(e->meta, 0, NULL);
    const json_t *actor = json_object_get(meta, "actor");
    const char *sub = json_str(actor, "sub");
    const char *role = json_str(actor, "role");
    const char *org = json_str(actor, "org");
    const char *entry_id = json_str(meta, "entry");
    const char *remote = json_str(meta, "remote");
    const json_t *us = json_object_get(meta, "received_at_us");
    const char *dot = strchr(e->type, '.');

    row->meta = meta;
    if (sub == NULL || dot == NULL || !json_is_integer(us)) {
        journal_row_free(row);
        return false;
    }
    if (role == NULL)
        role = "partner";
    /* a partner's organisation is in the meta of a creation, in the actor of
     * the later writes */
    if (org == NULL && strcmp(role, "partner") == 0)
        org = json_str(meta, "org");
    snprintf(row->object_type, sizeof(row->object_type), "%.*s", (int)(dot - e->type), e->type);
    snprintf(row->action, sizeof(row->action), "%s", dot + 1);
    row->params[0] = db_ts(json_integer_value(us), row->at, sizeof(row->at));
    row->params[1] = sub;
    row->params[2] = role;
    row->params[3] = (org != NULL && uuid_valid(org)) ? org : NULL;
    row->params[4] = json_str(actor, "caisse");
    row->params[5] = row->action;
    row->params[6] = row->object_type;
    row->params[7] = json_str(meta, "id");
    row->params[8] = (remote != NULL && remote[0] != '\0') ? remote : NULL;
    row->params[9] = (entry_id != NULL && uuid_valid(entry_id)) ? entry_id : NULL;
    return true;
}

void journal_row_free(struct journal_row *row)
{
    json_decref(row->meta);
    row->meta = NULL;
}

int journal_entry(PGconn *pg, struct entry *e)
{
    struct journal_row row;
    int rc;

    if (!journal_row(e, &row))
        return 0;
    rc = db_cmd(pg, JOURNAL_SQL, 10, row.params);
    if (rc < 0)
        snprintf(e->error, sizeof(e->error), "audit journal insert failed");
    journal_row_free(&row);
    return rc;
}
