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
#include "store/audit_journal.h"
#include "core/dbpool.h"
#include "support/audit.h"
#include "support/listing.h"
#include "resources/handlers.h"

static bool instant_ok(struct call *c, const char *v)
{
    time_t t;

    (void)c;
    return cal_parse_instant(v, &t);
}

/* An instant filter's parameter: the instant as UTC into buf, or NULL. */
static const char *instant_param(struct call *c, const char *name, char *buf)
{
    const char *v = call_query(c, name);
    time_t t;

    return v != NULL && cal_parse_instant(v, &t) ? cal_format_instant(t, buf) : NULL;
}

#define TEXT_FILTER(name, max)                                                               \
    {name, NULL, NULL, "invalid_length", name " doit compter de 1 à " #max " caractères.", max}
#define INSTANT_FILTER(name)                                                                 \
    {name, NULL, instant_ok, "invalid_datetime",                                             \
     name " doit être un instant RFC 3339, par exemple 2026-11-23T09:00:00Z.", 0}

static const struct list_param filters[] = {
    TEXT_FILTER("sub", 256), TEXT_FILTER("object_type", 64), TEXT_FILTER("object_id", 128),
    INSTANT_FILTER("since"), INSTANT_FILTER("until"), TEXT_FILTER("action", 24), {NULL}};

/* the cursor's "instant" is the last id seen; reading the journal is journaled */
static const struct list journal = {
    .key = PAGE_KEY_ANY,
    .params = filters,
    .sql = AUDIT_JOURNAL_SQL_LIST,
    .nparams = AUDIT_JOURNAL_LIST_NPARAMS,
    .journal = LIST_JOURNAL_ONCE,
    .object_type = "audit",
    .own_keyset = true,
};

void h_audit_list(struct call *c, struct db *db)
{
    struct page p;
    char since_s[32], until_s[32];
    const char *params[AUDIT_JOURNAL_LIST_NPARAMS];

    if (!list_begin(c, &journal, &p, params))
        return;
    params[AUDIT_JOURNAL_LIST_AFTER] = page_ts_param(&p);
    params[AUDIT_JOURNAL_LIST_LIMIT] = page_limit_param(&p);
    params[AUDIT_JOURNAL_LIST_SUB] = call_query(c, "sub");
    params[AUDIT_JOURNAL_LIST_OBJECT_TYPE] = call_query(c, "object_type");
    params[AUDIT_JOURNAL_LIST_OBJECT_ID] = call_query(c, "object_id");
    params[AUDIT_JOURNAL_LIST_SINCE] = instant_param(c, "since", since_s);
    params[AUDIT_JOURNAL_LIST_UNTIL] = instant_param(c, "until", until_s);
    params[AUDIT_JOURNAL_LIST_ACTION] = call_query(c, "action");
    list_end(c, db, &journal, &p, params);
}
