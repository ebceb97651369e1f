/*
 * paging.c — limits, cursors and list envelopes.
 */
#include "support/paging.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "db.h"
#include "fielderr.h"
#include "uuidv.h"

bool page_parse(struct call *c, struct page *p, json_t *errors, enum page_key key)
{
    const char *l = call_query(c, "limit");
    const char *cur = call_query(c, "cursor");
    bool ok = true;

    memset(p, 0, sizeof(*p));
    p->limit = PAGE_DEFAULT;
    if (l != NULL) {
        char *end;
        long n;

        errno = 0;
        n = strtol(l, &end, 10);
        if (l[0] == '\0' || *end != '\0' || errno != 0 || n < 1) {
            fielderr_add(errors, "limit", "invalid_range",
                         "limit doit être un entier entre 1 et %d.", PAGE_MAX);
            ok = false;
        } else {
            p->limit = n > PAGE_MAX ? PAGE_MAX : (int)n;
        }
    }
    if (cur != NULL) {
        if (!cursor_decode(cur, &p->ts, p->key, sizeof(p->key)) ||
            (key == PAGE_KEY_UUID && !uuid_valid(p->key)) ||
            (key == PAGE_KEY_INT && (p->key[0] == '\0' || strlen(p->key) > 18 ||
                                     strspn(p->key, "0123456789") != strlen(p->key)))) {
            fielderr_add(errors, "cursor", "invalid_cursor",
                         "Curseur de pagination invalide ; reprenez depuis la première page.");
            ok = false;
        } else {
            p->has_cursor = true;
        }
    }
    return ok;
}

const char *page_ts_param(struct page *p)
{
    if (!p->has_cursor)
        return NULL;
    snprintf(p->ts_param, sizeof(p->ts_param), "%lld", (long long)p->ts);
    return p->ts_param;
}

const char *page_key_param(const struct page *p)
{
    return p->has_cursor ? p->key : NULL;
}

const char *page_limit_param(struct page *p)
{
    snprintf(p->limit_param, sizeof(p->limit_param), "%d", p->limit + 1);
    return p->limit_param;
}

/* The cursor after the n rows shown of res, into buf: true when there is a next
 * page (a row beyond them) and its cursor encoded. */
static bool next_cursor(PGresult *res, const struct page *p, int n, int ts_col, int key_col,
                        char buf[CURSOR_BUF_LEN])
{
    if (PQntuples(res) <= p->limit || n == 0)
        return false;
    return cursor_encode((int64_t)strtoll(PQgetvalue(res, n - 1, ts_col), NULL, 10),
                         PQgetvalue(res, n - 1, key_col), buf, CURSOR_BUF_LEN);
}

int page_shown(PGresult *res, const struct page *p)
{
    int rows = PQntuples(res);

    return rows > p->limit ? p->limit : rows;
}

json_t *page_result(PGresult *res, const struct page *p, int doc_col, int ts_col, int key_col,
                    void (*fix)(json_t *doc, void *arg), void *arg)
{
    json_t *items = json_array();
    int n = page_shown(res, p);
    char buf[CURSOR_BUF_LEN];

    for (int i = 0; i < n; i++) {
        json_t *doc = db_json(res, i, doc_col);

        if (fix != NULL)
            fix(doc, arg);
        json_array_append_new(items, doc);
    }
    return json_pack("{s:o, s:o}", "items", items, "next_cursor",
                     next_cursor(res, p, n, ts_col, key_col, buf) ? json_string(buf)
                                                                  : json_null());
}

int page_text(PGresult *res, const struct page *p, int ts_col, int key_col,
              int (*item)(PGresult *res, int row, struct text_buf *out, void *arg), void *arg,
              struct text_buf *out)
{
    int n = page_shown(res, p);
    char buf[CURSOR_BUF_LEN];
    bool failed = text_buf_str(out, "{\"items\":[") != 0;

    for (int i = 0; i < n && !failed; i++)
        failed = (i > 0 && text_buf_add(",", 1, out) != 0) || item(res, i, out, arg) != 0;
    /* a cursor is base64url (cursor.h): a JSON string as it is */
    if (!failed && next_cursor(res, p, n, ts_col, key_col, buf)) {
        failed = text_buf_str(out, "],\"next_cursor\":\"") != 0 || text_buf_str(out, buf) != 0 ||
                 text_buf_str(out, "\"}") != 0;
    } else if (!failed) {
        failed = text_buf_str(out, "],\"next_cursor\":null}") != 0;
    }
    return failed ? -1 : 0;
}
