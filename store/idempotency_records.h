/*
 * idempotency_records.h — the SQL of the table idempotency_records
 * (sql/020_idempotency_records.sql: the durable copy of the Idempotency-Key
 * records of the writes that go straight to PostgreSQL), its one home: the
 * API inserts a record in its write's transaction and reads it when Redis
 * does not know the key (api/core/idempotency.c), the worker's retention pass
 * deletes the expired ones (worker/retention.c). A record lives ttl seconds
 * (IDEM_TTL_SECONDS, common/idem_key.h), as its Redis copy does. The
 * conventions of store/ are at the top of store/deadlines.h.
 */
#ifndef EPART_STORE_IDEMPOTENCY_RECORDS_H
#define EPART_STORE_IDEMPOTENCY_RECORDS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

/* The record of key younger than ttl seconds, parsed; NULL when there is none.
 * On failure NULL with *failed set. */
json_t *idempotency_records_get(PGconn *pg, const char *key, int ttl, bool *failed);

/* Keep record (a JSON text) under key, about object (NULL: none), unless a
 * record of key younger than ttl seconds is kept already (an older one is
 * replaced: a key seen anew): 1 when it was kept, 0 when another was, -1 on
 * failure. */
int idempotency_records_put(PGconn *pg, const char *key, const char *record, const char *object,
                            int ttl);

/* Delete the records older than ttl seconds. */
int idempotency_records_expire(PGconn *pg, int ttl);

#endif
