/*
 * listing.h — a keyset list of SPEC §2 described as data.
 *
 * Every list of the API does the same around its own query: read ?limit and
 * ?cursor (paging.h), check its filters (a 422 listing every problem, in the
 * order the description gives), run its one parameterised query, turn the rows
 * into {"items", "next_cursor"}, journal what the caller read (SPEC §10) and
 * answer, or 503 when PostgreSQL fails. A list is therefore a struct list, and
 * its handler holds only what is its own: the scope and filters it passes as
 * the query's parameters.
 *
 *   static const struct list_param filters[] = {
 *       {"state", .values = states, .code = "invalid_enum", .message = "…"},
 *       {NULL}};
 *   static const struct list things = {.params = filters, .sql = "SELECT …", .nparams = 5};
 *
 *   if (!list_begin(c, &things, &p, params)) return;   (the 422 is c's reply)
 *   params[3…] = the handler's (params[0..2]: the cursor, set by list_begin)
 *   list_end(c, db, &things, &p, params);
 *
 * The query returns the document's text, the sort instant in microseconds and
 * the tie-breaker (columns 0, 1, 2): PAGE_SORT_US, PAGE_BEFORE and
 * PAGE_NEWEST_FIRST write the keyset's SQL once.
 */
#ifndef EPART_API_LISTING_H
#define EPART_API_LISTING_H

#include <jansson.h>
#include <stdbool.h>

#include "core/server.h"
#include "support/paging.h"

struct db;

/* The sort instant of column ts in microseconds, the cursor's instant. */
#define PAGE_SORT_US(ts) "(extract(epoch FROM " ts ") * 1000000)::bigint"

/* The rows after the cursor of a list sorted newest first by (ts, key): $1 the
 * last row's instant in microseconds (NULL on the first page), $2 its key, a
 * UUID. */
#define PAGE_BEFORE(ts, key)                                                                 \
    "($1::bigint IS NULL OR (" ts ", " key ") < "                                          \
    "(timestamptz 'epoch' + $1::bigint * interval '1 microsecond', $2::uuid))"

/* Its order and $3, the limit (one more row than the page, to know if another
 * follows). */
#define PAGE_NEWEST_FIRST(ts, key) " ORDER BY " ts " DESC, " key " DESC LIMIT $3"

/* The three above for a list newest first by creation, given to a store's
 * list macro LIST(sort_us, before, newest_first) for the table alias t (its
 * created_at and id): AGENTS_SQL_LIST, ORGANISATIONS_SQL_LIST, WEBHOOKS_SQL_LIST. */
#define PAGE_NEWEST_CREATED(LIST, t)                                                         \
    LIST(PAGE_SORT_US(t ".created_at"), PAGE_BEFORE(t ".created_at", t ".id"),                \
         PAGE_NEWEST_FIRST(t ".created_at", t ".id"))

/* A filter of a list: ?name= when given must be one of values, or pass valid
 * (which may read the call: another filter, the route's argument), or count 1
 * to max_len characters; else the error code and message are listed. */
struct list_param {
    const char *name;
    const char *const *values;                         /* NULL-terminated */
    bool (*valid)(struct call *c, const char *value);
    const char *code;                                  /* "invalid_enum", "invalid_format"… */
    const char *message;                               /* in French, for people */
    size_t max_len;
};

/* For a list_param: a UUID (valid), true or false (values). */
bool list_is_uuid(struct call *c, const char *value);
extern const char *const list_booleans[];

/* What a list's documents journal (SPEC §10): nothing, one row per document
 * as object_type, per document of the object it names in "object" (an alert),
 * or as its own "kind" (a demande); or one row for the list itself, on
 * object_type (the audit journal read). */
enum list_journal { LIST_NOT_JOURNALED, LIST_JOURNAL_AS, LIST_JOURNAL_OBJECT, LIST_JOURNAL_KIND,
                    LIST_JOURNAL_ONCE };

struct list {
    enum page_key key;                  /* what the cursor's tie-breaker must be
                                         * (PAGE_KEY_UUID unless said) */
    const struct list_param *params;    /* its filters, ended by {NULL}; NULL: none */
    const char *sql;                    /* its query */
    int nparams;                        /* how many parameters the query takes */
    void (*fix)(json_t *doc, void *arg); /* applied to each document (NULL: none) */
    enum list_journal journal;
    const char *object_type;            /* with LIST_JOURNAL_AS, LIST_JOURNAL_ONCE */
    bool own_keyset;                    /* the query places the cursor's parameters
                                         * itself; else $1, $2, $3 (PAGE_BEFORE) */
};

/* Read ?limit, ?cursor and the filters of l. True when they are all valid, with
 * params[0..2] the cursor's instant, key and limit (unless l->own_keyset);
 * else c's reply is the 422 listing them, and the handler returns. */
bool list_begin(struct call *c, const struct list *l, struct page *p, const char **params);

/* Run l's query with params (l->nparams of them), then list_answer. */
void list_end(struct call *c, struct db *db, const struct list *l, const struct page *p,
              const char *const *params);

/* Set c's reply to the page of res (PQclear'd here; a list whose query is a
 * store/ function's: no l->sql), journaled as l says, or to a 503 when res is
 * NULL. */
void list_answer(struct call *c, const struct list *l, const struct page *p, PGresult *res);

/* The answer of a /counts (the tabs of a back-office list, SPEC §12) from the
 * rows of res (status, count, late; PQclear'd here), with by_status (taken)
 * holding every status at 0 first: {"statuses", "total", "overdue"} as c's
 * reply, or a 503 when res is NULL. */
void list_counts(struct call *c, PGresult *res, json_t *by_status);

/* The caller's scope as two parameters, whatever it asked for: a partner's
 * organisation, an instructor's caisse (and the organisation it asked for), an
 * administrator's asked organisation. */
void list_scope(const struct call *c, const char *org_asked, const char **org,
                const char **caisse);

#endif
