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

int journal_entry(PGconn *pg, struct entry *e)
{
    json_t *meta = json_loads(e->meta, 0, NULL);
    const json_t *actor = json_object_get(meta, "actor");
    const char *sub = json_str(actor, "sub");
    const char *role = json_str(actor, "role");
    const char *org = json_str(actor, "org");
    const char *entry_id = json_str(meta, "entry");
    const char *remote = json_str(meta, "remote");
    const json_t *us = json_object_get(meta, "received_at_us");
    char object_type[24], action[24], at[40];
    const char *dot = strchr(e->type, '.');
    const char *params[10];
    int rc;

    if (sub == NULL || dot == NULL || !json_is_integer(us)) {
        json_decref(meta);
        return 0;
    }
    if (role == NULL)
        role = "partner";
    /* a partner's organisation is in the meta of a creation, in the actor of
     * the later writes */
    if (org == NULL && strcmp(role, "partner") == 0)
        org = json_str(meta, "org");
    snprintf(object_type, sizeof(object_type), "%.*s", (int)(dot - e->type), e->type);
    snprintf(action, sizeof(action), "%s", dot + 1);
    params[0] = db_ts(json_integer_value(us), at, sizeof(at));
    params[1] = sub;
    params[2] = role;
    params[3] = (org != NULL && uuid_valid(org)) ? org : NULL;
    params[4] = json_str(actor, "caisse");
    params[5] = action;
    params[6] = object_type;
    params[7] = json_str(meta, "id");
    params[8] = (remote != NULL && remote[0] != '\0') ? remote : NULL;
    params[9] = (entry_id != NULL && uuid_valid(entry_id)) ? entry_id : NULL;
    rc = db_cmd(pg,
                "INSERT INTO audit_journal (at, sub, role, org_id, caisse, action, object_type, "
                "object_id, remote_addr, entry_id) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                "ON CONFLICT (entry_id) DO NOTHING",
                10, params);
    if (rc < 0)
        snprintf(e->error, sizeof(e->error), "audit journal insert failed");
    json_decref(meta);
    return rc;
}
