/*
 * orgcache.h — the organisations as the ingest path sees them.
 *
 * Every partner call needs its organisation (convention in force, kind,
 * habilitation, caisse), and POST /v1/dossiers must check it without PostgreSQL
 * (SPEC §1). The API therefore mirrors each organisation in Redis under
 * "epart:org:<id>" whenever it writes one, and keeps a short-lived in-process
 * copy so that the hot path rarely asks Redis at all. Reading an organisation
 * from PostgreSQL lives here too: the cache's last resort and the handlers of
 * resources/organisations.c and clients.c read it the same way.
 */
#ifndef EPART_API_ORGCACHE_H
#define EPART_API_ORGCACHE_H

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "core/server.h"

#define ORGCACHE_REDIS_PREFIX "epart:org:"

/* The organisation id as the API shows it (epart_organisation_doc), read from
 * PostgreSQL; NULL when unknown (or on error: check PQstatus). */
json_t *organisation_load(PGconn *pg, const char *id);

/* Every organisation (an array), or NULL on error. */
json_t *organisation_load_all(PGconn *pg);

/* The cached organisation document (new reference) when it was fetched less
 * than max_age_ms ago, else NULL. */
json_t *orgcache_get(const char *id, int max_age_ms);

/* Remember org (its "id" member is the key); takes no reference from the caller. */
void orgcache_put(json_t *org);

/* Write org into the Redis mirror with the blocking context rc and into the
 * local cache. Returns 0, or -1 when Redis refused it. */
int orgcache_publish(redisContext *rc, json_t *org);

/* Resolve the partner's organisation into c->org, then call next(c) on the
 * call's HTTP thread; c->org stays NULL when the organisation is unknown. Uses
 * the local cache, then Redis, then PostgreSQL. Replies 503 itself when none of
 * them can answer. */
void orgcache_resolve(struct call *c, void (*next)(struct call *c));

/* Copy every organisation of PostgreSQL into the Redis mirror (start-up). */
int orgcache_sync_all(void);

#endif
