/*
 * web.c — the web application's files (SPEC §12), served from memory.
 *
 * Why in memory: evhttp runs one event loop per thread and a read(2) on a slow
 * or busy disk would stall every connection of that loop. The built folder is
 * small (well under the 300 KB first-load budget per page, a few hundred KB in
 * all), so web_init() reads it once, before the loops start, into a sorted table
 * of (path, bytes, gzip bytes, type, ETag); requests only look it up and reply by
 * reference. Rebuilding the application therefore needs a restart of epart-api,
 * which `make run` does anyway.
 *
 * Why this is safe against path traversal: a request path is never joined to a
 * directory. It is checked against a strict alphabet (common/webpath.c) (letters, digits, "._-/",
 * no empty segment, no trailing slash, no segment starting with a dot, so no
 * "..", no "%2e", no backslash, no NUL) and then looked up by exact string in the table; the table
 * itself holds only regular files found under the folder without following
 * symbolic links.
 */
#include "core/web.h"

#include <dirent.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "webpath.h"

#define WEB_MAX_FILES 4096
#define WEB_MAX_FILE (16u << 20)   /* one file: 16 MiB */
#define WEB_MAX_TOTAL (128u << 20) /* all of them: 128 MiB */
#define WEB_MAX_DEPTH 8
#define WEB_PATH_MAX WEBPATH_MAX

struct asset {
    char path[WEB_PATH_MAX]; /* relative to the folder: "index.html", "js/main.js" */
    const char *type;
    char *data;
    size_t len;
    char *gz; /* the ".gz" sibling made by the build, or NULL */
    size_t gz_len;
    char etag[24];
};

static struct asset *assets;
static size_t nassets;
static size_t total_bytes;
static bool loaded;
static char csp[1024];

/* ---- content types ---------------------------------------------------------- */

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
};

static const char *type_of(const char *path)
{
    const char *dot = strrchr(path, '.');

    if (dot != NULL)
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            if (strcmp(dot, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

/* ---- loading ------------------------------------------------------------------ */

static char *read_file(int dirfd, const char *name, size_t *len)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    char *buf = NULL;
    size_t got = 0;

    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > WEB_MAX_FILE)
        goto fail;
    buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL)
        goto fail;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto fail;
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    *len = got;
    return buf;
fail:
    free(buf);
    close(fd);
    return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* FNV-1a of the bytes: an ETag that changes when the file does. */
static void make_etag(struct asset *a)
{
    uint64_t h = 1469598103934665603ULL;

    for (size_t i = 0; i < a->len; i++) {
        h ^= (unsigned char)a->data[i];
        h *= 1099511628211ULL;
    }
    snprintf(a->etag, sizeof(a->etag), "\"%016llx\"", (unsigned long long)h);
}

static int add_file(int dirfd, const char *name, const char *rel)
{
    struct asset *a;
    char gzname[NAME_MAX + 4];

    if (nassets >= WEB_MAX_FILES) {
        log_error("web: more than %d files", WEB_MAX_FILES);
        return -1;
    }
    a = &assets[nassets];
    memset(a, 0, sizeof(*a));
    snprintf(a->path, sizeof(a->path), "%s", rel);
    a->data = read_file(dirfd, name, &a->len);
    if (a->data == NULL) {
        log_error("web: cannot read %s", rel);
        return -1;
    }
    snprintf(gzname, sizeof(gzname), "%s.gz", name);
    a->gz = read_file(dirfd, gzname, &a->gz_len);
    total_bytes += a->len + a->gz_len;
    if (total_bytes > WEB_MAX_TOTAL) {
        log_error("web: the application is larger than %u bytes", WEB_MAX_TOTAL);
        free(a->data);
        free(a->gz);
        return -1;
    }
    a->type = type_of(rel);
    make_etag(a);
    nassets++;
    return 0;
}

static int walk(int dirfd, const char *prefix, int depth)
{
    DIR *d;
    struct dirent *e;
    int rc = 0;

    if (depth > WEB_MAX_DEPTH)
        return 0;
    d = fdopendir(dirfd);
    if (d == NULL) {
        close(dirfd);
        return -1;
    }
    while (rc == 0 && (e = readdir(d)) != NULL) {
        char rel[WEB_PATH_MAX];
        struct stat st;

        if (e->d_name[0] == '.' || ends_with(e->d_name, ".gz"))
            continue;
        if (snprintf(rel, sizeof(rel), "%s%s", prefix, e->d_name) >= (int)sizeof(rel) - 1)
            continue;
        if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (S_ISREG(st.st_mode)) {
            rc = add_file(dirfd, e->d_name, rel);
        } else if (S_ISDIR(st.st_mode)) {
            int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

            if (sub >= 0 && strlen(rel) + 2 < sizeof(rel)) {
                strcat(rel, "/");
                rc = walk(sub, rel, depth + 1);
            } else if (sub >= 0) {
                close(sub);
            }
        }
    }
    closedir(d);
    return rc;
}

static int cmp_asset(const void *a, const void *b)
{
    return strcmp(((const struct asset *)a)->path, ((const struct asset *)b)->path);
}

/* The origin ("https://host:port") of an OpenID provider's issuer URL, so that
 * the page may call its discovery and token endpoints (SPEC §13). */
static void issuer_origin(const char *issuer, char *out, size_t len)
{
    const char *p = strstr(issuer, "://");
    size_t n;

    out[0] = '\0';
    if (p == NULL || (strncmp(issuer, "https://", 8) != 0 && strncmp(issuer, "http://", 7) != 0))
        return;
    n = (size_t)(p + 3 - issuer) + strcspn(p + 3, "/?# ;,'\"");
    if (n < len) {
        memcpy(out, issuer, n);
        out[n] = '\0';
    }
}

static void build_csp(void)
{
    const char *issuer = getenv("EPART_OIDC_ISSUER");
    char origin[512] = "";

    if (issuer != NULL && issuer[0] != '\0')
        issuer_origin(issuer, origin, sizeof(origin));
    snprintf(csp, sizeof(csp),
             "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
             "font-src 'self'; connect-src 'self'%s%s; object-src 'none'; base-uri 'none'; "
             "form-action 'self'; frame-ancestors 'none'",
             origin[0] ? " " : "", origin);
}

void web_asset_dir(const char *env_name, const char *name, char *out, size_t len)
{
    const char *env = getenv(env_name);
    char exe[PATH_MAX];
    ssize_t n;
    char *slash;

    if (env != NULL && env[0] != '\0') {
        snprintf(out, len, "%s", env);
        return;
    }
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash != NULL) {
            *slash = '\0';
            if (snprintf(out, len, "%s/../%s", exe, name) < (int)len)
                return;
        }
    }
    snprintf(out, len, "build/%s", name);
}

int web_init(void)
{
    char dir[PATH_MAX];
    int fd;

    build_csp();
    web_asset_dir("EPART_WEB_DIR", "web", dir, sizeof(dir));
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        log_warn("web: %s not found (run make web); /app/ will answer 503", dir);
        return 0;
    }
    assets = calloc(WEB_MAX_FILES, sizeof(*assets));
    if (assets == NULL) {
        close(fd);
        return -1;
    }
    if (walk(fd, "", 0) < 0) {
        web_free();
        return -1;
    }
    qsort(assets, nassets, sizeof(*assets), cmp_asset);
    loaded = true;
    log_info("web: %zu files (%zu bytes) from %s", nassets, total_bytes, dir);
    return (int)nassets;
}

void web_free(void)
{
    for (size_t i = 0; i < nassets; i++) {
        free(assets[i].data);
        free(assets[i].gz);
    }
    free(assets);
    assets = NULL;
    nassets = 0;
    total_bytes = 0;
    loaded = false;
}

const char *web_csp(void)
{
    return csp;
}

/* ---- serving -------------------------------------------------------------------- */

bool web_owns(const char *path)
{
    return strcmp(path, "/") == 0 || strcmp(path, "/app") == 0 || strncmp(path, "/app/", 5) == 0;
}

static const struct asset *find(const char *rel)
{
    size_t lo = 0, hi = nassets;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int d = strcmp(rel, assets[mid].path);

        if (d == 0)
            return &assets[mid];
        if (d < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static void security_headers(struct evkeyvalq *h)
{
    evhttp_add_header(h, "Content-Security-Policy", csp);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "X-Frame-Options", "DENY");
    evhttp_add_header(h, "Referrer-Policy", "no-referrer");
    evhttp_add_header(h, "Cross-Origin-Opener-Policy", "same-origin");
    evhttp_add_header(h, "Cross-Origin-Resource-Policy", "same-origin");
    evhttp_add_header(h, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
}

static void reply_problem(struct call *c, int status, const char *title, const char *detail)
{
    security_headers(evhttp_request_get_output_headers(c->req));
    call_reply_problem(c, status, title, detail, NULL);
}

void web_serve(struct call *c)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(c->req);
    const struct asset *a;
    const char *rel;
    const char *inm, *ae;
    bool gz;

    if (strcmp(c->method, "GET") != 0 && strcmp(c->method, "HEAD") != 0) {
        evhttp_add_header(h, "Allow", "GET, HEAD");
        reply_problem(c, 405, "Méthode non permise",
                      "L'application web se lit seulement (GET ou HEAD).");
        return;
    }
    if (strcmp(c->path, "/") == 0 || strcmp(c->path, "/app") == 0) {
        static const char moved[] = "Redirection vers /app/\n";

        evhttp_add_header(h, "Location", "/app/");
        security_headers(h);
        call_reply_ref(c, 302, "text/plain; charset=utf-8", moved, sizeof(moved) - 1);
        return;
    }
    if (!loaded) {
        reply_problem(c, 503, "Application web absente",
                      "L'application web n'a pas été construite sur ce serveur (make web).");
        return;
    }
    rel = c->path + 5; /* after "/app/" */
    if (*rel == '\0') {
        rel = "index.html";
    } else if (!webpath_clean(rel)) {
        reply_problem(c, 404, "Ressource introuvable", "Chemin inconnu.");
        return;
    }
    a = find(rel);
    if (a == NULL && webpath_is_page(rel))
        a = find("index.html");
    if (a == NULL) {
        reply_problem(c, 404, "Ressource introuvable", "Chemin inconnu.");
        return;
    }
    security_headers(h);
    evhttp_add_header(h, "Cache-Control", "no-cache");
    evhttp_add_header(h, "ETag", a->etag);
    evhttp_add_header(h, "Vary", "Accept-Encoding");
    inm = call_header(c, "If-None-Match");
    if (inm != NULL && strstr(inm, a->etag) != NULL) {
        call_reply_ref(c, 304, NULL, NULL, 0);
        return;
    }
    ae = call_header(c, "Accept-Encoding");
    gz = a->gz != NULL && ae != NULL && webpath_accepts_gzip(ae);
    if (gz)
        evhttp_add_header(h, "Content-Encoding", "gzip");
    call_reply_ref(c, 200, a->type, gz ? a->gz : a->data, gz ? a->gz_len : a->len);
}
