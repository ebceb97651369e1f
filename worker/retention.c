/*
 * retention.c — the purge pass of retention.h, run from the scanner's loop.
 *
 * The work is done by two SQL functions (sql/functions/10_retention.sql) so
 * that the selection (SKIP LOCKED), the rewrite of the dossier, of its history
 * details and of its messages happen in one statement, hence one transaction:
 * a worker killed mid-pass leaves every dossier either whole or purged.
 *
 * The cut-off is the product's now (clock_now(), which the test clock sets)
 * minus the retention period, and purged_at is that now.
 *
 * The purge then reaches Redis (SPEC §10): every object purged is queued in
 * redis_purge_queue by the purge's own transaction (a trigger of
 * sql/functions/10_retention.sql);
 * here its copies are deleted — entries of the stream and of the dead-letter
 * stream about it, its read-your-writes record, the idempotency records listed
 * under it — and Redis is asked to rewrite its append-only file, since the
 * file still holds every XADD body until then. The ids leave the queue only
 * once the rewrite has started after those deletions.
 */
#include "retention.h"

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "clock.h"
#include "idem_key.h"
#include "log.h"
#include "redis_primary.h"
#include "stream.h"
#include "worker.h"
#include "store/idempotency_records.h"
#include "store/retention.h"

#define PURGE_BATCH 200
#define PURGE_EVERY_S 60
#define REDIS_BATCH 500      /* ids taken from redis_purge_queue per pass */
#define REDIS_RETRY_S 5      /* after Redis failed or a rewrite was running */
#define SCAN_COUNT 500       /* stream entries read per XRANGE */

#define STREAM STREAM_INGEST
#define GROUP STREAM_GROUP
#define DEAD STREAM_DEAD
#define PENDING_PREFIX STREAM_PENDING_PREFIX

static time_t last_real;    /* real clock at the last pass */
static time_t last_product; /* product clock at the last pass */
static int passes;
static int backlog;         /* the last pass filled a batch: go on next tick */
static bool redis_due = true; /* ids may wait in redis_purge_queue */
static time_t redis_retry_at; /* real clock before which Redis is not tried again */
static redisContext *redis;
static uint64_t redis_gen;

/* ---- Redis ---------------------------------------------------------------- */

/* The connection to the primary (common/redis_primary.h): the deletions and the
 * rewrite are the primary's; a connection opened before a failover is dropped. */
static redisContext *redis_ctx(void)
{
    struct timeval tv = {5, 0};

    if (redis != NULL && redis->err == 0 && !primary_stale(redis_gen))
        return redis;
    if (redis != NULL)
        redisFree(redis);
    redis = primary_connect(tv, &redis_gen);
    return redis;
}

/* Send one command; false when Redis did not answer or refused it. */
static bool redis_ok(redisReply *r)
{
    bool ok = r != NULL && r->type != REDIS_REPLY_ERROR;

    if (r != NULL && r->type == REDIS_REPLY_ERROR)
        log_warn("retention: redis refused a command: %.200s", r->str);
    if (r != NULL)
        freeReplyObject(r);
    return ok;
}

static bool id_purged(json_t *ids, const char *id)
{
    return id != NULL && json_object_get(ids, id) != NULL;
}

/* The object id an entry concerns: its meta's "id" (the dossier or request). */
static bool entry_purged(const redisReply *fields, json_t *ids)
{
    bool hit = false;

    for (size_t i = 0; fields->type == REDIS_REPLY_ARRAY && i + 1 < fields->elements; i += 2) {
        const redisReply *k = fields->element[i], *v = fields->element[i + 1];
        char id[STREAM_ID_MAX + 1];

        if (k->type != REDIS_REPLY_STRING || strcmp(k->str, "meta") != 0 ||
            v->type != REDIS_REPLY_STRING)
            continue;
        hit = stream_meta_object_id(v->str, v->len, id) && id_purged(ids, id);
    }
    return hit;
}

/* The dead-letter stream without the entries named in ARGV, rebuilt with the
 * same ids: XDEL only flags an entry deleted inside its node, whose bytes stay
 * in memory and in the append-only file's RDB preamble until every entry of
 * that node is gone, and dead letters are never consumed. */
static const char rebuild_script[] =
    "local gone = {}\n"
    "for i = 1, #ARGV do gone[ARGV[i]] = true end\n"
    "local all = redis.call('XRANGE', KEYS[1], '-', '+')\n"
    "local keep, n = {}, 0\n"
    "for _, e in ipairs(all) do\n"
    "  if gone[e[1]] then n = n + 1 else keep[#keep + 1] = e end\n"
    "end\n"
    "if n == 0 then return 0 end\n"
    "redis.call('DEL', KEYS[1])\n"
    "for _, e in ipairs(keep) do redis.call('XADD', KEYS[1], e[1], unpack(e[2])) end\n"
    "return n\n";

/* Delete the entries of stream that concern a purged id: on the ingest
 * stream acknowledged and deleted (a node whose entries are all deleted is
 * freed whole, and the workers empty its nodes as they persist); on the
 * dead-letter stream by rebuilding it (rebuild_script). Returns the entries
 * deleted, or -1 when Redis failed. */
static long scrub_stream(redisContext *rc, const char *stream, json_t *ids, bool ingest)
{
    char start[64] = "-";
    long deleted = 0;
    json_t *doomed = json_array();

    for (;;) {
        redisReply *r = redisCommand(rc, "XRANGE %s %s + COUNT %d", stream, start, SCAN_COUNT);
        size_t n;

        if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
            bool failed = r == NULL || r->type == REDIS_REPLY_ERROR;

            if (r != NULL)
                freeReplyObject(r);
            if (failed) {
                json_decref(doomed);
                return -1;
            }
            break;
        }
        n = r->elements;
        for (size_t i = 0; i < n; i++) {
            const redisReply *e = r->element[i];

            if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
                e->element[0]->type != REDIS_REPLY_STRING)
                continue;
            snprintf(start, sizeof(start), "(%s", e->element[0]->str);
            if (entry_purged(e->element[1], ids))
                json_array_append_new(doomed, json_string(e->element[0]->str));
        }
        freeReplyObject(r);
        if (n < SCAN_COUNT)
            break;
    }
    if (ingest) {
        size_t i;
        json_t *v;

        json_array_foreach(doomed, i, v) {
            const char *id = json_string_value(v);

            if (!redis_ok(redisCommand(rc, "XACK %s %s %s", stream, GROUP, id)) ||
                !redis_ok(redisCommand(rc, "XDEL %s %s", stream, id))) {
                json_decref(doomed);
                return -1;
            }
            deleted++;
        }
    } else if (json_array_size(doomed) > 0) {
        size_t n = json_array_size(doomed), argc = 4 + n;
        const char **argv = calloc(argc, sizeof(*argv));
        redisReply *r;

        if (argv == NULL) {
            json_decref(doomed);
            return -1;
        }
        argv[0] = "EVAL";
        argv[1] = rebuild_script;
        argv[2] = "1";
        argv[3] = stream;
        for (size_t i = 0; i < n; i++)
            argv[4 + i] = json_string_value(json_array_get(doomed, i));
        r = redisCommandArgv(rc, (int)argc, argv, NULL);
        free(argv);
        if (r == NULL || r->type != REDIS_REPLY_INTEGER) {
            redis_ok(r);
            json_decref(doomed);
            return -1;
        }
        deleted = (long)r->integer;
        freeReplyObject(r);
    }
    json_decref(doomed);
    return deleted;
}

/* Delete the read-your-writes record and the idempotency records of id. */
static bool scrub_object(redisContext *rc, const char *id)
{
    char set[IDEM_OBJECT_KEY_LEN];
    redisReply *r;

    if (!redis_ok(redisCommand(rc, "DEL %s%s", PENDING_PREFIX, id)))
        return false;
    if (!idem_object_key(id, set))
        return true;
    r = redisCommand(rc, "SMEMBERS %s", set);
    if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
        redis_ok(r);
        return false;
    }
    for (size_t i = 0; i < r->elements; i++)
        if (r->element[i]->type == REDIS_REPLY_STRING &&
            !redis_ok(redisCommand(rc, "DEL %s", r->element[i]->str))) {
            freeReplyObject(r);
            return false;
        }
    freeReplyObject(r);
    return redis_ok(redisCommand(rc, "DEL %s", set));
}

/* Ask for the append-only file to be rewritten. True when a rewrite starts (or
 * is scheduled) after this call: one already running may have copied the
 * data deleted just now, so it does not count. */
static bool rewrite_aof(redisContext *rc)
{
    redisReply *r = redisCommand(rc, "BGREWRITEAOF");
    bool ok = r != NULL && r->type == REDIS_REPLY_STATUS;

    if (r != NULL && r->type == REDIS_REPLY_ERROR)
        log_info("retention: append-only file rewrite not started (%.120s); retrying", r->str);
    if (r != NULL)
        freeReplyObject(r);
    return ok;
}

/* Delete the Redis copies of every id of ids (a set: id -> true). Returns false
 * when Redis failed; *entries and *dead count the stream entries deleted. */
static bool scrub_all(redisContext *rc, json_t *ids, long *entries, long *dead)
{
    const char *id;
    json_t *v;

    json_object_foreach(ids, id, v) {
        if (!scrub_object(rc, id))
            return false;
    }
    *entries = scrub_stream(rc, STREAM, ids, true);
    if (*entries < 0)
        return false;
    *dead = scrub_stream(rc, DEAD, ids, false);
    return *dead >= 0;
}

/* One pass over redis_purge_queue. Returns false when it must be tried again. */
static bool purge_redis(PGconn *pg)
{
    PGresult *res;
    redisContext *rc;
    json_t *ids;
    char *list;
    size_t pos = 0;
    int n;
    long entries = 0, dead = 0;
    bool ok;

    res = redis_purge_queue_take(pg, REDIS_BATCH);
    if (res == NULL)
        return false;
    n = PQntuples(res);
    if (n == 0 || (rc = redis_ctx()) == NULL) {
        PQclear(res);
        if (n == 0)
            redis_due = false;
        return n == 0;
    }
    /* the ids as a set for the scrub, and as a uuid[] literal for the DELETE
     * (uuids read from the table: nothing to quote) */
    ids = json_object();
    list = malloc((size_t)n * 37 + 3);
    if (list != NULL)
        list[pos++] = '{';
    for (int i = 0; i < n; i++) {
        json_object_set_new(ids, PQgetvalue(res, i, 0), json_true());
        if (list != NULL)
            pos += (size_t)sprintf(list + pos, "%s%s", i ? "," : "", PQgetvalue(res, i, 0));
    }
    PQclear(res);
    ok = list != NULL && scrub_all(rc, ids, &entries, &dead) && rewrite_aof(rc);
    if (ok) {
        list[pos++] = '}';
        list[pos] = '\0';
        ok = redis_purge_queue_remove(pg, list) == 0;
    }
    if (ok) {
        log_info("retention: Redis purged of %d object(s) (%ld stream and %ld dead-letter "
                 "entries), append-only file rewrite started",
                 n, entries, dead);
        if (n < REDIS_BATCH)
            redis_due = false;
    }
    free(list);
    json_decref(ids);
    return ok;
}

/* The durable copies of idempotency records (sql/020_idempotency_records.sql)
 * live as long as their Redis copies: 24 hours of the real clock. */
static void expire_idempotency_records(PGconn *pg)
{
    if (idempotency_records_expire(pg, IDEM_TTL_SECONDS) < 0)
        log_warn("retention: could not delete the expired idempotency records");
}

void retention_tick(PGconn *pg)
{
    time_t real = clock_real(), now = clock_now();
    char cutoff_s[32], now_s[32];
    long long dossiers, requests, messages = 0;

    if (redis_due && real >= redis_retry_at && !purge_redis(pg))
        redis_retry_at = real + REDIS_RETRY_S;
    if (passes > 0 && !backlog && real - last_real < PURGE_EVERY_S &&
        llabs((long long)(now - last_product)) < PURGE_EVERY_S)
        return;
    last_real = real;
    last_product = now;
    passes++;
    cal_format_instant(now - (time_t)g_config.retention_days * 86400, cutoff_s);
    cal_format_instant(now, now_s);
    dossiers = retention_purge_dossiers(pg, cutoff_s, now_s, PURGE_BATCH, &messages);
    requests = retention_purge_requests(pg, cutoff_s, now_s, PURGE_BATCH);
    expire_idempotency_records(pg);
    backlog = dossiers >= PURGE_BATCH || requests >= PURGE_BATCH;
    if (dossiers > 0 || requests > 0) {
        redis_due = true;
        redis_retry_at = 0;
    }
    /* counts only: never who */
    if (dossiers > 0 || requests > 0)
        log_info("retention: purged %lld dossier(s) (%lld message(s)) and %lld request(s) "
                 "closed before %s",
                 dossiers > 0 ? dossiers : 0, messages, requests > 0 ? requests : 0, cutoff_s);
}
