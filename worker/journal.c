/*
 * journal.c — journaling the writes applied from the stream (see journal.h).
 *
 * The row is built from the entry's meta, which the API filled from the
 * caller's token and connection; the body (the person's data) is never read
 * here.
 */
#include "journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "jsonutil.h"
#include "uuidv.h"

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
    row->col[AUDIT_JOURNAL_AT] = db_ts(m->received_at_us, row->at, sizeof(row->at));
    row->col[AUDIT_JOURNAL_SUB] = m->actor.sub;
    row->col[AUDIT_JOURNAL_ROLE] = role;
    row->col[AUDIT_JOURNAL_ORG_ID] = uuid_valid(org) ? org : NULL;
    row->col[AUDIT_JOURNAL_CAISSE] = m->actor.caisse[0] != '\0' ? m->actor.caisse : NULL;
    row->col[AUDIT_JOURNAL_ACTION] = row->action;
    row->col[AUDIT_JOURNAL_OBJECT_TYPE] = row->object_type;
    row->col[AUDIT_JOURNAL_OBJECT_ID] = m->id;
    row->col[AUDIT_JOURNAL_REMOTE_ADDR] = m->remote[0] != '\0' ? m->remote : NULL;
    row->col[AUDIT_JOURNAL_ENTRY_ID] = uuid_valid(m->entry) ? m->entry : NULL;
    return true;
}

int journal_entry(PGconn *pg, struct entry *e)
{
    struct journal_row row;
    struct audit_journal_rows rows = {{NULL, 0, 0}, 0};
    int rc = -1;

    if (!journal_row(e, &row))
        return 0;
    if (audit_journal_add(&rows, row.col) == 0)
        rc = audit_journal_insert(pg, rows.text.s);
    audit_journal_rows_free(&rows);
    if (rc < 0)
        snprintf(e->error, sizeof(e->error), "audit journal insert failed");
    return rc;
}
