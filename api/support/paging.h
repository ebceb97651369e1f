/*
 * paging.h — keyset pagination of lists (SPEC §2): ?limit= (default 50, at most
 * 500) and an opaque ?cursor= naming the last row seen by its sort key
 * (instant, tie-breaker), so that a page costs the same however deep it is.
 */
#ifndef EPART_API_PAGING_H
#define EPART_API_PAGING_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "jsonutil.h"
#include "core/server.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX 500

struct page {
    int limit;
    bool has_cursor;
    int64_t ts;       /* microseconds since the epoch of the last row seen */
    char key[65];     /* its tie-breaker */
    char ts_param[24];
    char limit_param[12];
};

/* What the tie-breaker of a list's cursor must be, checked before it reaches
 * SQL: a forged cursor is a 422, never a failed cast. */
enum page_key { PAGE_KEY_UUID, PAGE_KEY_ANY, PAGE_KEY_INT }; /* a UUID unless said */

/* Read ?limit and ?cursor. A limit above PAGE_MAX is lowered to it; a limit that
 * is not a positive integer, or a cursor that does not decode, is appended to
 * errors. Returns false when something was appended. */
bool page_parse(struct call *c, struct page *p, json_t *errors, enum page_key key);

/* The SQL parameters of the cursor: timestamp in microseconds and key as text,
 * or NULLs for the first page. The query fetches limit + 1 rows. */
const char *page_ts_param(struct page *p);
const char *page_key_param(const struct page *p);
const char *page_limit_param(struct page *p);

/* Turn the rows of res (document text in doc_col, sort instant in microseconds
 * in ts_col, tie-breaker in key_col) into {"items":[…],"next_cursor":…}. Each
 * document passes through fix(doc, arg) when fix is not NULL. */
json_t *page_result(PGresult *res, const struct page *p, int doc_col, int ts_col, int key_col,
                    void (*fix)(json_t *doc, void *arg), void *arg);

/* How many rows of res a page shows: at most p->limit (the query fetched one
 * more, to know whether a next page exists). */
int page_shown(PGresult *res, const struct page *p);

/* page_result()'s page written as text into out, without a tree: each shown
 * row's item written by item(res, row, out, arg) (0, or -1 on failure), then
 * the next cursor. The same JSON as page_result()'s, compact. 0, or -1 when
 * an item failed or memory ran out (out then holds part of a page). */
int page_text(PGresult *res, const struct page *p, int ts_col, int key_col,
              int (*item)(PGresult *res, int row, struct text_buf *out, void *arg), void *arg,
              struct text_buf *out);

#endif
