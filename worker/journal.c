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
    const struct stream_meta *m = &e->m;
    const char *role = m->actor.role[0] != '\0' ? m->actor.role : "partner";
    const char *org = m->actor.org;
    const char *dot = strchr(e->type, '.');

    if (!m->has_actor || m->actor.sub[0] == '\0' || dot == NULL || !m->has_received_at_us)
        return false;
    /* a partner's organisation is in the meta of a creation, in the actor of
     * the later writes */
    if (org[0] == '\0' && strcmp(role, "partner") == 0)
        org = m->org;
    snprintf(row->object_type, sizeof(row->object_type), "%.*s", (int)(dot - e->type), e->type);
    snprintf(row->action, sizeof(row->action), "%s", dot + 1);
    row->params[0] = db_ts(m->received_at_us, row->at, sizeof(row->at));
    row->params[1] = m->actor.sub;
    row->params[2] = role;
    row->params[3] = uuid_valid(org) ? org : NULL;
    row->params[4] = m->actor.caisse[0] != '\0' ? m->actor.caisse : NULL;
    row->params[5] = row->action;
    row->params[6] = row->object_type;
    row->params[7] = m->id;
    row->params[8] = m->remote[0] != '\0' ? m->remote : NULL;
    row->params[9] = uuid_valid(m->entry) ? m->entry : NULL;
    return true;
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
    return rc;
}
