/*
 * ingest.c — the Lua script that queues partner writes, and its replies: the
 * writes of one loop turn of an HTTP thread go in one script call.
 */
#include "support/ingest.h"

#include <event2/event.h>
#include <event2/event_struct.h>
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

/* One call of the script serves every ingest call of one event-loop turn of one
 * HTTP thread, each a group of keys and arguments, so that Redis's fixed cost
 * of a script call (the command, the Lua call, the MULTI/EXEC that wraps its
 * effects in the AOF and the replicas' stream, the reply) is paid once for all
 * of them; the group's own work is what is left per request (BENCHMARKS.md,
 * "Ingest calls of one loop turn in one script call").
 * KEYS: 1 the stream, then per group: idempotency key or "", pending key or "",
 *       reference counter or "", the set of the object's idempotency records
 *       or "" (common/idem_key.h).
 * ARGV: 1 backlog max, 2 idempotency ttl, 3 pending ttl, then per group:
 *       request hash, response, meta, body, reference prefix, entry type,
 *       location, the object's id. The response holds ids, reference and status
 *       only: it is the idempotency record's body (SPEC §2: never a person's data).
 * Returns one reply per group, in order: {'ok', id, response}, {'dup', record},
 * {'full', ''}, or an error of its own (pcall: a group that fails does not
 * take the others' replies with it). Groups run in order, so a group sees
 * what the earlier ones wrote: the same Idempotency-Key twice in one call is
 * a replay the second time. The backlog bound is exact: XLEN once, counted on.
 * The reference is substituted only into texts built by the API (meta and
 * response), never into the partner's body, by a plain find: string.gsub
 * copied its subject a character at a time and tried the pattern at each, a
 * sixth of the script's time (BENCHMARKS.md). */
static const char script[] =
    "local function subst(s, ref)\n"
    "  local i = string.find(s, '@REF@', 1, true)\n"
    "  if not i then return s end\n"
    "  local parts, from = {}, 1\n"
    "  while i do\n"
    "    parts[#parts + 1] = string.sub(s, from, i - 1)\n"
    "    parts[#parts + 1] = ref\n"
    "    from = i + 5\n"
    "    i = string.find(s, '@REF@', from, true)\n"
    "  end\n"
    "  parts[#parts + 1] = string.sub(s, from)\n"
    "  return table.concat(parts)\n"
    "end\n"
    "local max = tonumber(ARGV[1])\n"
    "local ittl, pttl = tonumber(ARGV[2]), tonumber(ARGV[3])\n"
    "local len = -1\n"
    "local function group(k, a)\n"
    "  local idem = KEYS[k + 1]\n"
    "  if idem ~= '' then\n"
    "    local prev = redis.call('GET', idem)\n"
    "    if prev then return {'dup', prev} end\n"
    "  end\n"
    "  if max > 0 then\n"
    "    if len < 0 then len = redis.call('XLEN', KEYS[1]) end\n"
    "    if len >= max then return {'full', ''} end\n"
    "  end\n"
    "  local ref = ''\n"
    "  if KEYS[k + 3] ~= '' then\n"
    "    ref = ARGV[a + 5] .. string.format('%06d', redis.call('INCR', KEYS[k + 3]))\n"
    "  end\n"
    "  local resp = subst(ARGV[a + 2], ref)\n"
    "  local meta = subst(ARGV[a + 3], ref)\n"
    "  local id = redis.call('XADD', KEYS[1], '*', 'type', ARGV[a + 6], 'meta', meta,\n"
    "                        'body', ARGV[a + 4])\n"
    "  len = len + 1\n"
    "  if KEYS[k + 2] ~= '' then\n"
    "    redis.call('HSET', KEYS[k + 2], 'meta', meta, 'stream_id', id)\n"
    "    redis.call('EXPIRE', KEYS[k + 2], pttl)\n"
    "  end\n"
    "  if idem ~= '' then\n"
    "    redis.call('SET', idem, cjson.encode({h=ARGV[a + 1], s=202, l=ARGV[a + 7], b=resp,\n"
    "                                          o=ARGV[a + 8]}), 'EX', ittl)\n"
    "    if KEYS[k + 4] ~= '' then\n"
    "      redis.call('SADD', KEYS[k + 4], idem)\n"
    "      redis.call('EXPIRE', KEYS[k + 4], ittl)\n"
    "    end\n"
    "  end\n"
    "  return {'ok', id, resp}\n"
    "end\n"
    "local out = {}\n"
    "for g = 0, (#KEYS - 1) / 4 - 1 do\n"
    "  local ok, r = pcall(group, 1 + 4 * g, 3 + 8 * g)\n"
    "  if ok then out[g + 1] = r\n"
    "  elseif type(r) == 'table' and r.err then out[g + 1] = r\n"
    "  else out[g + 1] = {err = tostring(r)} end\n"
    "end\n"
    "return out\n";

static char script_sha[41];

/* The script call's shared arguments, the same for the process's life:
 * written once by ingest_init rather than on every call. */
static char arg_backlog[24], arg_ttl[16], arg_pttl[16];

/* Groups in one script call at most: a turn with more sends several. */
#define INGEST_BATCH_MAX 64
#define GROUP_KEYS 4
#define GROUP_ARGS 8
#define BATCH_ARGC (3 + 1 + GROUP_KEYS * INGEST_BATCH_MAX + 3 + GROUP_ARGS * INGEST_BATCH_MAX)

/* One ingest call: its group's strings, copied into the same allocation (the
 * caller's are gone once ingest_submit returns; NOSCRIPT sends them again) but
 * for the call's own body, which lives as long as the call; and what its
 * answer needs. The call owns it (c->ctx), freed with free(). */
struct pending_ingest {
    char hash[SHA256_HEX_LEN];
    char location[256];
    const char *argv[GROUP_KEYS + GROUP_ARGS];
    size_t lens[GROUP_KEYS + GROUP_ARGS];
    char strings[];           /* the copies argv points to */
};

/* Per HTTP thread (the loop alone touches it): the calls waiting to be sent.
 * They go at the end of the loop turn — flush_ev, made active at the first
 * call, runs after the turn's other callbacks have queued theirs — unless a
 * script call of the thread is still unanswered: then they wait for its
 * reply and go together (group commit: Redis fsyncs once per loop of its own,
 * so sending them earlier would only cut them into more script calls), or
 * sooner once INGEST_BATCH_MAX wait. */
struct ingest_thread {
    struct event flush_ev;
    bool ready;               /* flush_ev assigned to the thread's base */
    int n;
    struct call *calls[INGEST_BATCH_MAX];
    int sent;                 /* script calls sent, not yet answered */
    int waiting;              /* ingest calls queued or sent, not yet answered */
};

static struct ingest_thread *threads;
static int nthreads;

/* With replicas (several nodes), the script's reply is only half the answer:
 * WAIT follows it on the same connection and the calls are answered from the
 * WAIT's reply, with the script's outcome kept here meanwhile. */
enum script_outcome {
    SCRIPT_NONE,     /* no reply yet */
    SCRIPT_LOST,     /* connection lost: NULL */
    SCRIPT_NOSCRIPT, /* the script must be sent whole */
    SCRIPT_REPLY,    /* a reply to act on: kept in kept_reply */
};

/* One script call under way: the privdata of its Redis callbacks. Its calls
 * stay valid until answered: nothing but this file replies to them (a client
 * that left meanwhile keeps its request alive in evhttp until the reply). */
struct ingest_batch {
    struct ingest_thread *t;
    struct http_thread *thr;
    int n;
    struct call *calls[INGEST_BATCH_MAX];
    int acks;                 /* replica acknowledgements needed (0: single node) */
    enum script_outcome outcome;
    redisReply *kept_reply;   /* the script's reply, copied (hiredis frees its own) */
};

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

static void reply_unavailable(struct call *c, const char *why)
{
    c->retry_after = 1;
    call_reply_problem(c, 503, "Service indisponible", why, NULL);
}

static void reply_redis_down(struct call *c)
{
    metrics_ingest(INGEST_REDIS_DOWN);
    reply_unavailable(c, "La file d'attente (Redis) est injoignable ; rien n'a été "
                         "enregistré, réessayez.");
}

/* Answer the call from its group's part of the script's reply (NULL: the
 * connection was lost). */
static void answer(struct call *c, const redisReply *reply)
{
    struct pending_ingest *pi = c->ctx;

    if (reply == NULL) {
        reply_redis_down(c);
        return;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
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

static void thread_flush(struct ingest_thread *t, struct http_thread *thr);

/* The batch's calls are answered: free it, and send the calls that waited
 * for it (also when the link is being freed: they are then failed at once
 * and answered 503 while evhttp still stands). */
static void batch_free(struct ingest_batch *b)
{
    struct ingest_thread *t = b->t;
    struct http_thread *thr = b->thr;

    t->waiting -= b->n;
    t->sent--;
    if (b->kept_reply != NULL)
        freeReplyObject(b->kept_reply);
    free(b);
    if (t->sent == 0 && t->n > 0)
        thread_flush(t, thr);
}

/* Every call of the batch answered 503, nothing claimed (NULL: Redis lost). */
static void batch_fail(struct ingest_batch *b)
{
    for (int i = 0; i < b->n; i++)
        reply_redis_down(b->calls[i]);
    batch_free(b);
}

/* Each call answered from its own part of the script's reply, then the batch
 * freed. wait_short: on several nodes, WAIT counted too few replicas — then a
 * call the script accepted or replayed gets 503 instead (its 202 would claim a
 * copy that may be lost; docs/high-availability.md). */
static void batch_answer(struct ingest_batch *b, const redisReply *reply, bool wait_short)
{
    if (reply->type == REDIS_REPLY_ERROR) { /* the whole call refused: each is told */
        for (int i = 0; i < b->n; i++)
            answer(b->calls[i], reply);
        batch_free(b);
        return;
    }
    for (int i = 0; i < b->n; i++) {
        struct call *c = b->calls[i];
        const redisReply *r;

        if (reply->type != REDIS_REPLY_ARRAY || reply->elements != (size_t)b->n) {
            reply_unavailable(c, "Réponse inattendue de la file d'attente.");
            continue;
        }
        r = reply->element[i];
        if (wait_short && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
            r->element[0]->type == REDIS_REPLY_STRING &&
            (strcmp(r->element[0]->str, "ok") == 0 || strcmp(r->element[0]->str, "dup") == 0)) {
            metrics_ingest(INGEST_REDIS_DOWN);
            reply_unavailable(c, "La file d'attente n'a pas pu copier la demande sur assez de "
                                 "nœuds ; réessayez avec la même clé d'idempotence.");
            continue;
        }
        answer(c, r);
    }
    batch_free(b);
}

static void batch_send(struct ingest_batch *b, bool by_sha);

/* Single node: the script's reply is the answer (AOF fsynced before it). */
static void on_reply(redisReply *reply, void *priv)
{
    struct ingest_batch *b = priv;

    if (reply == NULL) {
        batch_fail(b);
        return;
    }
    if (reply->type == REDIS_REPLY_ERROR && strncmp(reply->str, "NOSCRIPT", 8) == 0) {
        batch_send(b, false);
        return;
    }
    batch_answer(b, reply, false);
}

/* Several nodes: keep the script's reply for the WAIT that follows. */
static void on_script_reply(redisReply *reply, void *priv)
{
    struct ingest_batch *b = priv;

    if (b->acks < 0) {
        batch_fail(b); /* its WAIT could not be sent */
        return;
    }
    if (reply == NULL) {
        b->outcome = SCRIPT_LOST;
    } else if (reply->type == REDIS_REPLY_ERROR && strncmp(reply->str, "NOSCRIPT", 8) == 0) {
        b->outcome = SCRIPT_NOSCRIPT;
    } else {
        b->kept_reply = reply_copy(reply);
        b->outcome = b->kept_reply != NULL ? SCRIPT_REPLY : SCRIPT_LOST;
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
    struct ingest_batch *b = priv;
    bool short_acks;

    if (b->outcome == SCRIPT_NOSCRIPT && reply != NULL) {
        b->outcome = SCRIPT_NONE;
        batch_send(b, false);
        return;
    }
    if (b->outcome != SCRIPT_REPLY || reply == NULL) {
        batch_fail(b);
        return;
    }
    short_acks = reply->type != REDIS_REPLY_INTEGER || reply->integer < b->acks;
    if (short_acks)
        log_warn("ingest: %lld of %d replica acknowledgements within %d ms; answering 503",
                 reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1LL, b->acks,
                 PRIMARY_WAIT_MS);
    batch_answer(b, b->kept_reply, short_acks);
}

/* Send the batch's script call (EVALSHA, or the script whole after NOSCRIPT),
 * followed on several nodes by its WAIT. */
static void batch_send(struct ingest_batch *b, bool by_sha)
{
    struct redis_link *link = b->thr->redis;
    char nkeys[16];
    const char *argv[BATCH_ARGC];
    size_t lens[BATCH_ARGC];
    int argc = 0;

    snprintf(nkeys, sizeof(nkeys), "%d", 1 + GROUP_KEYS * b->n);
#define ARG(s, n) (argv[argc] = (s), lens[argc++] = (n))
    ARG(by_sha ? "EVALSHA" : "EVAL", by_sha ? 7 : 4);
    ARG(by_sha ? script_sha : script, by_sha ? 40 : sizeof(script) - 1);
    ARG(nkeys, strlen(nkeys));
    ARG(STREAM_INGEST, strlen(STREAM_INGEST));
    for (int i = 0; i < b->n; i++) {
        struct pending_ingest *pi = b->calls[i]->ctx;

        for (int k = 0; k < GROUP_KEYS; k++)
            ARG(pi->argv[k], pi->lens[k]);
    }
    ARG(arg_backlog, strlen(arg_backlog));
    ARG(arg_ttl, strlen(arg_ttl));
    ARG(arg_pttl, strlen(arg_pttl));
    for (int i = 0; i < b->n; i++) {
        struct pending_ingest *pi = b->calls[i]->ctx;

        for (int k = GROUP_KEYS; k < GROUP_KEYS + GROUP_ARGS; k++)
            ARG(pi->argv[k], pi->lens[k]);
    }
#undef ARG
    b->acks = primary_required_acks();
    if (redis_link_command(link, b->acks == 0 ? on_reply : on_script_reply, b, argc, argv,
                           lens) < 0) {
        batch_fail(b);
        return;
    }
    if (b->acks > 0) {
        char n[16], ms[16];
        const char *wargv[3] = {"WAIT", n, ms};
        size_t wlens[3];

        snprintf(n, sizeof(n), "%d", b->acks);
        snprintf(ms, sizeof(ms), "%d", PRIMARY_WAIT_MS);
        wlens[0] = 4;
        wlens[1] = strlen(n);
        wlens[2] = strlen(ms);
        /* pipelined right behind the script, so it covers the script's
         * writes. Refused (out of memory): nothing was confirmed, so the
         * script's callback, still to come, answers 503 (acks < 0). */
        if (redis_link_command(link, on_wait_reply, b, 3, wargv, wlens) < 0)
            b->acks = -1;
    }
}

/* Send the calls queued on t as one script call. */
static void thread_flush(struct ingest_thread *t, struct http_thread *thr)
{
    struct ingest_batch *b;

    if (t->n == 0)
        return;
    b = malloc(sizeof(*b));
    if (b == NULL) {
        for (int i = 0; i < t->n; i++) {
            t->waiting--;
            reply_unavailable(t->calls[i], "Mémoire insuffisante.");
        }
        t->n = 0;
        return;
    }
    b->t = t;
    b->thr = thr;
    b->n = t->n;
    memcpy(b->calls, t->calls, sizeof(*b->calls) * (size_t)t->n);
    b->acks = 0;
    b->outcome = SCRIPT_NONE;
    b->kept_reply = NULL;
    t->n = 0;
    t->sent++;
    batch_send(b, true);
}

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
    struct http_thread *thr = arg;

    (void)fd;
    (void)what;
    thread_flush(&threads[thr->index], thr);
}

/* Queue c (its pending_ingest in c->ctx) to be sent with the calls of its turn. */
static void thread_queue(struct call *c)
{
    struct http_thread *thr = c->thr;
    struct ingest_thread *t = &threads[thr->index];

    if (!t->ready) {
        event_assign(&t->flush_ev, thr->base, -1, 0, on_flush, thr);
        t->ready = true;
    }
    if (t->n == INGEST_BATCH_MAX)
        thread_flush(t, thr);
    t->calls[t->n++] = c;
    t->waiting++;
    if (t->n == 1 && t->sent == 0)
        event_active(&t->flush_ev, 0, 0);
}

void ingest_init(void)
{
    unsigned char md[20];

    nthreads = g_config.http_threads;
    threads = calloc((size_t)nthreads, sizeof(*threads));
    if (threads == NULL) {
        log_error("ingest: out of memory");
        abort();
    }

    snprintf(arg_backlog, sizeof(arg_backlog), "%ld", g_config.ingest_backlog_max);
    snprintf(arg_ttl, sizeof(arg_ttl), "%d", IDEM_TTL_SECONDS);
    snprintf(arg_pttl, sizeof(arg_pttl), "%d", STREAM_PENDING_TTL_SECONDS);
    /* Redis names scripts by their SHA-1 */
    SHA1((const unsigned char *)script, sizeof(script) - 1, md);
    for (int i = 0; i < 20; i++)
        snprintf(script_sha + 2 * i, 3, "%02x", md[i]);
}

void ingest_free(void)
{
    /* the loops are gone: each turn flushed its calls, and the links failed
     * the batches still waiting (their flush events are neither pending nor
     * active, so nothing of libevent's points at them) */
    free(threads);
    threads = NULL;
    nthreads = 0;
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
    bool bad = false;
    const char *key = call_idempotency_key(c, &bad);
    char idem_key[IDEM_KEY_LEN] = "", object_key[IDEM_OBJECT_KEY_LEN] = "";
    char hash[SHA256_HEX_LEN] = "";
    const char *vals[GROUP_KEYS + GROUP_ARGS];
    size_t total = 0;
    struct ingest_thread *t = &threads[c->thr->index];
    struct pending_ingest *pi;
    char *p;
    bool borrowed = r->body != NULL && r->body == c->body;

    if (bad) {
        call_reply_problem(c, 400, "En-tête invalide",
                           "Idempotency-Key doit compter de 1 à 128 caractères ASCII visibles.",
                           NULL);
        return;
    }
    /* refused before anything is built: the bound counts calls, as when each
     * had its own command — those of this thread queued or sent, plus the
     * link's other commands */
    if (t->waiting + redis_link_inflight(c->thr->redis) >= g_config.ingest_inflight_max) {
        metrics_ingest(INGEST_REFUSED_BACKLOG);
        c->retry_after = 1;
        call_reply_problem(c, 503, "Service surchargé",
                           "Trop de demandes en cours ; rien n'a été enregistré, réessayez.",
                           NULL);
        return;
    }
    /* The request's hash only serves the idempotency record: without a key,
     * hashing every body was a few percent of the ingest path's time for
     * nothing (profile in docs/BENCHMARKS.md); the hash stays "". */
    if (key != NULL) {
        idem_redis_key(c, key, idem_key);
        if (r->hash != NULL)
            memcpy(hash, r->hash, sizeof(hash));
        else
            idem_request_hash(c, hash);
        idem_object_key(r->object_id, object_key);
    }
    /* the group's keys, then its arguments, in the script's order */
    vals[0] = idem_key;
    vals[1] = r->pending_key ? r->pending_key : "";
    vals[2] = r->refseq_key ? r->refseq_key : "";
    vals[3] = object_key;
    vals[4] = hash;
    vals[5] = r->response;
    vals[6] = r->meta;
    vals[7] = r->body;
    vals[8] = r->ref_prefix ? r->ref_prefix : "";
    vals[9] = r->type;
    vals[10] = r->location;
    vals[11] = r->object_id ? r->object_id : "";
    for (int i = 0; i < GROUP_KEYS + GROUP_ARGS; i++)
        if (!(i == 7 && borrowed))
            total += (i == 7 ? r->body_len : strlen(vals[i])) + 1;
    pi = malloc(sizeof(*pi) + total);
    if (pi == NULL) {
        reply_unavailable(c, "Mémoire insuffisante.");
        return;
    }
    memcpy(pi->hash, hash, sizeof(pi->hash));
    snprintf(pi->location, sizeof(pi->location), "%s", r->location);
    p = pi->strings;
    for (int i = 0; i < GROUP_KEYS + GROUP_ARGS; i++) {
        pi->lens[i] = i == 7 ? r->body_len : strlen(vals[i]);
        if (i == 7 && borrowed) {
            pi->argv[i] = c->body; /* the call's own body lives as long as the call */
            continue;
        }
        memcpy(p, vals[i], pi->lens[i]);
        p[pi->lens[i]] = '\0';
        pi->argv[i] = p;
        p += pi->lens[i] + 1;
    }
    /* the caller's scratch is no longer needed once its strings are copied */
    if (c->ctx != NULL && c->ctx_free != NULL)
        c->ctx_free(c->ctx);
    c->ctx = pi;
    c->ctx_free = free;
    thread_queue(c);
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
