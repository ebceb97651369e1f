/*
 * dossier_head.c — existence, scope and status of a dossier.
 */
#include "support/dossier_head.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "db.h"
#include "dossier_doc.h"
#include "dossier_life.h"
#include "request_kinds.h"
#include "uuidv.h"
#include "store/dossiers.h"
#include "core/auth.h"
#include "support/audit.h"
#include "support/ingest.h"

static int from_pending(struct call *c, struct db *db, struct dossier_head *out)
{
    struct stream_meta m;

    if (!ingest_pending(db_redis(db), c->params[0], &m, NULL) || m.org[0] == '\0' ||
        m.caisse[0] == '\0')
        return 0;
    out->pending = true;
    /* the API wrote them: they fit (a longer one is cut, as it always was) */
    snprintf(out->status, sizeof(out->status), "%.*s", (int)sizeof(out->status) - 1, m.status);
    snprintf(out->org, sizeof(out->org), "%.*s", (int)sizeof(out->org) - 1, m.org);
    snprintf(out->caisse, sizeof(out->caisse), "%.*s", (int)sizeof(out->caisse) - 1, m.caisse);
    snprintf(out->reference, sizeof(out->reference), "%.*s", (int)sizeof(out->reference) - 1,
             m.reference);
    out->version = 1;
    return 1;
}

/* 1 found, 0 absent, -1 on failure (503 set). */
static int from_db(struct call *c, struct db *db, bool lock, struct dossier_head *out)
{
    PGresult *res = dossiers_lock(db->pg, c->params[0], lock);
    int found = 0;

    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return -1;
    }
    if (PQntuples(res) == 1) {
        snprintf(out->status, sizeof(out->status), "%s", PQgetvalue(res, 0, DOSSIER_STATUS));
        snprintf(out->org, sizeof(out->org), "%s", PQgetvalue(res, 0, DOSSIER_ORG));
        snprintf(out->caisse, sizeof(out->caisse), "%s", PQgetvalue(res, 0, DOSSIER_CAISSE));
        snprintf(out->reference, sizeof(out->reference), "%s",
                 PQgetvalue(res, 0, DOSSIER_REFERENCE));
        out->version = atoi(PQgetvalue(res, 0, DOSSIER_VERSION));
        found = 1;
    }
    PQclear(res);
    return found;
}

int dossier_head_load(struct call *c, struct db *db, bool lock, struct dossier_head *out)
{
    int found;

    memset(out, 0, sizeof(*out));
    if (!uuid_valid(c->params[0])) {
        call_set_not_found(c);
        return 0;
    }
    found = from_db(c, db, lock, out);
    if (found == 0)
        found = from_pending(c, db, out);
    /* both missed: the worker committed (then dropped the pending record)
     * between the two reads, so PostgreSQL has it now */
    if (found == 0)
        found = from_db(c, db, lock, out);
    if (found < 0)
        return -1;
    if (!found || !auth_in_scope(c, out->org, out->caisse)) {
        call_set_not_found(c);
        return 0;
    }
    return 1;
}

void call_set_document(struct call *c, json_t *doc)
{
    const struct request_kind *kind;

    if (doc == NULL) {
        call_set_unavailable(c, "La base de données");
        return;
    }
    dossier_doc_finish(doc, clock_now(), &g_config);
    /* a request of SPEC §8 says which transitions its status allows */
    kind = request_kind_named(json_str(doc, "kind"));
    if (kind != NULL)
        json_object_set_new(doc, "actions",
                            request_next_statuses(kind, json_str(doc, "status")));
    c->etag_version = (int)json_integer_value(json_object_get(doc, "version"));
    call_set_json(c, 200, doc);
}

bool reread_shown(struct call *c, json_t *doc, bool failed, const char *object_type,
                  const char *id)
{
    if (failed) {
        json_decref(doc);
        call_set_unavailable(c, "La base de données");
        return false;
    }
    if (doc == NULL)
        return false;
    call_set_document(c, doc);
    audit_record(c, "read", object_type, id);
    return true;
}

void document_show(struct call *c, struct db *db,
                   json_t *(*stored)(struct db *db, const void *arg, const char *id, bool *failed),
                   json_t *(*pending)(struct db *db, const void *arg, const char *id),
                   const void *arg, const char *object_type)
{
    bool failed = false;
    json_t *doc = stored(db, arg, c->params[0], &failed);

    if (!failed && doc == NULL) {
        doc = pending(db, arg, c->params[0]);
        if (doc == NULL)
            doc = stored(db, arg, c->params[0], &failed);
    }
    if (failed) {
        call_set_unavailable(c, "La base de données");
        return;
    }
    if (doc == NULL || !auth_in_scope(c, json_str(doc, "org"), json_str(doc, "caisse"))) {
        json_decref(doc);
        call_set_not_found(c);
        return;
    }
    audit_record(c, "read", object_type, c->params[0]);
    call_set_document(c, doc);
}

bool dossier_role_may(struct call *c, const struct dossier_action *a)
{
    char detail[200];

    if (a == NULL || dossier_action_by(a, role_str(c->who.role)))
        return true;
    snprintf(detail, sizeof(detail), "L'action « %s » est réservée %s.", a->name,
             strcmp(a->role, "partner") == 0 ? "à l'organisation partenaire"
                                             : "aux instructeurs de la caisse");
    call_set_problem(c, 403, "Action non permise", detail, NULL);
    return false;
}
