/*
 * orgcache.c — local cache and Redis mirror of organisations.
 *
 * The local cache is a small hash table under one mutex: organisations are few
 * and the critical section is a pointer copy and a reference increment (Jansson
 * reference counts are atomic). Documents are never modified once cached.
 */
#include "core/orgcache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "db.h"
#include "clock.h"
#include "log.h"
#include "redis_primary.h"
#include "uuidv.h"
#include "core/dbpool.h"
#include "core/redis_link.h"
#include "store/organisations.h"

#define BUCKETS 1024

struct entry {
    char id[40];
    json_t *org;
    int64_t fetched_us;
    struct entry *next;
};

static struct entry *table[BUCKETS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % BUCKETS;
}

json_t *orgcache_get(const char *id, int max_age_ms)
{
    json_t *org = NULL;
    struct entry *e;
    int64_t limit = max_age_ms < 0 ? INT64_MAX : (int64_t)max_age_ms * 1000;

    pthread_mutex_lock(&lock);
    for (e = table[hash(id)]; e != NULL; e = e->next)
        if (strcmp(e->id, id) == 0) {
            if (clock_real_us() - e->fetched_us <= limit)
                org = json_incref(e->org);
            break;
        }
    pthread_mutex_unlock(&lock);
    return org;
}

void orgcache_put(json_t *org)
{
    const char *id = json_string_value(json_object_get(org, "id"));
    struct entry *e;
    unsigned h;

    if (id == NULL || strlen(id) >= sizeof(e->id))
        return;
    h = hash(id);
    pthread_mutex_lock(&lock);
    for (e = table[h]; e != NULL; e = e->next)
        if (strcmp(e->id, id) == 0)
            break;
    if (e == NULL) {
        e = calloc(1, sizeof(*e));
        if (e == NULL) {
            pthread_mutex_unlock(&lock);
            return;
        }
        snprintf(e->id, sizeof(e->id), "%s", id);
        e->next = table[h];
        table[h] = e;
    }
    json_decref(e->org);
    e->org = json_incref(org);
    e->fetched_us = clock_real_us();
    pthread_mutex_unlock(&lock);
}

int orgcache_publish(redisContext *rc, json_t *org)
{
    const char *id = json_string_value(json_object_get(org, "id"));
    char key[128];
    char *text;
    redisReply *r;
    int rc_ok;

    orgcache_put(org);
    if (rc == NULL || id == NULL)
        return -1;
    text = json_text(org);
    if (text == NULL)
        return -1;
    snprintf(key, sizeof(key), ORGCACHE_REDIS_PREFIX "%s", id);
    r = redisCommand(rc, "SET %s %s", key, text);
    free(text);
    rc_ok = r != NULL && r->type == REDIS_REPLY_STATUS;
    if (r != NULL)
        freeReplyObject(r);
    return rc_ok ? 0 : -1;
}

/* ---- the organisations of PostgreSQL ---------------------------------------- */

json_t *organisation_load(PGconn *pg, const char *id)
{
    bool failed;

    if (!uuid_valid(id))
        return NULL;
    return organisations_doc(pg, id, &failed);
}

json_t *organisation_load_all(PGconn *pg)
{
    PGresult *res = organisations_all(pg);
    json_t *all;

    if (res == NULL)
        return NULL;
    all = json_array();
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(all, db_json(res, i, 0));
    PQclear(res);
    return all;
}

/* ---- resolution for a partner call ---------------------------------------- */

struct resolve {
    struct call *call;
    void (*next)(struct call *c);
};

static void load_from_db(struct call *c, struct db *db)
{
    json_t *org = organisation_load(db->pg, c->who.org);

    if (org == NULL) {
        if (PQstatus(db->pg) != CONNECTION_OK)
            call_set_unavailable(c, "La base de données");
        return; /* unknown organisation: c->org stays NULL */
    }
    orgcache_publish(db_redis(db), org);
    c->org = org;
}

static void via_db(struct call *c, void (*next)(struct call *c))
{
    call_then(c, next);
    dbpool_submit(c, load_from_db);
}

static void on_redis_org(redisReply *reply, void *priv)
{
    struct resolve *r = priv;
    struct call *c = r->call;
    void (*next)(struct call *) = r->next;

    free(r);
    if (reply != NULL && reply->type == REDIS_REPLY_STRING) {
        json_t *org = json_loadb(reply->str, reply->len, 0, NULL);

        if (org != NULL) {
            orgcache_put(org);
            c->org = org;
            next(c);
            return;
        }
    }
    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        /* Redis is down: a stale copy is better than refusing the partner */
        c->org = orgcache_get(c->who.org, -1);
        if (c->org != NULL) {
            next(c);
            return;
        }
    }
    via_db(c, next);
}

void orgcache_resolve(struct call *c, void (*next)(struct call *c))
{
    char key[128];
    const char *argv[2];
    size_t lens[2];
    struct resolve *r;

    c->org = orgcache_get(c->who.org, 5000);
    if (c->org != NULL) {
        next(c);
        return;
    }
    snprintf(key, sizeof(key), ORGCACHE_REDIS_PREFIX "%s", c->who.org);
    argv[0] = "GET";
    argv[1] = key;
    lens[0] = 3;
    lens[1] = strlen(key);
    r = malloc(sizeof(*r));
    if (r == NULL) {
        call_reply_problem(c, 503, "Service indisponible", "Mémoire insuffisante.", NULL);
        return;
    }
    r->call = c;
    r->next = next;
    if (redis_link_command(c->thr->redis, on_redis_org, r, 2, argv, lens) < 0) {
        free(r);
        c->org = orgcache_get(c->who.org, -1);
        if (c->org != NULL) {
            next(c);
            return;
        }
        via_db(c, next);
    }
}

int orgcache_sync_all(void)
{
    PGconn *pg = db_connect(&g_config, 30000);
    redisContext *rc;
    struct timeval tv = {2, 0};
    json_t *orgs;
    size_t i;
    json_t *org;
    int n = 0;

    if (pg == NULL)
        return -1;
    orgs = organisation_load_all(pg);
    PQfinish(pg);
    if (orgs == NULL)
        return -1;
    rc = primary_connect(tv, NULL);
    if (rc == NULL) {
        json_decref(orgs);
        return -1;
    }
    json_array_foreach(orgs, i, org) {
        if (orgcache_publish(rc, org) == 0)
            n++;
    }
    redisFree(rc);
    json_decref(orgs);
    log_info("orgcache: %d organisations mirrored to Redis", n);
    return n;
}
