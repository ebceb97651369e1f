/*
 * consumer.c — the stream consumer: reads the ingest stream as a member of the
 * consumer group, persists each batch (persist.c), and acknowledges an entry
 * only after its transaction committed.
 *
 * Entries a dead consumer left pending are claimed with XAUTOCLAIM once they
 * have been idle EPART_CLAIM_IDLE_MS; an entry that failed EPART_MAX_TRIES times
 * while PostgreSQL was up (a poison entry) is moved to the dead-letter stream so
 * that it never blocks the others. Failures counted are the entry's own, not
 * outages: an hour without PostgreSQL dead-letters nothing.
 */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "db.h"
#include "log.h"
#include "persist.h"
#include "redis_primary.h"
#include "sentinel.h"
#include "stream.h"
#include "worker.h"

#define STREAM STREAM_INGEST
#define GROUP STREAM_GROUP
#define DEAD STREAM_DEAD
#define FAILURES STREAM_FAILURES
#define BATCH 256

static int64_t now_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static redisContext *redis_connect(uint64_t *gen)
{
    /* longer than the BLOCK of XREADGROUP, so a quiet stream is not a timeout */
    struct timeval tv = {5, 0};
    redisContext *rc = primary_connect(tv, gen);
    redisReply *r;

    if (rc == NULL)
        return NULL;
    r = redisCommand(rc, "XGROUP CREATE %s %s 0 MKSTREAM", STREAM, GROUP);
    if (r != NULL)
        freeReplyObject(r); /* BUSYGROUP when it exists already */
    return rc;
}

static void entries_free(struct entry *e, int n)
{
    for (int i = 0; i < n; i++) {
        free(e[i].meta);
        free(e[i].body);
    }
}

/* Fill entries from an array of [id, [field, value, ...]]. Returns how many. */
static int parse_entries(const redisReply *list, struct entry *out, int max)
{
    int n = 0;

    for (size_t i = 0; i < list->elements && n < max; i++) {
        const redisReply *item = list->element[i];
        struct entry *e = &out[n];

        if (item->type != REDIS_REPLY_ARRAY || item->elements != 2 ||
            item->element[0]->type != REDIS_REPLY_STRING)
            continue;
        memset(e, 0, sizeof(*e));
        snprintf(e->id, sizeof(e->id), "%s", item->element[0]->str);
        if (item->element[1]->type == REDIS_REPLY_ARRAY) {
            const redisReply *f = item->element[1];

            for (size_t j = 0; j + 1 < f->elements; j += 2) {
                const char *name = f->element[j]->str;
                const redisReply *v = f->element[j + 1];

                if (name == NULL || v->type != REDIS_REPLY_STRING)
                    continue;
                if (strcmp(name, "type") == 0) {
                    snprintf(e->type, sizeof(e->type), "%s", v->str);
                } else if (strcmp(name, "meta") == 0) {
                    e->meta = strndup(v->str, v->len);
                } else if (strcmp(name, "body") == 0) {
                    e->body = malloc(v->len + 1);
                    if (e->body != NULL) {
                        memcpy(e->body, v->str, v->len);
                        e->body[v->len] = '\0';
                        e->body_len = v->len;
                    }
                }
            }
        }
        if (e->meta == NULL)
            e->meta = strdup("");
        if (e->body == NULL)
            e->body = strdup("");
        n++;
    }
    return n;
}

/* Acknowledge and delete the done entries (XDEL keeps XLEN equal to the
 * backlog, which the API compares with EPART_INGEST_BACKLOG), drop their
 * read-your-writes records, and count the failures of the others. */
static int acknowledge(redisContext *rc, struct entry *e, int n)
{
    int sent = 0;

    for (int i = 0; i < n; i++) {
        if (e[i].done) {
            redisAppendCommand(rc, "XACK %s %s %s", STREAM, GROUP, e[i].id);
            redisAppendCommand(rc, "XDEL %s %s", STREAM, e[i].id);
            redisAppendCommand(rc, "HDEL %s %s", FAILURES, e[i].id);
            sent += 3;
            if (e[i].pending_key[0] != '\0') {
                redisAppendCommand(rc, "DEL %s", e[i].pending_key);
                sent++;
            }
        } else {
            redisAppendCommand(rc, "HINCRBY %s %s 1", FAILURES, e[i].id);
            sent++;
        }
    }
    for (int i = 0; i < sent; i++) {
        redisReply *r = NULL;

        if (redisGetReply(rc, (void **)&r) != REDIS_OK)
            return -1;
        freeReplyObject(r);
    }
    return 0;
}

/* Several nodes: persist only entries the required replicas hold. An entry
 * read from a primary that is about to lose it (paused, cut off, then
 * resynchronised) was not acknowledged to its client either (the same WAIT
 * rule, api/support/ingest.c); persisting it would make a dossier out of a 503 whose
 * retry then creates another. WAIT covers everything written before this
 * connection's last command, so after XREADGROUP it covers the entries read. */
static uint64_t conn_gen; /* redis_primary generation of the consumer's connection */

static bool replicated(redisContext *rc)
{
    int acks = primary_required_acks();
    redisReply *r;
    bool ok;

    if (acks == 0)
        return true;
    r = redisCommand(rc, "WAIT %d %d", acks, PRIMARY_WAIT_MS);
    ok = r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer >= acks;
    if (r != NULL)
        freeReplyObject(r);
    /* The count is the current primary's: a connection still on an older
     * primary (paused, then resumed) must not use it — its remaining replica
     * acknowledges what the resynchronisation then erases (the research's
     * paused-primary loss). The fence of api/core/redis_link.c, for the worker. */
    if (ok && primary_stale(conn_gen)) {
        log_warn("consumer: the primary moved while reading; the entries wait");
        return false;
    }
    if (!ok)
        log_warn("consumer: entries not yet on %d replica(s); they wait", acks);
    return ok;
}

static void dead_letter(redisContext *rc, const struct entry *e, long long tries);

static void process(redisContext *rc, PGconn *pg, struct entry *e, int n, bool *pg_lost)
{
    int done;

    if (n == 0 || !replicated(rc))
        return;
    done = persist_batch(pg, e, n);
    if (done < 0) {
        /* an outage, not the entries' fault: leave them pending, count nothing */
        *pg_lost = true;
        return;
    }
    if (acknowledge(rc, e, n) < 0)
        log_warn("consumer: could not acknowledge a batch; it will be redelivered");
    /* retrying cannot help these: out of the stream at once, said why */
    for (int i = 0; i < n; i++)
        if (e[i].refused && !e[i].done)
            dead_letter(rc, &e[i], 1);
}

/* Move an entry that failed too often to the dead-letter stream. */
static void dead_letter(redisContext *rc, const struct entry *e, long long tries)
{
    redisReply *r = redisCommand(rc, "XADD %s * original_id %s type %s meta %s body %b tries %lld",
                                 DEAD, e->id, e->type, e->meta, e->body, e->body_len, tries);

    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        if (r != NULL)
            freeReplyObject(r);
        return; /* keep it pending: try again next round */
    }
    freeReplyObject(r);
    redisAppendCommand(rc, "XACK %s %s %s", STREAM, GROUP, e->id);
    redisAppendCommand(rc, "XDEL %s %s", STREAM, e->id);
    redisAppendCommand(rc, "HDEL %s %s", FAILURES, e->id);
    for (int i = 0; i < 3; i++) {
        r = NULL;
        if (redisGetReply(rc, (void **)&r) != REDIS_OK)
            return;
        freeReplyObject(r);
    }
    if (e->refused)
        log_error("consumer: entry %s (%s) dead-lettered at once: %s", e->id, e->type, e->error);
    else
        log_error("consumer: entry %s (%s) dead-lettered after %lld failures", e->id, e->type,
                  tries);
}

/* Claim entries idle for too long (their consumer died, or they failed) and
 * process them, dead-lettering those that failed too often. */
static void claim_stale(redisContext *rc, PGconn *pg, struct entry *e, bool *pg_lost)
{
    char idle[24];
    redisReply *r;
    int n, keep = 0;

    snprintf(idle, sizeof(idle), "%d", g_config.claim_idle_ms);
    r = redisCommand(rc, "XAUTOCLAIM %s %s %s %s 0-0 COUNT %d", STREAM, GROUP, g_consumer, idle,
                     BATCH);
    if (r == NULL)
        return;
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 2 ||
        r->element[1]->type != REDIS_REPLY_ARRAY) {
        freeReplyObject(r);
        return;
    }
    n = parse_entries(r->element[1], e, BATCH);
    freeReplyObject(r);
    for (int i = 0; i < n; i++) {
        long long tries = 0;

        r = redisCommand(rc, "HGET %s %s", FAILURES, e[i].id);
        if (r != NULL && r->type == REDIS_REPLY_STRING)
            tries = strtoll(r->str, NULL, 10);
        if (r != NULL)
            freeReplyObject(r);
        if (tries >= g_config.max_tries) {
            dead_letter(rc, &e[i], tries);
            free(e[i].meta);
            free(e[i].body);
            continue;
        }
        if (keep != i)
            e[keep] = e[i];
        keep++;
    }
    if (keep > 0)
        log_info("consumer: claimed %d pending entries", keep);
    process(rc, pg, e, keep, pg_lost);
    entries_free(e, keep);
}

void *consumer_main(void *arg)
{
    redisContext *rc = NULL;
    PGconn *pg = NULL;
    struct entry *e = calloc(BATCH, sizeof(*e));
    int64_t last_claim = 0;
    bool pg_logged = false;

    (void)arg;
    while (!atomic_load(&g_stop)) {
        redisReply *r;
        bool pg_lost = false;
        int n = 0;

        if (rc == NULL || rc->err || primary_stale(conn_gen)) {
            if (rc != NULL)
                redisFree(rc);
            rc = redis_connect(&conn_gen);
            if (rc == NULL) {
                worker_sleep_ms(500);
                continue;
            }
        }
        if (!db_ok(pg)) {
            if (pg != NULL)
                PQfinish(pg);
            pg = db_connect(&g_config, 30000);
            if (pg == NULL) {
                if (!pg_logged)
                    log_warn("consumer: PostgreSQL unreachable; entries wait in the stream");
                pg_logged = true;
                worker_sleep_ms(500);
                continue;
            }
            if (pg_logged)
                log_info("consumer: PostgreSQL reachable again");
            pg_logged = false;
        }
        if (now_ms() - last_claim >= 1000) {
            last_claim = now_ms();
            claim_stale(rc, pg, e, &pg_lost);
            if (pg_lost)
                continue;
        }
        r = redisCommand(rc, "XREADGROUP GROUP %s %s COUNT %d BLOCK 1000 STREAMS %s >", GROUP,
                         g_consumer, BATCH, STREAM);
        if (r == NULL) {
            primary_suspect();
            continue; /* connection error: reconnect on the next turn */
        }
        if (r->type == REDIS_REPLY_ERROR && sentinel_error_rediscover(r->str)) {
            /* demoted under us (-UNBLOCKED, -READONLY): find the primary again */
            log_warn("consumer: Redis answered %.60s; looking for the primary", r->str);
            freeReplyObject(r);
            redisFree(rc);
            rc = NULL;
            primary_suspect();
            continue;
        }
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
            r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements == 2)
            n = parse_entries(r->element[0]->element[1], e, BATCH);
        if (r->type == REDIS_REPLY_ERROR && strstr(r->str, "NOGROUP") != NULL) {
            /* the stream was deleted: reconnect, which recreates the group */
            freeReplyObject(r);
            redisFree(rc);
            rc = NULL;
            continue;
        }
        freeReplyObject(r);
        process(rc, pg, e, n, &pg_lost);
        entries_free(e, n);
    }
    if (rc != NULL)
        redisFree(rc);
    if (pg != NULL)
        PQfinish(pg);
    free(e);
    persist_thread_end();
    return NULL;
}
