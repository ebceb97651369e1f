/*
 * idempotency.c — reserve, replay and record Idempotency-Key responses.
 */
#include "idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void idem_request_hash(const struct call *c, char out[SHA256_HEX_LEN])
{
    const void *parts[5] = {c->method, " ", c->path, "\n", c->body ? c->body : ""};
    size_t lens[5] = {strlen(c->method), 1, strlen(c->path), 1, c->body ? c->body_len : 0};

    sha256_hex_parts(out, 5, parts, lens);
}

void idem_redis_key(const struct call *c, const char *key, char *out, size_t len)
{
    char scope[200];

    call_scope(c, scope, sizeof(scope));
    snprintf(out, len, "epart:idem:%s:%s", scope, key);
}

char *idem_record(const char *hash, int status, const char *location, const char *body)
{
    json_t *rec = json_pack("{s:s, s:i, s:s, s:s}", "h", hash, "s", status, "l",
                            location ? location : "", "b", body ? body : "");
    char *text = json_text(rec);

    json_decref(rec);
    return text;
}

bool idem_replay(struct call *c, const char *record, size_t len)
{
    json_t *rec = json_loadb(record, len, 0, NULL);
    const char *body = json_str(rec, "b");
    const char *loc = json_str(rec, "l");
    json_t *doc;
    int status = (int)json_integer_value(json_object_get(rec, "s"));

    if (rec == NULL || body == NULL || status <= 0) {
        json_decref(rec);
        return false;
    }
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
    json_decref(rec);
    return true;
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
    char redis_key[400], hash[SHA256_HEX_LEN];
    redisReply *r;
    bool reused = false;

    if (key != NULL && !bad && rc != NULL) {
        idem_redis_key(c, key, redis_key, sizeof(redis_key));
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

bool idem_begin(struct idem *id, struct call *c, redisContext *rc)
{
    bool bad = false;
    const char *key = call_idempotency_key(c, &bad);
    redisReply *r;
    char *pending;

    id->active = false;
    if (bad) {
        call_set_problem(c, 400, "En-tête invalide",
                         "Idempotency-Key doit compter de 1 à 128 caractères ASCII visibles.",
                         NULL);
        return false;
    }
    if (key == NULL)
        return true;
    if (rc == NULL) {
        call_set_unavailable(c, "Le stockage des clés d'idempotence");
        return false;
    }
    idem_redis_key(c, key, id->redis_key, sizeof(id->redis_key));
    idem_request_hash(c, id->hash);
    pending = idem_record(id->hash, 0, "", "");
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
        id->active = true;
        return true;
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
        int status = (int)json_integer_value(json_object_get(rec, "s"));

        if (idem_hash_differs(rec, id->hash))
            idem_set_reused(c);
        else if (status == 0)
            call_set_problem(c, 409, "Requête en cours",
                             "La première requête portant cette clé d'idempotence est encore en "
                             "cours de traitement.",
                             NULL);
        else if (!idem_replay(c, r->str, r->len))
            call_set_problem(c, 500, "Erreur interne", "Réponse mémorisée illisible.", NULL);
        json_decref(rec);
    }
    freeReplyObject(r);
    return false;
}

void idem_end(struct idem *id, struct call *c, redisContext *rc)
{
    redisReply *r;

    if (!id->active)
        return;
    id->active = false;
    if (rc == NULL)
        return; /* the reservation expires with its TTL */
    if (c->status >= 200 && c->status < 500 && c->status != 409 && c->status != 412 &&
        c->status != 429) {
        char *body = c->reply_json ? json_text(c->reply_json) : NULL;
        char *rec = idem_record(id->hash, c->status, c->location, body ? body : "");

        r = redisCommand(rc, "SET %s %s EX %d", id->redis_key, rec, IDEM_TTL_SECONDS);
        free(body);
        free(rec);
    } else {
        r = redisCommand(rc, "DEL %s", id->redis_key);
    }
    if (r != NULL)
        freeReplyObject(r);
}
