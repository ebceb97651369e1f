/*
 * persist.c — from stream entries to rows.
 *
 * Each entry type has a "prepare" step in C, where the domain rules run
 * (deadlines, pre-instruction, alerts due at once), producing the JSON argument
 * of its SQL function (sql/functions/20_dossiers.sql, 20_requests.sql). A
 * batch is first tried as one transaction; if anything in it fails, each entry
 * is retried in a transaction of its own so that one poison entry never holds
 * back the others.
 */
#include "persist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "clock.h"
#include "db.h"
#include "dossier_life.h"
#include "deadline.h"
#include "journal.h"
#include "jsonarena.h"
#include "jsonfast.h"
#include "jsonutil.h"
#include "lifecycle.h"
#include "log.h"
#include "preinstruction.h"
#include "request_kinds.h"
#include "uuidv.h"
#include "worker.h"
#include "store/audit_journal.h"
#include "store/dossiers.h"
#include "store/requests.h"
#include "store/store.h"

long long persist_stream_seq(const char *stream_id)
{
    char *dash;
    long long ms = strtoll(stream_id, &dash, 10);
    long long seq = (*dash == '-') ? strtoll(dash + 1, NULL, 10) : 0;

    if (seq > 99999)
        seq = 99999;
    return ms * 100000 + seq;
}

static json_t *instant(time_t t)
{
    char buf[32];

    return json_string(cal_format_instant(t, buf));
}

static json_t *date_json(cal_date d)
{
    char buf[CAL_DATE_LEN];

    return json_string(cal_format(d, buf));
}

/* A deadline as epart_apply_* expects it, with the next instant the scanner must
 * look at. */
static json_t *deadline_json(const char *clock, cal_date started_on, time_t due,
                             const struct clock_leads *leads)
{
    time_t next = deadline_next_fire(due, leads, 0);

    return json_pack("{s:s, s:o, s:o, s:n, s:i, s:o}", "clock", clock, "started_on",
                     date_json(started_on), "due_at", instant(due), "stopped_at", "fired_rank", 0,
                     "next_fire_at", next == (time_t)-1 ? json_null() : instant(next));
}

/* The argument of epart_apply_dossier_create, but for its "meta" and "body",
 * which arg_text() adds. */
static json_t *prepare_dossier_create(struct entry *e)
{
    const struct stream_meta *m = &e->m;
    const json_t *body = e->doc;
    json_t *deadlines, *alerts, *pre;
    cal_date received_on = m->received_on, deposit = {0, 0, 0}, ame_deposit = m->ame_deposit_on;
    bool received = m->has_received_on, ame_first = m->has_ame_deposit;
    time_t received_at;
    const char *prestation = json_str(body, "prestation");

    if (body == NULL || !uuid_valid(m->id) || prestation == NULL || !m->has_received_at_us ||
        m->org[0] == '\0' || m->caisse[0] == '\0') {
        snprintf(e->error, sizeof(e->error), "malformed dossier.create entry");
        return NULL;
    }
    stream_pending_key(e->pending_key, m->id);
    received_at = (time_t)(m->received_at_us / 1000000);
    {
        cal_date accepted = cal_paris_date(received_at);

        deposit_date(ame_first ? &ame_deposit : NULL, received ? &received_on : NULL, &accepted,
                     &deposit);
    }
    deadlines = json_array();
    alerts = json_array();
    if (received)
        json_array_append_new(deadlines,
                              deadline_json("instruction", received_on,
                                            deadline_instruction_due(received_on, 0),
                                            &g_config.leads_instruction));
    if (ame_first) {
        const struct clock_leads *leads = &g_config.leads_transmission;
        time_t due = deadline_transmission_due(ame_deposit);
        json_t *c = deadline_json("transmission", ame_deposit, due, leads);

        if (received) {
            /* transmitted at once: the receipt is part of the creation */
            char due_s[32], at_s[32];

            json_object_set_new(c, "stopped_at", instant(received_at));
            json_object_set_new(c, "next_fire_at", json_null());
            if (dossier_transmission_at_receipt(due, received_at, 0, leads->n + 1)) {
                json_object_set_new(c, "fired_rank", json_integer(leads->n + 1));
                json_array_append_new(
                    alerts, dossier_transmission_breach_alert(cal_format_instant(due, due_s),
                                                              cal_format_instant(received_at, at_s)));
            }
        }
        json_array_append_new(deadlines, c);
    }
    pre = preinstruction_run(g_pieces_table, prestation, json_object_get(body, "situation"),
                             json_object_get(body, "pieces"), received ? received_on : deposit,
                             deposit, clock_today());
    /* meta and body are added as the entry's own texts (arg_text) */
    return json_pack("{s:s, s:I, s:o, s:o, s:o}", "stream_id", e->id, "seq",
                     (json_int_t)persist_stream_seq(e->id), "pre_instruction",
                     pre ? pre : json_null(), "deadlines", deadlines, "alerts", alerts);
}

/* Apply an entry whose kind is one statement (k->sql): one call of its SQL
 * function. */
static int apply_statement(PGconn *pg, const char *sql, struct entry *e, const char *arg)
{
    char state[6];
    PGresult *res = STORE_EXEC_STATE(pg, state, sql, arg);

    if (res == NULL) {
        snprintf(e->error, sizeof(e->error), "SQLSTATE %s", state);
        return -1;
    }
    PQclear(res);
    return 0;
}

/* The other writes are applied by C code that reads the dossier under lock
 * (lifecycle.c) from the parsed entry itself: no SQL argument to build. */
static bool check_plain(struct entry *e)
{
    if (e->doc == NULL || !uuid_valid(e->m.id) || !uuid_valid(e->m.entry)) {
        snprintf(e->error, sizeof(e->error), "malformed %s entry", e->type);
        return false;
    }
    return true;
}

/* The argument of epart_apply_request_create (signalements, rendez-vous,
 * document requests): the request and the clock it starts, if any. */
static json_t *prepare_request_create(struct entry *e)
{
    const struct stream_meta *m = &e->m;
    const struct request_kind *k = request_kind_named(m->kind);
    json_t *deadlines;

    if (!json_is_object(e->doc) || k == NULL || !uuid_valid(m->id) || !m->has_received_at_us ||
        m->org[0] == '\0' || m->caisse[0] == '\0') {
        snprintf(e->error, sizeof(e->error), "malformed %s entry", e->type);
        return NULL;
    }
    stream_pending_key(e->pending_key, m->id);
    deadlines = json_array();
    if (k->clock != NULL) {
        time_t start = (time_t)(m->received_at_us / 1000000);
        time_t due = deadline_hours_due(start, k->clock_hours);
        const struct clock_leads *leads = strcmp(k->clock, "rappel") == 0
                                              ? &g_config.leads_rappel
                                              : &g_config.leads_prise_en_charge;
        time_t next = deadline_next_fire(due, leads, 0);

        json_array_append_new(deadlines, json_pack("{s:s, s:o, s:o}", "clock", k->clock,
                                                   "due_at", instant(due), "next_fire_at",
                                                   instant(next)));
    }
    /* meta and body are added as the entry's own texts (arg_text) */
    return json_pack("{s:s, s:s, s:I, s:o}", "kind", k->kind, "stream_id", e->id, "seq",
                     (json_int_t)persist_stream_seq(e->id), "deadlines", deadlines);
}

/* Each kind is either applied by one SQL function (prepare builds its argument
 * but for "meta" and "body", which arg_text() adds as the entry's own texts;
 * sql runs it) or by lifecycle.c from the parsed entry (apply_entry, after
 * check_plain). */
struct entry_kind {
    const char *type;
    json_t *(*prepare)(struct entry *e);
    int (*apply_entry)(PGconn *pg, struct entry *e);
    /* the one statement that applies it (store/), its result unread: such
     * entries can be sent in a pipeline (apply_pipelined) */
    const char *sql;
    /* the statement applying a run of such entries at once (an array of their
     * arguments), if any (sql/functions/20_dossiers.sql) */
    const char *batch_sql;
};

static const struct entry_kind kinds[] = {
    {"dossier.create", prepare_dossier_create, NULL, DOSSIERS_SQL_APPLY_CREATE,
     DOSSIERS_SQL_APPLY_CREATES},
    {"dossier.transmit", NULL, lifecycle_apply_transmit, NULL, NULL},
    {"dossier.pieces", NULL, lifecycle_apply_pieces, NULL, NULL},
    {"dossier.message", NULL, lifecycle_apply_message, NULL, NULL},
    {"signalement.create", prepare_request_create, NULL, REQUESTS_SQL_APPLY_CREATE, NULL},
    {"rendez_vous.create", prepare_request_create, NULL, REQUESTS_SQL_APPLY_CREATE, NULL},
    {"demande_document.create", prepare_request_create, NULL, REQUESTS_SQL_APPLY_CREATE, NULL},
};

/* The text of arg with "meta" and "body" set to the entry's own texts, copied
 * as they are. Why: serialising the parsed body again was a fifth of the
 * worker's time per entry (docs/BENCHMARKS.md). Both texts were parsed whole
 * by persist_batch (the meta by stream_meta_parse, the body into e->doc: one
 * JSON value each), so the result is JSON. */
static char *arg_text(const json_t *arg, const struct entry *e)
{
    static const char meta_key[] = ",\"meta\":", body_key[] = ",\"body\":";
    char *head = json_text(arg), *out, *p;
    size_t hn, mn = strlen(e->meta);

    if (head == NULL)
        return NULL;
    hn = strlen(head); /* "{…}": a non-empty object */
    out = malloc(hn - 1 + sizeof(meta_key) - 1 + mn + sizeof(body_key) - 1 + e->body_len + 2);
    if (out != NULL && hn >= 2 && head[hn - 1] == '}') {
        p = out;
        memcpy(p, head, hn - 1);
        p += hn - 1;
        memcpy(p, meta_key, sizeof(meta_key) - 1);
        p += sizeof(meta_key) - 1;
        memcpy(p, e->meta, mn);
        p += mn;
        memcpy(p, body_key, sizeof(body_key) - 1);
        p += sizeof(body_key) - 1;
        memcpy(p, e->body, e->body_len);
        p += e->body_len;
        *p++ = '}';
        *p = '\0';
    } else {
        free(out);
        out = NULL;
    }
    free(head);
    return out;
}

static const struct entry_kind *kind_of(const char *type)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kinds[i].type, type) == 0)
            return &kinds[i];
    return NULL;
}

/* Apply one prepared entry inside the current transaction, and journal it
 * there (journal.h): 0 or -1. */
static int apply_one(PGconn *pg, const struct entry_kind *k, struct entry *e, const char *arg)
{
    int rc = k->apply_entry != NULL ? k->apply_entry(pg, e)
                                    : apply_statement(pg, k->sql, e, arg);

    return rc == 0 ? journal_entry(pg, e) : -1;
}

/* "[a0,a1,…]" of the JSON texts args[from..to) that are not NULL (malloc'd). */
static char *json_array_text(char **args, int from, int to)
{
    size_t len = 2;
    char *out, *p;

    for (int i = from; i < to; i++)
        if (args[i] != NULL)
            len += strlen(args[i]) + 1;
    out = malloc(len + 1);
    if (out == NULL)
        return NULL;
    p = out;
    *p++ = '[';
    for (int i = from; i < to; i++) {
        size_t n;

        if (args[i] == NULL)
            continue;
        if (p > out + 1)
            *p++ = ',';
        n = strlen(args[i]);
        memcpy(p, args[i], n);
        p += n;
    }
    *p++ = ']';
    *p = '\0';
    return out;
}

/* Send one statement of one parameter in pipeline mode: 0 or -1. */
static int send1(PGconn *pg, const char *sql, const char *param)
{
    const char *params[1] = {param};

    return PQsendQueryParams(pg, sql, 1, NULL, params, NULL, NULL, 0) == 1 ? 0 : -1;
}

/* Apply entries [from, to), all of kinds with a single statement (k->sql), and
 * their journal rows inside the open transaction, in libpq's pipeline mode.
 * Why: the worker's drain was bound by PostgreSQL's fixed cost per statement
 * and by two round trips per entry (docs/BENCHMARKS.md). Now each run of
 * consecutive entries of a kind with a batch statement (dossier.create) is
 * applied by one statement (sql/functions/20_dossiers.sql), the others by their own
 * statement, the journal rows of them all by one statement at the end, and
 * everything is sent before any result is read: one round trip per run. The
 * order of entries and the transaction are those of apply_one() in a loop.
 * Returns 0, or -1 when any statement failed (the transaction is then aborted:
 * the caller rolls back and retries each entry alone, which records the error).
 * The results are a few dozen bytes per statement, far less than a socket
 * buffer, so sending everything before reading cannot block on a full pipe. */
static int apply_pipelined(PGconn *pg, const struct entry_kind **k, struct entry *entries,
                           char **args, int from, int to)
{
    struct audit_journal_rows journal = {{NULL, 0, 0}, 0};
    int rc = 0;

    if (PQenterPipelineMode(pg) != 1)
        return -1;
    for (int i = from; i < to && rc == 0;) {
        struct journal_row row;
        int j = i + 1;

        if (args[i] == NULL) {
            i++;
            continue;
        }
        if (k[i]->batch_sql != NULL) {
            char *arr;

            while (j < to && (args[j] == NULL || k[j] == k[i]))
                j++;
            arr = json_array_text(args, i, j);
            rc = arr != NULL ? send1(pg, k[i]->batch_sql, arr) : -1;
            free(arr);
        } else {
            rc = send1(pg, k[i]->sql, args[i]);
        }
        for (; i < j; i++)
            if (args[i] != NULL && journal_row(&entries[i], &row)) {
                /* a row that cannot be built fails the run: never a silent gap */
                if (audit_journal_add(&journal, row.col) < 0)
                    rc = -1;
            }
    }
    if (rc == 0 && journal.n > 0)
        rc = send1(pg, AUDIT_JOURNAL_SQL_INSERT, journal.text.s);
    audit_journal_rows_free(&journal);
    if (PQpipelineSync(pg) != 1) {
        PQexitPipelineMode(pg);
        return -1;
    }
    /* every statement's results end with NULL; the sync ends the lot */
    for (;;) {
        PGresult *res = PQgetResult(pg);
        ExecStatusType st;

        if (res == NULL) {
            if (PQstatus(pg) != CONNECTION_OK)
                return -1;
            continue;
        }
        st = PQresultStatus(res);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            break;
        }
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            if (st != PGRES_PIPELINE_ABORTED && rc == 0)
                log_warn("persist: pipelined batch failed: %s",
                         PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                             ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                             : PQerrorMessage(pg));
            rc = -1;
        }
        PQclear(res);
    }
    if (PQexitPipelineMode(pg) != 1)
        rc = -1;
    return rc;
}

/* The Jansson values of a batch (the bodies' trees, the prepared arguments)
 * come from this consumer thread's arena, released at once when the batch
 * ends and reused by the next one (jsonarena.h). Why: built and freed one by
 * one they cost half of the worker's CPU per entry in malloc and free
 * (docs/BENCHMARKS.md, drain). Nothing of a batch outlives it: the texts sent
 * to PostgreSQL are the heap's (json_text), the entries keep no value. */
#define BATCH_ARENA_KEEP ((size_t)32 << 20)
static __thread struct json_arena *batch_arena;

int persist_batch(PGconn *pg, struct entry *entries, int n)
{
    char **args = calloc((size_t)n, sizeof(char *));
    const struct entry_kind **k = calloc((size_t)n, sizeof(*k));
    struct json_arena *prev;
    int done = 0, rc = 0;
    bool batch_ok = true;

    if (args == NULL || k == NULL) {
        free(args);
        free(k);
        return -1;
    }
    if (batch_arena == NULL)
        batch_arena = json_arena_new(); /* NULL: the heap serves, as before */
    prev = json_arena_enter(batch_arena);
    for (int i = 0; i < n; i++) {
        json_t *arg;

        entries[i].done = false;
        entries[i].refused = false;
        entries[i].prepared = false;
        entries[i].doc = NULL;
        switch (stream_meta_parse(entries[i].meta, strlen(entries[i].meta), &entries[i].m)) {
        case STREAM_META_OK:
            break;
        case STREAM_META_UNKNOWN_VERSION:
            snprintf(entries[i].error, sizeof(entries[i].error),
                     "meta version %d unknown to this worker (it reads version %d)",
                     entries[i].m.v, STREAM_META_V);
            entries[i].refused = true;
            continue;
        default:
            snprintf(entries[i].error, sizeof(entries[i].error), "malformed %s entry meta",
                     entries[i].type);
            continue;
        }
        k[i] = kind_of(entries[i].type);
        if (k[i] == NULL) {
            snprintf(entries[i].error, sizeof(entries[i].error), "unknown entry type");
            continue;
        }
        /* the one parse of the body: every later step reads e->doc */
        entries[i].doc = json_loadb_fast(entries[i].body, entries[i].body_len, 0, NULL);
        if (k[i]->prepare == NULL) {
            entries[i].prepared = check_plain(&entries[i]);
            continue;
        }
        arg = k[i]->prepare(&entries[i]);
        if (arg != NULL) {
            args[i] = arg_text(arg, &entries[i]);
            json_decref(arg);
            if (args[i] == NULL)
                snprintf(entries[i].error, sizeof(entries[i].error), "out of memory");
            entries[i].prepared = args[i] != NULL;
        }
    }
    /* first try: the whole batch in one transaction, each run of single-statement
     * entries (creations, the bulk of the stream) sent as one pipeline */
    if (db_begin(pg) == 0) {
        for (int i = 0; i < n && batch_ok;) {
            int j = i;

            while (j < n && (!entries[j].prepared || k[j]->sql != NULL))
                j++;
            if (j > i) {
                if (apply_pipelined(pg, k, entries, args, i, j) < 0)
                    batch_ok = false;
                i = j;
                continue;
            }
            if (apply_one(pg, k[i], &entries[i], args[i]) < 0)
                batch_ok = false;
            i++;
        }
        if (batch_ok && db_commit(pg) == 0) {
            for (int i = 0; i < n; i++)
                if (entries[i].prepared) {
                    entries[i].done = true;
                    done++;
                }
            goto out;
        }
        db_rollback(pg);
    }
    if (PQstatus(pg) != CONNECTION_OK) {
        rc = -1;
        goto out;
    }
    /* then each entry on its own */
    for (int i = 0; i < n; i++) {
        if (!entries[i].prepared)
            continue;
        if (db_begin(pg) < 0)
            break;
        if (apply_one(pg, k[i], &entries[i], args[i]) == 0 && db_commit(pg) == 0) {
            entries[i].done = true;
            done++;
        } else {
            db_rollback(pg);
            log_warn("persist: entry %s (%s) failed: %s", entries[i].id, entries[i].type,
                     entries[i].error);
        }
        if (PQstatus(pg) != CONNECTION_OK) {
            rc = -1;
            break;
        }
    }
out:
    for (int i = 0; i < n; i++) {
        free(args[i]);
        json_decref(entries[i].doc); /* inside the arena: a heap value it holds is freed */
        entries[i].doc = NULL;
    }
    json_arena_restore(prev);
    json_arena_reset(batch_arena, BATCH_ARENA_KEEP);
    free(args);
    free(k);
    if (rc < 0) {
        for (int i = 0; i < n; i++)
            entries[i].done = false;
        return -1;
    }
    return done;
}

void persist_thread_end(void)
{
    json_arena_free(batch_arena);
    batch_arena = NULL;
}
