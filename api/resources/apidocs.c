/*
 * apidocs.c — GET /v1/docs and its files (see apidocs.h).
 *
 * A fixed list of files, not a directory: no request path is ever joined to a
 * folder, and the event loops never touch the disk.
 */
#include "resources/apidocs.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "core/web.h"
#include "resources/handlers.h"

#define MAX_FILE (8 << 20)

static struct doc_file {
    const char *name; /* the path segment after /v1/docs/ ("" for the page) */
    const char *disk; /* the file under the folder */
    const char *type;
    char *data;
    size_t len;
} files[] = {
    {"", "index.html", "text/html; charset=utf-8", NULL, 0},
    {"docs.js", "docs.js", "text/javascript; charset=utf-8", NULL, 0},
    {"docs.css", "docs.css", "text/css; charset=utf-8", NULL, 0},
    {"swagger-ui-bundle.js", "swagger-ui-bundle.js", "text/javascript; charset=utf-8", NULL, 0},
    {"swagger-ui.css", "swagger-ui.css", "text/css; charset=utf-8", NULL, 0},
    {"swagger-ui-LICENSE.txt", "swagger-ui-LICENSE.txt", "text/plain; charset=utf-8", NULL, 0},
};
#define N_FILES (sizeof(files) / sizeof(files[0]))

static const char csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

const char *apidocs_csp(void)
{
    return csp;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long size;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && size <= MAX_FILE &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1)) != NULL) {
        if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
            free(buf);
            buf = NULL;
        } else {
            *len = (size_t)size;
        }
    }
    fclose(f);
    return buf;
}

int apidocs_init(void)
{
    char dir[PATH_MAX], path[PATH_MAX + 64];
    int loaded = 0;

    web_asset_dir("EPART_DOCS_DIR", "apidocs", dir, sizeof(dir));
    for (size_t i = 0; i < N_FILES; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i].disk);
        files[i].data = slurp(path, &files[i].len);
        if (files[i].data != NULL)
            loaded++;
    }
    if (loaded < (int)N_FILES)
        log_warn("docs: %d of %zu files found in %s (make web); /v1/docs answers 503",
                 loaded, N_FILES, dir);
    return loaded;
}

void apidocs_free(void)
{
    for (size_t i = 0; i < N_FILES; i++) {
        free(files[i].data);
        files[i].data = NULL;
    }
}

static void serve(struct call *c, const char *name)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(c->req);

    for (size_t i = 0; i < N_FILES; i++) {
        if (strcmp(files[i].name, name) != 0)
            continue;
        if (files[i].data == NULL) {
            call_reply_problem(c, 503, "Documentation indisponible",
                               "La page de documentation n'a pas été construite (make web) ; "
                               "le document reste lisible à /v1/openapi.json.",
                               NULL);
            return;
        }
        evhttp_add_header(h, "Content-Security-Policy", csp);
        evhttp_add_header(h, "X-Frame-Options", "DENY");
        evhttp_add_header(h, "Referrer-Policy", "no-referrer");
        call_reply_raw(c, 200, files[i].type, files[i].data, files[i].len);
        return;
    }
    call_reply_problem(c, 404, "Ressource introuvable", "Fichier inconnu.", NULL);
}

void h_docs(struct call *c)
{
    serve(c, "");
}

void h_docs_file(struct call *c)
{
    serve(c, c->params[0]);
}
