/*
 * apidocs.h — GET /v1/docs: the OpenAPI document rendered for people.
 *
 * The page (web/apidocs) and its renderer (Swagger UI, from npm, pinned by
 * web/package-lock.json) are built into build/apidocs by `make web`
 * (web/build.sh), read whole into memory at start-up and served from our own
 * origin under the application's Content-Security-Policy (no inline script or
 * style, nothing fetched from elsewhere). The page reads /v1/openapi.json.
 */
#ifndef EPART_API_APIDOCS_H
#define EPART_API_APIDOCS_H

#include "core/server.h"

/* Load the files from EPART_DOCS_DIR, else <directory of the executable>/../apidocs.
 * A missing folder is not fatal: /v1/docs then answers 503. Returns the number
 * of files loaded. */
int apidocs_init(void);

/* Release what apidocs_init loaded. */
void apidocs_free(void);

/* The Content-Security-Policy of the page. */
const char *apidocs_csp(void);

#endif
