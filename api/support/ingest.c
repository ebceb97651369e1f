/*
 * ingest.c — the Lua script that queues a partner write, and its replies.
 */
#include "support/ingest.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "clock.h"
#include "log.h"
#include "redis_primary.h"
#include "secret_hash.h"
#include "uuidv.h"
#include "core/metrics.h"
#include "core/redis_link.h"
#include "core/idempotency.h"

/* KEYS: stream, idempotency key or "", pending key or "", reference counter or "",
 *       the set of the object's idempotency records or "" (common/idem_key.h).
 * ARGV: 1 backlog max, 2 request hash, 3 idempotency ttl, 4 pending ttl,
 *       5 response, 6 meta, 7 body, 8 reference prefix, 9 entry type, 10 location,
 *       11 the object's id. The response holds ids, reference and status only: it
 *       is the idempotency record's body (SPEC §2: never a person's data).
 * The reference is substituted only into texts built by the API (meta and
 * response), never into the partner's body. */
static const char script[] =
    "if KEYS[2] ~= '' then\n"
    "  local prev = redis.call('GET', KEYS[2])\n"
    "  if prev then return {'dup', prev} end\n"
    "end\n"
    "local max = tonumber(ARGV[1])\n"
    "if max > 0 and redis.call('XLEN', KEYS[1]) >= max then return {'full', ''} end\n"
    "local ref = ''\n"
    "if KEYS[4] ~= '' then\n"
    "  ref = ARGV[8] .. string.format('%06d', redis.call('INCR', KEYS[4]))\n"
    "end\n"
    "local resp = string.gsub(ARGV[5], '@REF@', ref)\n"
    "local meta = string.gsub(ARGV[6], '@REF@', ref)\n"
    "local id = redis.call('XADD', KEYS[1], '*', 'type', ARGV[9], 'meta', meta, 'body', ARGV[7])\n"
    "if KEYS[3] ~= '' then\n"
    "  redis.call('HSET', KEYS[3], 'meta', meta, 'stream_id', id)\n"
    "  redis.call('EXPIRE', KEYS[3], tonumber(ARGV[4]))\n"
    "end\n"
    "if KEYS[2] ~= '' then\n"
    "  redis.call('SET', KEYS[2], cjson.encode({h=ARGV[2], s=202, l=ARGV[10], b=resp, o=ARGV[11]}),\n"
    "             'EX', tonumber(ARGV[3]))\n"
    "  if KEYS[5] ~= '' then\n"
    "    redis.call('SADD', KEYS[5], KEYS[2])\n"
    "    redis.call('EXPIRE', KEYS[5], tonumber(ARGV[3]))\n"
    "  end\n"
    "end\n"
    "return {'ok', id, resp}\n";

static char script_sha[41];

/* With replicas (several nodes), the script's reply is only half the answer:
 * WAIT follows it on the same connection and the call is answered from the
 * WAIT's reply, with the script's outcome kept here meanwhile. */
enum script_outcome {
    SCRIPT_NONE,     /* no reply yet */
    SCRIPT_LOST,     /* connection lost: NULL */
    SCRIPT_NOSCRIPT, /* the script must be sent whole */
    SCRIPT_REPLY,    /* a reply to act on: kept in kept_reply */
};

struct pending_ingest {
    char hash[SHA256_HEX_LEN];
    char location[256];
    int argc;
    char *argv[16];
    size_t lens[16];
    int acks;                 /* replica acknowledgements needed (0: single node) */
    enum script_outcome outcome;
    redisReply *kept_reply;   /* the script's reply, copied (hiredis frees its own) */
};

static void pending_free(void *p)
{
    struct pending_ingest *pi = p;

    for (int i = 0; i < pi->argc; i++)
        free(pi->argv[i]);
    if (pi->kept_reply != NULL)
        freeReplyObject(pi->kept_reply);
    free(pi);
}

/* A deep copy of a reply, built with hiredis's own reader so that
 * freeReplyObject() frees it: strings and arrays are all the script returns. */
static redisReply *reply_copy(const redisReply *r)
{
    redisReply *c = calloc(1, sizeof(*c));

    if (c == NULL)
        return NULL;
    c->type = r->type;
    c->integer = r->integer;
    if (r->str != NULL) {
        c->str = malloc(r->len + 1);
        if (c->str == NULL) {
            free(c);
            return NULL;
        }
        memcpy(c->str, r->str, r->len);
        c->str[r->len] = '\0';
        c->len = r->len;
    }
    if (r->type == REDIS_REPLY_ARRAY && r->elements > 0) {
        c->element = calloc(r->elements, sizeof(*c->element));
        if (c->element == NULL) {
            freeReplyObject(c);
            return NULL;
        }
        c->elements = r->elements;
        for (size_t i = 0; i < r->elements; i++)
            if ((c->element[i] = reply_copy(r->element[i])) == NULL) {
                freeReplyObject(c);
                return NULL;
            }
    }
    return c;
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);

    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static void reply_unavailable(struct call *c, const char *why)
{
    c->retry_after = 1;
    call_reply_problem(c, 503, "Service indisponible", why, NULL);
}

static void send_script(struct call *c, bool by_sha);

/* Answer the call from the script's reply (NULL: the connection was lost). */
static void answer(struct call *c, redisReply *reply)
{
    struct pending_ingest *pi = c->ctx;

    if (reply == NULL) {
        metrics_ingest(INGEST_REDIS_DOWN);
        reply_unavailable(c, "La file d'attente (Redis) est injoignable ; rien n'a été "
                             "enregistré, réessayez.");
        return;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        if (strncmp(reply->str, "NOSCRIPT", 8) == 0) {
            send_script(c, false);
            return;
        }
        log_warn("ingest: redis refused the entry: %.200s", reply->str);
        metrics_ingest(INGEST_REDIS_DOWN);
        reply_unavailable(c, "La file d'attente refuse les écritures ; rien n'a été enregistré, "
                             "réessayez.");
        return;
    }
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2 ||
        reply->element[0]->type != REDIS_REPLY_STRING) {
        reply_unavailable(c, "Réponse inattendue de la file d'attente.");
        return;
    }
    if (strcmp(reply->element[0]->str, "dup") == 0) {
        const redisReply *prev = reply->element[1];
        json_t *rec = json_loadb(prev->str, prev->len, 0, NULL);

        metrics_ingest(INGEST_REPLAYED);
        if (idem_hash_differs(rec, pi->hash)) {
            json_decref(rec);
            idem_set_reused(c);
            call_reply_prepared(c);
            return;
        }
        if (!idem_replay(c, rec))
            call_set_problem(c, 500, "Erreur interne", "Réponse mémorisée illisible.", NULL);
        json_decref(rec);
        call_reply_prepared(c);
        return;
    }
    if (strcmp(reply->element[0]->str, "full") == 0) {
        metrics_ingest(INGEST_REFUSED_BACKLOG);
        c->retry_after = 5;
        call_reply_problem(c, 503, "Service surchargé",
                           "Trop de demandes attendent leur traitement ; rien n'a été "
                           "enregistré, réessayez dans quelques secondes.",
                           NULL);
        return;
    }
    if (reply->elements < 3) {
        reply_unavailable(c, "Réponse inattendue de la file d'attente.");
        return;
    }
    metrics_ingest(INGEST_ACCEPTED);
    snprintf(c->location, sizeof(c->location), "%s", pi->location);
    call_reply_raw(c, 202, "application/json", reply->element[2]->str, reply->element[2]->len);
}

/* Single node: the script's reply is the answer (AOF fsynced before it). */
static void on_reply(redisReply *reply, void *priv)
{
    answer(priv, reply);
}

/* Several nodes: keep the script's reply for the WAIT that follows. */
static void on_script_reply(redisReply *reply, void *priv)
{
    struct call *c = priv;
    struct pending_ingest *pi = c->ctx;

    if (pi->acks < 0) {
        answer(c, NULL); /* its WAIT could not be sent */
        return;
    }
    if (reply == NULL) {
        pi->outcome = SCRIPT_LOST;
    } else if (reply->type == REDIS_REPLY_ERROR && strncmp(reply->str, "NOSCRIPT", 8) == 0) {
        pi->outcome = SCRIPT_NOSCRIPT;
    } else {
        pi->kept_reply = reply_copy(reply);
        pi->outcome = pi->kept_reply != NULL ? SCRIPT_REPLY : SCRIPT_LOST;
    }
}

/* The durability rule on several nodes (docs/high-availability.md): a 202 —
 * or the replay of a recorded one — only once WAIT says the required replicas
 * have everything this connection wrote, the script's writes included (WAIT
 * cannot run inside the script). WAIT also covers a replayed record written by
 * another connection: its offset is the primary's offset after the script
 * read the record. Fewer acknowledgements: 503, and a retry with the same key
 * meets the record if it survives, or writes it again if it does not. */
static void on_wait_reply(redisReply *reply, void *priv)
{
    struct call *c = priv;
    struct pending_ingest *pi = c->ctx;
    redisReply *kept;

    if (pi->outcome == SCRIPT_NOSCRIPT && reply != NULL) {
        pi->outcome = SCRIPT_NONE;
        send_script(c, false);
        return;
    }
    if (pi->outcome != SCRIPT_REPLY || reply == NULL) {
        answer(c, NULL);
        return;
    }
    kept = pi->kept_reply;
    pi->kept_reply = NULL;
    if (kept->type == REDIS_REPLY_ARRAY && kept->elements >= 1 &&
        kept->element[0]->type == REDIS_REPLY_STRING &&
        (strcmp(kept->element[0]->str, "ok") == 0 || strcmp(kept->element[0]->str, "dup") == 0) &&
        (reply->type != REDIS_REPLY_INTEGER || reply->integer < pi->acks)) {
        log_warn("ingest: %lld of %d replica acknowledgements within %d ms; answering 503",
                 reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1LL, pi->acks,
                 PRIMARY_WAIT_MS);
        metrics_ingest(INGEST_REDIS_DOWN);
        reply_unavailable(c, "La file d'attente n'a pas pu copier la demande sur assez de "
                             "nœuds ; réessayez avec la même clé d'idempotence.");
    } else {
        answer(c, kept);
    }
    freeReplyObject(kept);
}

static void send_script(struct call *c, bool by_sha)
{
    struct pending_ingest *pi = c->ctx;
    const char *argv[20];
    size_t lens[20];
    int argc = 0;

    argv[argc] = by_sha ? "EVALSHA" : "EVAL";
    lens[argc] = strlen(argv[argc]);
    argc++;
    argv[argc] = by_sha ? script_sha : script;
    lens[argc] = strlen(argv[argc]);
    argc++;
    argv[argc] = "5";
    lens[argc++] = 1;
    for (int i = 0; i < pi->argc; i++) {
        argv[argc] = pi->argv[i];
        lens[argc++] = pi->lens[i];
    }
    pi->acks = primary_required_acks();
    if (pi->acks == 0) {
        if (redis_link_command(c->thr->redis, on_reply, c, argc, argv, lens) < 0) {
            metrics_ingest(INGEST_REDIS_DOWN);
            reply_unavailable(c, "La file d'attente (Redis) est injoignable ; rien n'a été "
                                 "enregistré, réessayez.");
        }
        return;
    }
    if (redis_link_command(c->thr->redis, on_script_reply, c, argc, argv, lens) < 0) {
        metrics_ingest(INGEST_REDIS_DOWN);
        reply_unavailable(c, "La file d'attente (Redis) est injoignable ; rien n'a été "
                             "enregistré, réessayez.");
        return;
    }
    {
        char n[16], ms[16];
        const char *wargv[3] = {"WAIT", n, ms};
        size_t wlens[3];

        snprintf(n, sizeof(n), "%d", pi->acks);
        snprintf(ms, sizeof(ms), "%d", PRIMARY_WAIT_MS);
        wlens[0] = 4;
        wlens[1] = strlen(n);
        wlens[2] = strlen(ms);
        /* pipelined right behind the script, so it covers the script's
         * writes. Refused (out of memory): nothing was confirmed, so the
         * script's callback, still to come, answers 503 (acks < 0). */
        if (redis_link_command(c->thr->redis, on_wait_reply, c, 3, wargv, wlens) < 0)
            pi->acks = -1;
    }
}

void ingest_init(void)
{
    unsigned char md[20];

    /* Redis names scripts by their SHA-1 */
    SHA1((const unsigned char *)script, sizeof(script) - 1, md);
    for (int i = 0; i < 20; i++)
        snprintf(script_sha + 2 * i, 3, "%02x", md[i]);
}

bool ingest_pending(redisContext *rc, const char *id, struct stream_meta *m, json_t **body)
{
    char key[STREAM_PENDING_KEY_MAX + 1];
    redisReply *r, *x;
    bool found = false;

    if (body != NULL)
        *body = NULL;
    if (rc == NULL || !stream_pending_key(key, id))
        return false;
    r = redisCommand(rc, "HMGET %s meta stream_id", key);
    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_STRING)
        goto out;
    found = stream_meta_parse(r->element[0]->str, r->element[0]->len, m) == STREAM_META_OK;
    if (!found || body == NULL)
        goto out;
    /* the body is read from the stream entry itself, which lives until the
     * worker has persisted it: the record does not store it twice */
    x = redisCommand(rc, "XRANGE %s %s %s", STREAM_INGEST, r->element[1]->str,
                     r->element[1]->str);
    if (x != NULL && x->type == REDIS_REPLY_ARRAY && x->elements == 1 &&
        x->element[0]->type == REDIS_REPLY_ARRAY && x->element[0]->elements == 2) {
        const redisReply *f = x->element[0]->element[1];

        for (size_t i = 0; f->type == REDIS_REPLY_ARRAY && i + 1 < f->elements; i += 2)
            if (f->element[i]->str != NULL && strcmp(f->element[i]->str, "body") == 0 &&
                f->element[i + 1]->type == REDIS_REPLY_STRING)
                *body = json_loadb(f->element[i + 1]->str, f->element[i + 1]->len, 0, NULL);
    }
    if (x != NULL)
        freeReplyObject(x);
    /* no body: persisted meanwhile, the caller reads PostgreSQL again */
    found = *body != NULL;
out:
    if (r != NULL)
        freeReplyObject(r);
    return found;
}

void ingest_submit(struct call *c, const struct ingest_req *r)
{
    struct pending_ingest *pi = calloc(1, sizeof(*pi));
    bool bad = false;
    const char *key = call_idempotency_key(c, &bad);
    char idem_key[IDEM_KEY_LEN] = "", object_key[IDEM_OBJECT_KEY_LEN] = "";
    char backlog[24], ttl[16], pttl[16];
    const char *vals[16];
    size_t vlens[16];

    if (pi == NULL) {
        reply_unavailable(c, "Mémoire insuffisante.");
        return;
    }
    if (bad) {
        free(pi);
        call_reply_problem(c, 400, "En-tête invalide",
                           "Idempotency-Key doit compter de 1 à 128 caractères ASCII visibles.",
                           NULL);
        return;
    }
    /* The request's hash only serves the idempotency record: without a key,
     * hashing every body was a few percent of the ingest path's time for
     * nothing (profile in docs/BENCHMARKS.md); pi->hash stays "". */
    if (key != NULL) {
        idem_redis_key(c, key, idem_key);
        if (r->hash != NULL)
            memcpy(pi->hash, r->hash, sizeof(pi->hash));
        else
            idem_request_hash(c, pi->hash);
        idem_object_key(r->object_id, object_key);
    }
    snprintf(pi->location, sizeof(pi->location), "%s", r->location);
    snprintf(backlog, sizeof(backlog), "%ld", g_config.ingest_backlog_max);
    snprintf(ttl, sizeof(ttl), "%d", IDEM_TTL_SECONDS);
    snprintf(pttl, sizeof(pttl), "%d", STREAM_PENDING_TTL_SECONDS);
    vals[0] = STREAM_INGEST;
    vals[1] = idem_key;
    vals[2] = r->pending_key ? r->pending_key : "";
    vals[3] = r->refseq_key ? r->refseq_key : "";
    vals[4] = object_key;
    vals[5] = backlog;
    vals[6] = pi->hash;
    vals[7] = ttl;
    vals[8] = pttl;
    vals[9] = r->response;
    vals[10] = r->meta;
    vals[11] = r->body;
    vals[12] = r->ref_prefix ? r->ref_prefix : "";
    vals[13] = r->type;
    vals[14] = r->location;
    vals[15] = r->object_id ? r->object_id : "";
    for (int i = 0; i < 16; i++)
        vlens[i] = i == 11 ? r->body_len : strlen(vals[i]);
    for (int i = 0; i < 16; i++) {
        pi->argv[i] = dup_n(vals[i], vlens[i]);
        pi->lens[i] = vlens[i];
        if (pi->argv[i] == NULL) {
            pi->argc = i;
            pending_free(pi);
            reply_unavailable(c, "Mémoire insuffisante.");
            return;
        }
    }
    pi->argc = 16;
    /* the caller's scratch is no longer needed once its strings are copied */
    if (c->ctx != NULL && c->ctx_free != NULL)
        c->ctx_free(c->ctx);
    c->ctx = pi;
    c->ctx_free = pending_free;
    if (redis_link_inflight(c->thr->redis) >= g_config.ingest_inflight_max) {
        metrics_ingest(INGEST_REFUSED_BACKLOG);
        c->retry_after = 1;
        call_reply_problem(c, 503, "Service surchargé",
                           "Trop de demandes en cours ; rien n'a été enregistré, réessayez.",
                           NULL);
        return;
    }
    send_script(c, true);
}

bool ingest_actor(const struct call *c, struct stream_actor *a)
{
    return stream_actor_set(a, c->who.sub, role_str(c->who.role),
                            c->who.role == ROLE_PARTNER ? c->who.org : NULL,
                            c->who.role == ROLE_INSTRUCTOR ? c->who.caisse : NULL);
}

bool ingest_meta_init(const struct call *c, struct stream_meta *m, const char *id,
                      const char *org, const char *caisse)
{
    m->v = STREAM_META_V;
    m->has_actor = true;
    m->has_received_at_us = true;
    m->received_at_us = clock_now_us();
    return uuid_v4(m->entry) && snprintf(m->id, sizeof(m->id), "%s", id) < (int)sizeof(m->id) &&
           snprintf(m->org, sizeof(m->org), "%s", org) < (int)sizeof(m->org) &&
           snprintf(m->caisse, sizeof(m->caisse), "%s", caisse) < (int)sizeof(m->caisse) &&
           snprintf(m->remote, sizeof(m->remote), "%s", c->remote) < (int)sizeof(m->remote) &&
           ingest_actor(c, &m->actor);
}

void ingest_create(struct call *c, const char *type, const char *ref_prefix,
                   const char *collection, const char *status, struct stream_meta *m)
{
    char id[37], at[32], today_s[CAL_DATE_LEN], prefix[24], refseq[48];
    char pending[STREAM_PENDING_KEY_MAX + 1], location[128], hash[SHA256_HEX_LEN] = "";
    const char *caisse = json_str(c->org, "caisse");
    struct ingest_req r;
    bool bad = false;
    const char *key = call_idempotency_key(c, &bad);
    bool have_id;

    /* Under a key, the id is the submission's own (idem_object_id): a retry
     * that a failover kept from meeting its record makes the same dossier
     * again, never a second one (docs/high-availability.md). A malformed key
     * is refused by ingest_submit. */
    if (key != NULL && !bad) {
        char name[IDEM_KEY_LEN];

        idem_redis_key(c, key, name);
        idem_request_hash(c, hash);
        idem_object_id(name, hash, id);
        have_id = true;
    } else {
        have_id = uuid_v4(id);
    }
    if (!have_id || !ingest_meta_init(c, m, id, c->who.org, caisse ? caisse : "")) {
        call_reply_problem(c, 503, "Service indisponible", "Aléa indisponible.", NULL);
        return;
    }
    snprintf(m->reference, sizeof(m->reference), "%s", INGEST_REF_PLACEHOLDER);
    snprintf(m->status, sizeof(m->status), "%s", status);
    cal_format_instant((time_t)(m->received_at_us / 1000000), at);
    cal_format(cal_paris_date((time_t)(m->received_at_us / 1000000)), today_s);
    snprintf(prefix, sizeof(prefix), "%s-%.4s%.2s%.2s-", ref_prefix, today_s, today_s + 5,
             today_s + 8);
    snprintf(refseq, sizeof(refseq), STREAM_REFSEQ_PREFIX "%s:%.4s%.2s%.2s", ref_prefix,
             today_s, today_s + 5, today_s + 8);
    stream_pending_key(pending, id);
    snprintf(location, sizeof(location), "%s/%s", collection, id);
    memset(&r, 0, sizeof(r));
    r.type = type;
    r.pending_key = pending;
    r.refseq_key = refseq;
    r.ref_prefix = prefix;
    r.location = location;
    r.object_id = id;
    r.hash = hash[0] != '\0' ? hash : NULL;
    ingest_queue(c, &r, stream_meta_build(m),
                 json_pack("{s:s, s:s, s:s, s:s}", "id", id, "reference", INGEST_REF_PLACEHOLDER,
                           "status", status, "received_at", at));
}

void ingest_queue(struct call *c, struct ingest_req *r, json_t *meta, json_t *response)
{
    char *meta_text = json_text(meta);
    char *resp_text = json_text(response);

    json_decref(meta);
    json_decref(response);
    if (meta_text == NULL || resp_text == NULL) {
        free(meta_text);
        free(resp_text);
        call_reply_problem(c, 503, "Service indisponible", "Mémoire insuffisante.", NULL);
        return;
    }
    r->meta = meta_text;
    r->response = resp_text;
    r->body = c->body;
    r->body_len = c->body_len;
    ingest_submit(c, r);
    free(meta_text);
    free(resp_text);
}

/* ---- invalid bodies under a known key ----------------------------------------- */

/* A body that fails validation is never queued and its 422 never recorded, so
 * the script above cannot see a reused key then. Why look: SPEC §2 makes a
 * known key sent with another body a 422 idempotency_key_reused, whatever that
 * body is, and a client retrying with a corrupted body must learn that its key
 * is taken rather than only that the body is wrong. idem_set_invalid() is the
 * same rule for database threads; here the lookup must not block the loop. */
struct invalid_reply {
    json_t *errors;
    char hash[SHA256_HEX_LEN];
};

static void invalid_reply_free(void *p)
{
    struct invalid_reply *x = p;

    json_decref(x->errors);
    free(x);
}

static void on_key_looked_up(redisReply *reply, void *priv)
{
    struct call *c = priv;
    struct invalid_reply *x = c->ctx;
    json_t *errors;

    if (reply != NULL && reply->type == REDIS_REPLY_STRING) {
        json_t *rec = json_loadb(reply->str, reply->len, 0, NULL);
        bool reused = idem_hash_differs(rec, x->hash);

        json_decref(rec);
        if (reused) {
            idem_set_reused(c);
            call_reply_prepared(c);
            return;
        }
    }
    /* no record, or Redis silent: the body's own errors are the answer */
    errors = x->errors;
    x->errors = NULL;
    call_reply_invalid(c, errors);
}

void ingest_reply_invalid(struct call *c, json_t *errors)
{
    bool bad = false;
    const char *key = call_idempotency_key(c, &bad);
    struct invalid_reply *x;
    char redis_key[IDEM_KEY_LEN];
    const char *argv[2];
    size_t lens[2];

    if (key == NULL || bad || (x = calloc(1, sizeof(*x))) == NULL) {
        call_reply_invalid(c, errors);
        return;
    }
    idem_redis_key(c, key, redis_key);
    idem_request_hash(c, x->hash);
    x->errors = errors;
    if (c->ctx != NULL && c->ctx_free != NULL)
        c->ctx_free(c->ctx);
    c->ctx = x;
    c->ctx_free = invalid_reply_free;
    argv[0] = "GET";
    argv[1] = redis_key;
    lens[0] = 3;
    lens[1] = strlen(redis_key);
    if (redis_link_command(c->thr->redis, on_key_looked_up, c, 2, argv, lens) < 0) {
        x->errors = NULL;
        call_reply_invalid(c, errors);
    }
}
