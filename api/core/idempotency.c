/*
 * idempotency.c — reserve, replay and record Idempotency-Key responses.
 */
#include "core/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "redis_primary.h"
#include "store/idempotency_records.h"
#include "core/dbpool.h"

/* What a recorded 2xx body may keep: ids, reference, status codes, version. */
static const char *const kept_fields[] = {"id", "client_id", "reference", "status", "version",
                                          "org", "dossier", "received_at", "sent_at", NULL};

void idem_request_hash(const struct call *c, char out[SHA256_HEX_LEN])
{
    const void *parts[5] = {c->method, " ", c->path, "\n", c->body ? c->body : ""};
    size_t lens[5] = {strlen(c->method), 1, strlen(c->path), 1, c->body ? c->body_len : 0};

    sha256_hex_parts(out, 5, parts, lens);
}

void idem_redis_key(const struct call *c, const char *key, char out[IDEM_KEY_LEN])
{
    const char *id = NULL;
    const char *kind = call_scope_parts(c, &id);

    idem_key_name(kind, id ? id : "", key, out);
}

/* The body a record keeps of reply doc for status: for a 2xx only its ids (a
 * document is read again at replay); a problem whole (it names fields, never
 * their values). */
static json_t *kept_body(int status, const json_t *doc)
{
    json_t *kept;

    if (!json_is_object(doc))
        return json_object();
    if (status >= 400)
        return json_deep_copy(doc);
    kept = json_object();
    for (int i = 0; kept_fields[i] != NULL; i++) {
        json_t *v = json_object_get(doc, kept_fields[i]);

        if (json_is_string(v) || json_is_integer(v))
            json_object_set(kept, kept_fields[i], v);
    }
    return kept;
}

/* The object a 2xx answer concerns: its "id", or an API client's "client_id". */
static const char *answer_object(const json_t *doc)
{
    const char *o = json_string_value(json_object_get(doc, "id"));

    return o != NULL ? o : json_string_value(json_object_get(doc, "client_id"));
}

bool idem_replay(struct call *c, const json_t *rec)
{
    const char *body = json_string_value(json_object_get(rec, "b"));
    const char *loc = json_string_value(json_object_get(rec, "l"));
    int status = (int)json_integer_value(json_object_get(rec, "s"));
    json_t *doc;

    if (rec == NULL || body == NULL || status <= 0)
        return false;
    doc = json_loads(body, JSON_DECODE_ANY, NULL);
    if (loc != NULL)
        snprintf(c->location, sizeof(c->location), "%s", loc);
    if (doc != NULL) {
        json_t *v = json_object_get(doc, "version");

        if (json_is_integer(v))
            c->etag_version = (int)json_integer_value(v);
        call_set_json(c, status, doc);
    } else {
        call_set_raw(c, status, "application/json", body, strlen(body));
    }
    return true;
}

/* Replay rec for c: the document read again when there is one to read, else
 * the recorded ids. */
static void replay(struct call *c, struct db *db, idem_reread_fn reread, const json_t *rec)
{
    int status = (int)json_integer_value(json_object_get(rec, "s"));
    const char *loc = json_string_value(json_object_get(rec, "l"));
    const char *object = json_string_value(json_object_get(rec, "o"));

    if (reread != NULL && status >= 200 && status < 300 && object != NULL &&
        reread(c, db, object) && c->status >= 200 && c->status < 300) {
        c->status = status;
        if (loc != NULL)
            snprintf(c->location, sizeof(c->location), "%s", loc);
        return;
    }
    if (c->status != 0 && c->status >= 500)
        return; /* the reread could not say: its 503 stands */
    if (!idem_replay(c, rec))
        call_set_problem(c, 500, "Erreur interne", "Réponse mémorisée illisible.", NULL);
}

/* ---- the durable copy (PostgreSQL) ------------------------------------------ */

/* The record of key kept in PostgreSQL, parsed; NULL when there is none or,
 * with *failed, when PostgreSQL could not say. */
static json_t *durable_lookup(PGconn *pg, const char *key, bool *failed)
{
    *failed = pg == NULL;
    return pg != NULL ? idempotency_records_get(pg, key, IDEM_TTL_SECONDS, failed) : NULL;
}

enum durable {
    DURABLE_KEPT,   /* inserted (and committed with the handler's writes) */
    DURABLE_OTHER,  /* another attempt of the key committed its record first */
    DURABLE_FAILED, /* PostgreSQL failed: nothing of this attempt is committed */
};

/* Insert the record text of id (about object, or NULL) into PostgreSQL and
 * commit the transaction idem_begin opened. DURABLE_OTHER sets *other to the
 * record that won; this attempt's writes are then rolled back. */
static enum durable durable_record(struct idem *id, PGconn *pg, int status, const char *text,
                                   const char *object, json_t **other)
{
    bool own = id->own_tx, failed;
    int inserted;

    id->own_tx = false;
    *other = NULL;
    if (pg == NULL)
        return DURABLE_FAILED;
    if (own && PQtransactionStatus(pg) != PQTRANS_INTRANS) {
        /* a statement of the handler failed: a success cannot stand on it, a
         * 4xx (nothing written) is recorded on its own */
        db_rollback(pg);
        if (status < 300)
            return DURABLE_FAILED;
        own = false;
    }
    /* a row past its 24 hours, not yet deleted, is a key seen anew */
    inserted = idempotency_records_put(pg, id->redis_key, text, object, IDEM_TTL_SECONDS);
    if (inserted < 0) {
        if (own)
            db_rollback(pg);
        return DURABLE_FAILED;
    }
    if (inserted == 0) {
        /* the INSERT waited for the other attempt's COMMIT: its record wins */
        if (own)
            db_rollback(pg);
        *other = durable_lookup(pg, id->redis_key, &failed);
        return *other != NULL ? DURABLE_OTHER : DURABLE_FAILED;
    }
    if (own && db_commit(pg) < 0)
        return DURABLE_FAILED;
    return DURABLE_KEPT;
}

void idem_note_secret_withheld(json_t *doc, const char *field, const char *what)
{
    char note[400];

    if (!json_is_object(doc))
        return;
    snprintf(note, sizeof(note),
             "Réponse rejouée (même Idempotency-Key) : le secret n'est montré qu'une fois, à la "
             "création, et n'est conservé nulle part en clair. S'il a été perdu, %s.",
             what);
    json_object_del(doc, field);
    json_object_set_new(doc, "replayed", json_true());
    json_object_set_new(doc, "note", json_string(note));
}

void idem_set_reused(struct call *c)
{
    json_t *errors = json_array();

    json_array_append_new(errors, json_pack("{s:s, s:s, s:s}", "field", "Idempotency-Key", "code",
                                            "idempotency_key_reused", "message",
                                            "Cette clé d'idempotence a déjà servi pour une "
                                            "requête différente."));
    call_set_problem(c, 422, "Clé d'idempotence réutilisée",
                     "La même clé Idempotency-Key a été envoyée avec un autre corps.", errors);
}

bool idem_hash_differs(const json_t *rec, const char *hash)
{
    const char *h = json_str(rec, "h");

    return h == NULL || strcmp(h, hash) != 0;
}

void idem_set_invalid(struct call *c, redisContext *rc, json_t *errors)
{
    bool bad = false;
    const char *key = call_idempotency_key(c, &bad);
    char redis_key[IDEM_KEY_LEN], hash[SHA256_HEX_LEN];
    redisReply *r;
    bool reused = false;

    if (key != NULL && !bad && rc != NULL) {
        idem_redis_key(c, key, redis_key);
        idem_request_hash(c, hash);
        r = redisCommand(rc, "GET %s", redis_key);
        if (r != NULL && r->type == REDIS_REPLY_STRING) {
            json_t *rec = json_loadb(r->str, r->len, 0, NULL);

            reused = idem_hash_differs(rec, hash);
            json_decref(rec);
        }
        if (r != NULL)
            freeReplyObject(r);
    }
    if (reused) {
        json_decref(errors);
        idem_set_reused(c);
    } else {
        /* no key, a key never seen, or Redis silent: the body's own errors */
        call_set_invalid(c, errors);
    }
}

static void set_bad_key(struct call *c)
{
    call_set_problem(c, 400, "En-tête invalide",
                     "Idempotency-Key doit compter de 1 à 128 caractères ASCII visibles.", NULL);
}

bool idem_lookup(struct call *c, struct db *db)
{
    bool bad = false;
    const char *key = call_idempotency_key(c, &bad);
    redisContext *rc;
    char redis_key[IDEM_KEY_LEN], hash[SHA256_HEX_LEN];
    redisReply *r;
    json_t *rec;

    if (bad) {
        set_bad_key(c);
        return true;
    }
    if (key == NULL || (rc = db_redis(db)) == NULL)
        return false;
    idem_redis_key(c, key, redis_key);
    r = redisCommand(rc, "GET %s", redis_key);
    if (r == NULL || r->type != REDIS_REPLY_STRING) {
        if (r != NULL)
            freeReplyObject(r);
        return false;
    }
    idem_request_hash(c, hash);
    rec = json_loadb(r->str, r->len, 0, NULL);
    freeReplyObject(r);
    if (idem_hash_differs(rec, hash))
        idem_set_reused(c);
    else if (!idem_replay(c, rec))
        call_set_problem(c, 500, "Erreur interne", "Réponse mémorisée illisible.", NULL);
    json_decref(rec);
    return true;
}

/* Set c's reply from the record rec found under id's key. */
static void answer_recorded(const struct idem *id, struct call *c, struct db *db,
                            const json_t *rec)
{
    if (idem_hash_differs(rec, id->hash))
        idem_set_reused(c);
    else if ((int)json_integer_value(json_object_get(rec, "s")) == 0)
        call_set_problem(c, 409, "Requête en cours",
                         "La première requête portant cette clé d'idempotence est encore en "
                         "cours de traitement.",
                         NULL);
    else
        replay(c, db, id->reread, rec);
}

/* Put rec back in Redis under key (replacing a reservation). */
static void redis_put(redisContext *rc, const char *key, const json_t *rec)
{
    char *text = json_text(rec);
    redisReply *r;

    if (rc != NULL && text != NULL) {
        r = redisCommand(rc, "SET %s %s EX %d", key, text, IDEM_TTL_SECONDS);
        if (r != NULL)
            freeReplyObject(r);
    }
    free(text);
}

/* Drop the reservation of key, so that a retry can run. */
static void redis_release(redisContext *rc, const char *key)
{
    redisReply *r;

    if (rc == NULL)
        return;
    r = redisCommand(rc, "DEL %s", key);
    if (r != NULL)
        freeReplyObject(r);
}

/* Redis has just reserved id's key for c: PostgreSQL may know it all the same
 * (its Redis record lost in a failover after the first attempt committed).
 * Else the handler runs inside a transaction that idem_end() commits. */
static bool reserved(struct idem *id, struct call *c, struct db *db)
{
    bool failed;
    json_t *rec = durable_lookup(db->pg, id->redis_key, &failed);

    if (rec != NULL) {
        answer_recorded(id, c, db, rec);
        redis_put(db_redis(db), id->redis_key, rec);
        json_decref(rec);
        return false;
    }
    if (!failed && PQtransactionStatus(db->pg) == PQTRANS_IDLE) {
        failed = db_begin(db->pg) < 0;
        id->own_tx = !failed;
    }
    if (failed) {
        call_set_unavailable(c, "La base de données");
        redis_release(db_redis(db), id->redis_key);
        return false;
    }
    id->active = true;
    return true;
}

bool idem_reread_reply(struct call *c, json_t *doc, bool failed)
{
    if (doc == NULL) {
        if (failed)
            call_set_unavailable(c, "La base de données");
        return false;
    }
    call_set_doc(c, 200, doc);
    return true;
}

bool idem_begin(struct idem *id, struct call *c, struct db *db, idem_reread_fn reread)
{
    bool bad = false;
    const char *key = call_idempotency_key(c, &bad);
    redisContext *rc;
    redisReply *r;
    char *pending;

    id->active = false;
    id->own_tx = false;
    id->reread = reread;
    if (bad) {
        set_bad_key(c);
        return false;
    }
    if (key == NULL)
        return true;
    rc = db_redis(db);
    if (rc == NULL) {
        call_set_unavailable(c, "Le stockage des clés d'idempotence");
        return false;
    }
    idem_redis_key(c, key, id->redis_key);
    idem_request_hash(c, id->hash);
    {
        json_t *p = json_pack("{s:s, s:i}", "h", id->hash, "s", 0);

        pending = json_text(p);
        json_decref(p);
    }
    r = redisCommand(rc, "SET %s %s NX EX %d", id->redis_key, pending, IDEM_TTL_SECONDS);
    free(pending);
    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        if (r != NULL)
            freeReplyObject(r);
        call_set_unavailable(c, "Le stockage des clés d'idempotence");
        return false;
    }
    if (r->type == REDIS_REPLY_STATUS) {
        freeReplyObject(r);
        return reserved(id, c, db);
    }
    freeReplyObject(r);
    r = redisCommand(rc, "GET %s", id->redis_key);
    if (r == NULL || r->type != REDIS_REPLY_STRING) {
        if (r != NULL)
            freeReplyObject(r);
        call_set_problem(c, 409, "Requête en cours",
                         "Une requête avec cette clé d'idempotence vient de se terminer ; "
                         "réessayez.",
                         NULL);
        return false;
    }
    {
        json_t *rec = json_loadb(r->str, r->len, 0, NULL);

        freeReplyObject(r);
        answer_recorded(id, c, db, rec);
        json_decref(rec);
    }
    return false;
}

void idem_end(struct idem *id, struct call *c, struct db *db)
{
    redisContext *rc;
    redisReply *r;
    json_t *kept, *rec, *other = NULL;
    const char *object;
    char object_key[IDEM_OBJECT_KEY_LEN] = "";
    char *body, *text;
    int acks;

    if (!id->active)
        return;
    id->active = false;
    rc = db_redis(db);
    if (c->status < 200 || c->status >= 500 || c->status == 409 || c->status == 412 ||
        c->status == 429) {
        /* nothing to record: the handler's writes, if any, go; a retry runs */
        if (id->own_tx)
            db_rollback(db->pg);
        id->own_tx = false;
        redis_release(rc, id->redis_key);
        return;
    }
    kept = kept_body(c->status, c->reply_json);
    object = c->status < 300 ? answer_object(c->reply_json) : NULL;
    body = json_text(kept);
    rec = json_pack("{s:s, s:i, s:s, s:s}", "h", id->hash, "s", c->status, "l", c->location, "b",
                    body ? body : "{}");
    if (object != NULL && idem_object_key(object, object_key))
        json_object_set_new(rec, "o", json_string(object));
    else
        object = NULL;
    text = json_text(rec);
    switch (durable_record(id, db->pg, c->status, text ? text : "{}", object, &other)) {
    case DURABLE_KEPT:
        break;
    case DURABLE_OTHER:
        /* a retry of this key, on another node, committed first: its answer */
        answer_recorded(id, c, db, other);
        free(text);
        text = json_text(other);
        object = json_str(other, "o");
        if (object == NULL || !idem_object_key(object, object_key))
            object = NULL;
        break;
    case DURABLE_FAILED:
        c->location[0] = '\0';
        c->etag_version = 0;
        call_set_unavailable(c, "La base de données");
        redis_release(rc, id->redis_key);
        goto out;
    }
    if (rc == NULL)
        goto out; /* the reservation expires with its TTL; PostgreSQL has the record */
    r = redisCommand(rc, "SET %s %s EX %d", id->redis_key, text ? text : "{}", IDEM_TTL_SECONDS);
    if (r != NULL)
        freeReplyObject(r);
    /* Several nodes: the record on the replicas before the answer, as ingest
     * does (docs/high-availability.md); were it lost all the same, the retry
     * finds it in PostgreSQL. */
    acks = primary_required_acks();
    if (acks > 0) {
        r = redisCommand(rc, "WAIT %d %d", acks, PRIMARY_WAIT_MS);
        if (r == NULL || r->type != REDIS_REPLY_INTEGER || r->integer < acks)
            log_info("idempotency: record not yet on the replicas (PostgreSQL has it)");
        if (r != NULL)
            freeReplyObject(r);
    }
    /* listed under its object, for the retention purge (SPEC §10) */
    if (object != NULL) {
        redisAppendCommand(rc, "SADD %s %s", object_key, id->redis_key);
        redisAppendCommand(rc, "EXPIRE %s %d", object_key, IDEM_TTL_SECONDS);
        for (int i = 0; i < 2; i++) {
            r = NULL;
            if (redisGetReply(rc, (void **)&r) != REDIS_OK)
                break;
            freeReplyObject(r);
        }
    }
out:
    json_decref(kept);
    json_decref(rec);
    json_decref(other);
    free(body);
    free(text);
}
