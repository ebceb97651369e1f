/*
 * audit_read.c — GET /v1/audit?sub=&object_type=&object_id=&action=&since=
 * &until= (SPEC §10): the RGPD audit journal, for administrators only (the
 * route table refuses the other roles with 403). since is inclusive, until
 * exclusive; the text filters are exact matches.
 *
 * Rows come newest first — by journal id, the order in which they were
 * written — with keyset pagination on that id, so that a page costs the same
 * however deep it is and rows journaled while an administrator pages through
 * do not shift the pages. Reading the journal is itself journaled: it names
 * agents and their addresses.
 */
#include <string.h>

#include "calendar.h"
#include "db.h"
#include "fielderr.h"
#include "core/dbpool.h"
#include "support/audit.h"
#include "support/paging.h"
#include "resources/handlers.h"

/* A text filter: absent, or 1..max characters. */
static const char *text_filter(struct call *c, const char *name, size_t max, json_t *errors)
{
    const char *v = call_query(c, name);

    if (v != NULL && (v[0] == '\0' || strlen(v) > max)) {
        fielderr_add(errors, name, "invalid_length", "%s doit compter de 1 à %zu caractères.",
                     name, max);
        return NULL;
    }
    return v;
}

/* An instant filter: absent, or RFC 3339; written into buf as UTC. */
static const char *instant_filter(struct call *c, const char *name, char *buf, json_t *errors)
{
    const char *v = call_query(c, name);
    time_t t;

    if (v == NULL)
        return NULL;
    if (!cal_parse_instant(v, &t)) {
        fielderr_add(errors, name, "invalid_datetime",
                     "%s doit être un instant RFC 3339, par exemple 2026-11-23T09:00:00Z.", name);
        return NULL;
    }
    return cal_format_instant(t, buf);
}

void h_audit_list(struct call *c, struct db *db)
{
    json_t *errors = json_array();
    struct page p;
    char since_s[32], until_s[32];
    const char *params[8];
    PGresult *res;

    page_parse(c, &p, errors, PAGE_KEY_ANY);
    params[0] = page_ts_param(&p); /* the cursor's "instant" is the last id seen */
    params[1] = page_limit_param(&p);
    params[2] = text_filter(c, "sub", 256, errors);
    params[3] = text_filter(c, "object_type", 64, errors);
    params[4] = text_filter(c, "object_id", 128, errors);
    params[5] = instant_filter(c, "since", since_s, errors);
    params[6] = instant_filter(c, "until", until_s, errors);
    params[7] = text_filter(c, "action", 24, errors);
    if (json_array_size(errors) > 0) {
        call_set_problem(c, 422, "Requête invalide", "Paramètres de liste invalides.", errors);
        return;
    }
    json_decref(errors);
    res = db_exec(db->pg,
                  "SELECT jsonb_build_object('id', a.id, 'at', epart_ts(a.at), 'sub', a.sub, "
                  "  'role', a.role, 'org', a.org_id, 'caisse', a.caisse, 'action', a.action, "
                  "  'object_type', a.object_type, 'object_id', a.object_id, "
                  "  'remote_addr', a.remote_addr)::text, a.id, a.id::text "
                  "FROM audit_journal a "
                  "WHERE ($1::bigint IS NULL OR a.id < $1::bigint) "
                  "AND ($3::text IS NULL OR a.sub = $3) "
                  "AND ($4::text IS NULL OR a.object_type = $4) "
                  "AND ($5::text IS NULL OR a.object_id = $5) "
                  "AND ($6::timestamptz IS NULL OR a.at >= $6) "
                  "AND ($7::timestamptz IS NULL OR a.at < $7) "
                  "AND ($8::text IS NULL OR a.action = $8) "
                  "ORDER BY a.id DESC LIMIT $2",
                  8, params);
    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return;
    }
    call_set_json(c, 200, page_result(res, &p, 0, 1, 2, NULL, NULL));
    PQclear(res);
    audit_record(c, "list", "audit", NULL);
}

