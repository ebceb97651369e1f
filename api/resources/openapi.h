/*
 * openapi.h — the OpenAPI 3.1 document of the API (api/resources/openapi.c).
 */
#ifndef EPART_API_OPENAPI_H
#define EPART_API_OPENAPI_H

#include <stddef.h>

/* The document as compact JSON (len bytes), built once from the route table
 * and the schema files compiled in; NULL when those files do not merge (a
 * name defined twice, a file that does not parse: logged). The test clock's
 * paths are listed only when the process runs with it. Thread-safe. */
const char *openapi_document(size_t *len);

#endif
