/*
 * audit.c — buffered writer of the audit journal.
 *
 * The buffer is bounded: when PostgreSQL is away for long, the oldest unwritten
 * records are dropped (and counted in the log) rather than letting memory grow.
 */
#include "support/audit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "db.h"
#include "jsonutil.h"
#include "log.h"
#include "token.h"
#include "store/audit_journal.h"
#include "core/thread_stop.h"

/* a list journals a row per object (up to 500 a page): room for a few seconds
 * of lists while PostgreSQL is slow, written in batches of a few pages */
#define AUDIT_MAX 100000
#define AUDIT_BATCH 2000

struct record {
    char at[40];
    char sub[TOKEN_SUB_MAX + 1];
    char role[12];
    char org[37];
    char caisse[17];
    char action[24];
    char object_type[24];
    char object_id[64];
    char remote[64];
};

static struct record *ring;
static size_t head, count;
static unsigned long dropped;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static bool stopping;
static pthread_t writer;
static bool started;

/* s (NULL: "") into the field dst, cut to its size as snprintf would: a list
 * journals up to 500 rows at once, and snprintf's formatting was 7 % of a
 * list's instructions (docs/BENCHMARKS.md, reads). */
static void put(char *dst, size_t size, const char *s)
{
    size_t n = s != NULL ? strnlen(s, size - 1) : 0;

    if (n > 0)
        memcpy(dst, s, n);
    dst[n] = '\0';
}
#define PUT(field, s) put((field), sizeof(field), (s))

/* Append one record; lock held. */
static void push_locked(const struct call *c, const char *at, const char *sub, const char *role,
                        const char *org, const char *caisse, const char *action,
                        const char *object_type, const char *object_id)
{
    struct record *r;

    if (count == AUDIT_MAX) {
        head = (head + 1) % AUDIT_MAX;
        count--;
        dropped++;
    }
    r = &ring[(head + count) % AUDIT_MAX];
    count++;
    PUT(r->at, at);
    PUT(r->sub, sub);
    PUT(r->role, role);
    PUT(r->org, org);
    PUT(r->caisse, caisse);
    PUT(r->action, action);
    PUT(r->object_type, object_type);
    PUT(r->object_id, object_id);
    PUT(r->remote, c->remote);
}

void audit_record(struct call *c, const char *action, const char *object_type,
                  const char *object_id)
{
    audit_record_as(c, c->who.sub, role_str(c->who.role), c->who.org, c->who.caisse, action,
                    object_type, object_id);
}

void audit_record_as(struct call *c, const char *sub, const char *role, const char *org,
                     const char *caisse, const char *action, const char *object_type,
                     const char *object_id)
{
    char at[40];

    if (!started)
        return;
    db_ts(clock_now_us(), at, sizeof(at));
    pthread_mutex_lock(&lock);
    push_locked(c, at, sub, role, org, caisse, action, object_type, object_id);
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
}

/* Journal n objects of action in one step, the i-th named by name(i, arg,
 * &type, &id). */
static void record_each(struct call *c, const char *action, size_t n,
                        void (*name)(size_t i, const void *arg, const char **type,
                                     const char **id),
                        const void *arg)
{
    char at[40];
    const char *type, *id;

    if (!started || n == 0)
        return;
    db_ts(clock_now_us(), at, sizeof(at));
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < n; i++) {
        name(i, arg, &type, &id);
        if (id != NULL && type != NULL)
            push_locked(c, at, c->who.sub, role_str(c->who.role), c->who.org, c->who.caisse,
                        action, type, id);
    }
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
}

struct named_items {
    const json_t *items;
    const char *object_type;
};

static void item_named(size_t i, const void *arg, const char **type, const char **id)
{
    const struct named_items *x = arg;
    const json_t *item = json_array_get(x->items, i);
    const json_t *named = x->object_type != NULL ? item : json_object_get(item, "object");

    *type = x->object_type != NULL ? x->object_type
                                   : json_string_value(json_object_get(named, "type"));
    *id = json_string_value(json_object_get(named, "id"));
}

void audit_record_items(struct call *c, const char *action, const char *object_type,
                        const json_t *items)
{
    struct named_items x = {items, object_type};

    record_each(c, action, json_array_size(items), item_named, &x);
}

struct named_rows {
    const PGresult *res;
    int col;
    const char *object_type;
};

static void row_named(size_t i, const void *arg, const char **type, const char **id)
{
    const struct named_rows *x = arg;

    *type = x->object_type;
    *id = db_value(x->res, (int)i, x->col);
}

void audit_record_rows(struct call *c, const char *action, const char *object_type,
                       const PGresult *res, int col, int n)
{
    struct named_rows x = {res, col, object_type};

    record_each(c, action, n > 0 ? (size_t)n : 0, row_named, &x);
}

/* A record's text as a column: an empty text is none. */
static const char *or_null(const char *s)
{
    return s[0] != '\0' ? s : NULL;
}

/* Write the n records of batch with the journal's one insert
 * (store/audit_journal.h). A record that cannot be written as JSON (a text
 * that is not UTF-8) is dropped and counted, so that it cannot hold back
 * every record after it. */
static int flush(PGconn *pg, struct record *batch, size_t n)
{
    struct audit_journal_rows rows = {{NULL, 0, 0}, 0};
    int rc;

    for (size_t i = 0; i < n; i++) {
        const struct record *r = &batch[i];
        const char *col[AUDIT_JOURNAL_NCOLS] = {
            [AUDIT_JOURNAL_AT] = r->at,
            [AUDIT_JOURNAL_SUB] = r->sub,
            [AUDIT_JOURNAL_ROLE] = r->role,
            [AUDIT_JOURNAL_ORG_ID] = or_null(r->org),
            [AUDIT_JOURNAL_CAISSE] = or_null(r->caisse),
            [AUDIT_JOURNAL_ACTION] = r->action,
            [AUDIT_JOURNAL_OBJECT_TYPE] = r->object_type,
            [AUDIT_JOURNAL_OBJECT_ID] = or_null(r->object_id),
            [AUDIT_JOURNAL_REMOTE_ADDR] = or_null(r->remote),
        };

        if (audit_journal_add(&rows, col) < 0)
            log_warn("audit: a record of %s on %s dropped: not UTF-8, or out of memory",
                     r->action, r->object_type);
    }
    rc = rows.n > 0 ? audit_journal_insert(pg, rows.text.s) : 0;
    audit_journal_rows_free(&rows);
    return rc;
}

static void *writer_main(void *arg)
{
    PGconn *pg = NULL;
    struct record *batch = malloc(sizeof(*batch) * AUDIT_BATCH);

    (void)arg;
    for (;;) {
        size_t n = 0;
        struct timespec ts;

        pthread_mutex_lock(&lock);
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        if (count == 0 && !stopping)
            pthread_cond_timedwait(&cond, &lock, &ts);
        if (dropped > 0) {
            log_warn("audit: %lu records dropped while PostgreSQL was unreachable", dropped);
            dropped = 0;
        }
        while (n < count && n < AUDIT_BATCH) {
            batch[n] = ring[(head + n) % AUDIT_MAX];
            n++;
        }
        if (n == 0 && stopping) {
            pthread_mutex_unlock(&lock);
            break;
        }
        pthread_mutex_unlock(&lock);
        if (n == 0)
            continue;
        if (!db_ok(pg)) {
            if (pg != NULL)
                PQfinish(pg);
            pg = db_connect(&g_config, 10000);
            if (pg != NULL)
                db_cmd(pg, "SET synchronous_commit = off", 0, NULL);
        }
        if (pg != NULL && flush(pg, batch, n) == 0) {
            pthread_mutex_lock(&lock);
            /* the records taken are still the oldest: only audit_record appends */
            if (n <= count) {
                head = (head + n) % AUDIT_MAX;
                count -= n;
            }
            pthread_mutex_unlock(&lock);
        } else {
            if (stopping)
                break;
            sleep(1);
        }
    }
    if (pg != NULL)
        PQfinish(pg);
    free(batch);
    return NULL;
}

int audit_start(void)
{
    ring = calloc(AUDIT_MAX, sizeof(*ring));
    if (ring == NULL)
        return -1;
    started = true;
    return pthread_create(&writer, NULL, writer_main, NULL) == 0 ? 0 : -1;
}

void audit_stop(void)
{
    if (!thread_stop(&started, writer, &lock, &cond, &stopping))
        return;
    free(ring);
    ring = NULL;
}
