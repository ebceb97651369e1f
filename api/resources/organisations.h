/*
 * organisations.h — organisations as stored in PostgreSQL.
 */
#ifndef EPART_API_ORGANISATIONS_H
#define EPART_API_ORGANISATIONS_H

#include <jansson.h>
#include <libpq-fe.h>

/* The organisation id as the API shows it, or NULL when unknown (or on error:
 * check PQstatus). */
json_t *organisation_load(PGconn *pg, const char *id);

/* Every organisation (an array), or NULL on error. */
json_t *organisation_load_all(PGconn *pg);

#endif
