/*
 * listing.c — a keyset list described as data (see listing.h).
 */
#include "support/listing.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "fielderr.h"
#include "uuidv.h"
#include "core/dbpool.h"
#include "support/audit.h"

static bool filter_ok(struct call *c, const struct list_param *f, const char *v)
{
    if (f->valid != NULL)
        return f->valid(c, v);
    if (f->max_len > 0)
        return v[0] != '\0' && strlen(v) <= f->max_len;
    for (const char *const *s = f->values; s != NULL && *s != NULL; s++)
        if (strcmp(v, *s) == 0)
            return true;
    return false;
}

bool list_is_uuid(struct call *c, const char *value)
{
    (void)c;
    return uuid_valid(value);
}

const char *const list_booleans[] = {"true", "false", NULL};

bool list_begin(struct call *c, const struct list *l, struct page *p, const char **params)
{
    json_t *errors = json_array();

    page_parse(c, p, errors, l->key);
    for (const struct list_param *f = l->params; f != NULL && f->name != NULL; f++) {
        const char *v = call_query(c, f->name);

        if (v != NULL && !filter_ok(c, f, v))
            fielderr_add(errors, f->name, f->code, "%s", f->message);
    }
    if (json_array_size(errors) > 0) {
        call_set_problem(c, 422, "Requête invalide", "Paramètres de liste invalides.", errors);
        return false;
    }
    json_decref(errors);
    if (!l->own_keyset && params != NULL) {
        params[0] = page_ts_param(p);
        params[1] = page_key_param(p);
        params[2] = page_limit_param(p);
    }
    return true;
}

void list_end(struct call *c, struct db *db, const struct list *l, const struct page *p,
              const char *const *params)
{
    list_answer(c, l, p, db_exec(db->pg, l->sql, l->nparams, params));
}

void list_answer(struct call *c, const struct list *l, const struct page *p, PGresult *res)
{
    json_t *page, *items;
    size_t i;
    json_t *item;

    if (res == NULL) {
        call_set_unavailable(c, "La base de données");
        return;
    }
    page = page_result(res, p, 0, 1, 2, l->fix, NULL);
    PQclear(res);
    items = json_object_get(page, "items");
    switch (l->journal) {
    case LIST_NOT_JOURNALED:
        break;
    case LIST_JOURNAL_AS:
        audit_record_items(c, "list", l->object_type, items);
        break;
    case LIST_JOURNAL_OBJECT:
        audit_record_items(c, "list", NULL, items);
        break;
    case LIST_JOURNAL_ONCE:
        break; /* after the answer is set, below */
    case LIST_JOURNAL_KIND:
        json_array_foreach(items, i, item)
            audit_record(c, "list", json_string_value(json_object_get(item, "kind")),
                         json_string_value(json_object_get(item, "id")));
        break;
    }
    call_set_json(c, 200, page);
    if (l->journal == LIST_JOURNAL_ONCE)
        audit_record(c, "list", l->object_type, NULL);
}

void list_counts(struct call *c, PGresult *res, json_t *by_status)
{
    json_int_t total = 0, late = 0;

    if (res == NULL) {
        json_decref(by_status);
        call_set_unavailable(c, "La base de données");
        return;
    }
    for (int i = 0; i < PQntuples(res); i++) {
        json_int_t n = strtoll(PQgetvalue(res, i, 1), NULL, 10);

        json_object_set_new(by_status, PQgetvalue(res, i, 0), json_integer(n));
        total += n;
        late += strtoll(PQgetvalue(res, i, 2), NULL, 10);
    }
    PQclear(res);
    call_set_json(c, 200, json_pack("{s:o, s:I, s:I}", "statuses", by_status, "total", total,
                                    "overdue", late));
}

void list_scope(const struct call *c, const char *org_asked, const char **org,
                const char **caisse)
{
    *org = c->who.role == ROLE_PARTNER ? c->who.org : org_asked;
    *caisse = c->who.role == ROLE_INSTRUCTOR ? c->who.caisse : NULL;
}
