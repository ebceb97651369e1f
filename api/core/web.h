/*
 * web.h — the web application of SPEC §12, served by epart-api under /app/.
 *
 * The built folder (build/web, made by `make web` from web/) is read whole into
 * memory once at start-up, each file with its gzip sibling. Serving a file is
 * then a lookup in a sorted table and a reply by reference: the event loops never
 * touch the disk, so a slow disk cannot stall them, and no request path can reach
 * a file that was not in the table (no path is ever joined to a directory).
 */
#ifndef EPART_API_WEB_H
#define EPART_API_WEB_H

#include <stdbool.h>

#include "core/server.h"

/* Load the built application from EPART_WEB_DIR, else <directory of the
 * executable>/../web. A missing folder is not fatal: /app/ then answers 503
 * saying the application was not built. Returns the number of files loaded, or
 * -1 when the folder exists but breaks a limit (too many or too large files). */
int web_init(void);

/* The folder of served assets `name` ("web", "apidocs"): the value of the
 * environment variable env_name when set, else <folder of the executable>/../name
 * (build/<mode>/../name, where the Makefile puts them), else build/name. */
void web_asset_dir(const char *env_name, const char *name, char *out, size_t len);

/* Release what web_init loaded (after the HTTP threads stopped). */
void web_free(void);

/* True for the paths the web application owns: "/", "/app" and "/app/...". */
bool web_owns(const char *path);

/* Serve one request on a path web_owns(): "/" and "/app" redirect (302) to
 * "/app/"; a file of the table is answered with its type, the security headers
 * of SPEC §12 and gzip when accepted; an extension-less path under /app/ is a
 * page of the application (index.html); anything else is a 404. Frees the call. */
void web_serve(struct call *c);

/* The Content-Security-Policy sent with every file (for the tests and docs). */
const char *web_csp(void);

#endif
