/*
 * oidc.c — discovery and keys of the OpenID provider, on their own thread
 * (see oidc.h).
 */
#include "support/oidc.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "log.h"
#include "core/thread_stop.h"

#define FETCH_MAX JWKS_MAX_TEXT
#define WAITERS_MAX 1024
#define BACKOFF_MAX_S 30

struct keyset {
    atomic_int refs;
    struct jwks set;
};

struct waiter {
    struct call *c;
    void (*cont)(struct call *c);
    struct oidc_exchange *x; /* an exchange job, or NULL for a refresh */
    struct waiter *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_t thread;
static bool started, stopping, wanted, fetching;
static struct keyset *current;
static struct waiter *waiters, *jobs;
static int n_waiters;
static time_t last_attempt; /* start of the last fetch of the keys */
static bool last_ok;
static atomic_long fetches;
static char jwks_uri[1024];
static char token_endpoint[1024];
static bool auth_post;      /* the provider takes client_secret_post, not client_secret_basic */
static json_t *endpoints;

static void keyset_release(struct keyset *k)
{
    if (k != NULL && atomic_fetch_sub(&k->refs, 1) == 1) {
        jwks_free(&k->set);
        free(k);
    }
}

bool oidc_enabled(void)
{
    return g_config.oidc_issuer[0] != '\0';
}

const struct jwks *oidc_keys_acquire(void **handle)
{
    struct keyset *k;

    pthread_mutex_lock(&lock);
    k = current;
    if (k != NULL)
        atomic_fetch_add(&k->refs, 1);
    pthread_mutex_unlock(&lock);
    *handle = k;
    return k != NULL ? &k->set : NULL;
}

void oidc_keys_release(void *handle)
{
    keyset_release(handle);
}

bool oidc_provider_ok(void)
{
    bool ok;

    pthread_mutex_lock(&lock);
    ok = last_ok;
    pthread_mutex_unlock(&lock);
    return ok;
}

long oidc_jwks_fetches(void)
{
    return atomic_load(&fetches);
}

json_t *oidc_endpoints(void)
{
    json_t *e;

    pthread_mutex_lock(&lock);
    e = endpoints != NULL ? json_deep_copy(endpoints)
                          : json_pack("{s:n, s:n, s:n, s:[s]}", "authorization_endpoint",
                                      "token_endpoint", "end_session_endpoint",
                                      "id_token_signing_alg_values_supported", "RS256");
    pthread_mutex_unlock(&lock);
    return e;
}

/* puts c at the head of queue (waiters or jobs) and wakes the provider thread; lock held */
static void enqueue_locked(struct waiter **queue, struct waiter *w, struct call *c,
                           void (*cont)(struct call *c), struct oidc_exchange *x)
{
    w->c = c;
    w->cont = cont;
    w->x = x;
    w->next = *queue;
    *queue = w;
    n_waiters++;
    pthread_cond_signal(&cond);
}

enum oidc_refresh oidc_refresh(struct call *c, void (*cont)(struct call *c))
{
    struct waiter *w;
    enum oidc_refresh r = OIDC_REFRESH_QUEUED;
    time_t now = time(NULL);

    pthread_mutex_lock(&lock);
    if (!fetching && !wanted && now - last_attempt < g_config.oidc_jwks_refresh_min_s)
        r = OIDC_REFRESH_TOO_SOON;
    else if (n_waiters >= WAITERS_MAX || (w = malloc(sizeof(*w))) == NULL)
        r = OIDC_REFRESH_BUSY;
    if (r == OIDC_REFRESH_QUEUED) {
        wanted = true;
        enqueue_locked(&waiters, w, c, cont, NULL);
    }
    pthread_mutex_unlock(&lock);
    return r;
}

enum oidc_refresh oidc_exchange(struct call *c, struct oidc_exchange *x,
                                void (*cont)(struct call *c))
{
    struct waiter *w = NULL;

    pthread_mutex_lock(&lock);
    if (n_waiters < WAITERS_MAX && (w = malloc(sizeof(*w))) != NULL)
        enqueue_locked(&jobs, w, c, cont, x);
    pthread_mutex_unlock(&lock);
    return w != NULL ? OIDC_REFRESH_QUEUED : OIDC_REFRESH_BUSY;
}

/* ---- fetching ----------------------------------------------------------------- */

struct body {
    char *data;
    size_t len;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
    struct body *b = arg;
    size_t n = size * nmemb;
    char *p;

    if (b->len + n > FETCH_MAX)
        return 0; /* aborts the transfer */
    p = realloc(b->data, b->len + n + 1);
    if (p == NULL)
        return 0;
    b->data = p;
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

/* GET url (or POST form when not NULL, with HTTP Basic user:password when
 * user is not NULL) into *out (malloc'd, NUL-terminated). Returns the HTTP
 * status, 0 when the provider could not be reached (logged). */
static long http_call(const char *url, const char *form, const char *user, const char *password,
                      struct body *out)
{
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = NULL;
    long status = 0;
    CURLcode rc;
    bool http_ok = strncmp(g_config.oidc_issuer, "http://", 7) == 0;

    out->data = NULL;
    out->len = 0;
    if (h == NULL)
        return false;
    hdr = curl_slist_append(hdr, "Accept: application/json");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, http_ok ? "http,https" : "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)g_config.oidc_http_timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)g_config.oidc_http_timeout_ms);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE, (long)FETCH_MAX);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "epart");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    if (form != NULL)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
    if (user != NULL) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, password);
    }
    rc = curl_easy_perform(h);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK) {
        log_warn("oidc: %s %s failed: %s", form ? "POST" : "GET", url, curl_easy_strerror(rc));
        status = 0;
    }
    return status;
}

static bool http_get(const char *url, struct body *out)
{
    long status = http_call(url, NULL, NULL, NULL, out);

    if (status != 200) {
        if (status != 0)
            log_warn("oidc: GET %s answered HTTP %ld", url, status);
        free(out->data);
        out->data = NULL;
        return false;
    }
    return true;
}

/* application/x-www-form-urlencoded value (malloc'd). */
static char *form_escape(CURL *h, const char *s)
{
    char *e = curl_easy_escape(h, s, 0);
    char *copy = e != NULL ? strdup(e) : NULL;

    curl_free(e);
    return copy;
}

/* The token request of RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.5). */
static void exchange(struct oidc_exchange *x)
{
    CURL *h = curl_easy_init();
    char redirect[600], url[sizeof(token_endpoint)], *form = NULL;
    char *code = NULL, *verifier = NULL, *redir = NULL, *id = NULL, *secret = NULL;
    bool post_auth, confidential = g_config.oidc_client_secret[0] != '\0';
    struct body b = {NULL, 0};
    json_t *doc;
    long status;

    x->status = 503;
    x->id_token = NULL;
    pthread_mutex_lock(&lock);
    memcpy(url, token_endpoint, sizeof(url));
    post_auth = auth_post;
    pthread_mutex_unlock(&lock);
    if (h == NULL || url[0] == '\0')
        goto out;
    snprintf(redirect, sizeof(redirect), "%s/app/callback", g_config.public_url);
    code = form_escape(h, x->code);
    verifier = form_escape(h, x->code_verifier);
    redir = form_escape(h, redirect);
    id = form_escape(h, g_config.oidc_client_id);
    secret = form_escape(h, g_config.oidc_client_secret);
    if (code == NULL || verifier == NULL || redir == NULL || id == NULL || secret == NULL)
        goto out;
    form = malloc(strlen(code) + strlen(verifier) + strlen(redir) + strlen(id) + strlen(secret) +
                  160);
    if (form == NULL)
        goto out;
    sprintf(form, "grant_type=authorization_code&code=%s&code_verifier=%s&redirect_uri=%s"
                  "&client_id=%s",
            code, verifier, redir, id);
    if (confidential && post_auth)
        sprintf(form + strlen(form), "&client_secret=%s", secret);
    /* client_secret_basic: both parts form-encoded first (RFC 6749 §2.3.1) */
    status = http_call(url, form, confidential && !post_auth ? id : NULL,
                       confidential && !post_auth ? secret : NULL, &b);
    if (status == 0)
        goto out;
    doc = status == 200 && b.data != NULL ? json_loads(b.data, 0, NULL) : NULL;
    if (json_is_string(json_object_get(doc, "id_token"))) {
        x->id_token = strdup(json_string_value(json_object_get(doc, "id_token")));
        x->status = x->id_token != NULL ? 0 : 503;
    } else {
        log_warn("oidc: the token endpoint refused the code (HTTP %ld)", status);
        x->status = status >= 500 ? 503 : 401;
    }
    json_decref(doc);
out:
    free(b.data);
    free(form);
    free(code);
    free(verifier);
    free(redir);
    free(id);
    if (secret != NULL) {
        memset(secret, 0, strlen(secret));
        free(secret);
    }
    if (h != NULL)
        curl_easy_cleanup(h);
}

static json_t *endpoint(const json_t *doc, const char *name)
{
    const char *s = json_string_value(json_object_get(doc, name));

    return s != NULL && agent_issuer_ok(s) ? json_string(s) : json_null();
}

/* The provider's ID token algorithms that epart accepts (the page checks the
 * token's alg against them before sending it). */
static json_t *signing_algs(const json_t *doc)
{
    const json_t *algs = json_object_get(doc, "id_token_signing_alg_values_supported"), *a;
    json_t *out = json_array();
    size_t i;

    json_array_foreach(algs, i, a) {
        const char *s = json_string_value(a);

        if (s != NULL && (strcmp(s, "RS256") == 0 || strcmp(s, "ES256") == 0))
            json_array_append_new(out, json_string(s));
    }
    if (json_array_size(out) == 0)
        json_array_append_new(out, json_string("RS256")); /* OpenID Connect's default */
    return out;
}

/* Read <issuer>/.well-known/openid-configuration: jwks_uri and the endpoints. */
static bool discover(void)
{
    char url[700];
    size_t n = strlen(g_config.oidc_issuer);
    struct body b;
    json_t *doc, *e;
    const char *iss, *uri;
    bool ok = false;

    snprintf(url, sizeof(url), "%.*s/.well-known/openid-configuration",
             (int)(n > 0 && g_config.oidc_issuer[n - 1] == '/' ? n - 1 : n), g_config.oidc_issuer);
    if (!http_get(url, &b))
        return false;
    doc = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, NULL);
    free(b.data);
    iss = json_string_value(json_object_get(doc, "issuer"));
    uri = json_string_value(json_object_get(doc, "jwks_uri"));
    if (iss == NULL || strcmp(iss, g_config.oidc_issuer) != 0)
        log_warn("oidc: the discovery document names another issuer than EPART_OIDC_ISSUER");
    else if (uri == NULL || !agent_issuer_ok(uri) || strlen(uri) >= sizeof(jwks_uri))
        log_warn("oidc: the discovery document has no usable jwks_uri (https required)");
    else
        ok = true;
    if (ok) {
        e = json_pack("{s:o, s:o, s:o, s:o}", "authorization_endpoint",
                      endpoint(doc, "authorization_endpoint"), "token_endpoint",
                      endpoint(doc, "token_endpoint"), "end_session_endpoint",
                      endpoint(doc, "end_session_endpoint"),
                      "id_token_signing_alg_values_supported", signing_algs(doc));
        const json_t *methods = json_object_get(doc, "token_endpoint_auth_methods_supported");
        const char *te = json_string_value(json_object_get(e, "token_endpoint"));
        bool basic = !json_is_array(methods), post = false;
        size_t i;
        json_t *m;

        json_array_foreach(methods, i, m) {
            if (json_is_string(m) && strcmp(json_string_value(m), "client_secret_basic") == 0)
                basic = true;
            if (json_is_string(m) && strcmp(json_string_value(m), "client_secret_post") == 0)
                post = true;
        }
        pthread_mutex_lock(&lock);
        snprintf(jwks_uri, sizeof(jwks_uri), "%s", uri);
        snprintf(token_endpoint, sizeof(token_endpoint), "%s", te != NULL ? te : "");
        auth_post = post && !basic;
        json_decref(endpoints);
        endpoints = e;
        pthread_mutex_unlock(&lock);
    }
    json_decref(doc);
    return ok;
}

static bool fetch_keys(void)
{
    struct body b;
    struct keyset *k;
    char err[128] = "";
    char uri[sizeof(jwks_uri)];
    int n;

    pthread_mutex_lock(&lock);
    memcpy(uri, jwks_uri, sizeof(uri));
    pthread_mutex_unlock(&lock);
    atomic_fetch_add(&fetches, 1);
    if (!http_get(uri, &b))
        return false;
    k = calloc(1, sizeof(*k));
    if (k == NULL) {
        free(b.data);
        return false;
    }
    n = jwks_parse(b.data, b.len, &k->set, err, sizeof(err));
    free(b.data);
    if (n <= 0) {
        log_warn("oidc: the provider's key set is unusable: %s", err);
        jwks_free(&k->set);
        free(k);
        return false;
    }
    atomic_init(&k->refs, 1);
    pthread_mutex_lock(&lock);
    keyset_release(current);
    current = k;
    pthread_mutex_unlock(&lock);
    log_info("oidc: %d signing key(s) loaded from the provider", n);
    return true;
}

static void *provider_main(void *arg)
{
    int backoff = 1;
    time_t due = 0;

    (void)arg;
    for (;;) {
        struct waiter *w;
        bool ok;
        struct timespec ts = {due, 0};

        pthread_mutex_lock(&lock);
        while (!stopping && !wanted && jobs == NULL && time(NULL) < due)
            pthread_cond_timedwait(&cond, &lock, &ts);
        if (stopping) {
            pthread_mutex_unlock(&lock);
            break;
        }
        if (jobs != NULL && !wanted && time(NULL) < due) {
            /* code exchanges, one at a time (each bounded by the fetch timeout) */
            w = jobs;
            jobs = w->next;
            n_waiters--;
            pthread_mutex_unlock(&lock);
            exchange(w->x);
            call_then(w->c, w->cont);
            server_complete(w->c);
            free(w);
            continue;
        }
        wanted = false;
        fetching = true;
        last_attempt = time(NULL);
        pthread_mutex_unlock(&lock);

        /* discovery again at each fetch of the keys: a moved jwks_uri is followed */
        ok = discover() && fetch_keys();

        pthread_mutex_lock(&lock);
        fetching = false;
        last_ok = ok;
        w = waiters;
        waiters = NULL;
        for (struct waiter *k = w; k != NULL; k = k->next)
            n_waiters--;
        pthread_mutex_unlock(&lock);
        if (ok) {
            backoff = 1;
            due = time(NULL) + g_config.oidc_jwks_max_age_s;
        } else {
            due = time(NULL) + backoff;
            backoff = backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : backoff * 2;
        }
        while (w != NULL) {
            struct waiter *next = w->next;

            call_then(w->c, w->cont);
            server_complete(w->c);
            free(w);
            w = next;
        }
    }
    return NULL;
}

int oidc_start(void)
{
    if (!oidc_enabled())
        return 0;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    pthread_mutex_lock(&lock);
    stopping = false;
    wanted = true;
    pthread_mutex_unlock(&lock);
    if (pthread_create(&thread, NULL, provider_main, NULL) != 0)
        return -1;
    started = true;
    log_info("oidc: agents sign in with %s", g_config.oidc_issuer);
    return 0;
}

void oidc_stop(void)
{
    if (!thread_stop(&started, thread, &lock, &cond, &stopping))
        return;
    pthread_mutex_lock(&lock);
    keyset_release(current);
    current = NULL;
    json_decref(endpoints);
    endpoints = NULL;
    /* calls still waiting go back to their threads, where server_free() frees them */
    while (waiters != NULL) {
        struct waiter *next = waiters->next;

        server_complete(waiters->c);
        free(waiters);
        waiters = next;
    }
    while (jobs != NULL) {
        struct waiter *next = jobs->next;

        server_complete(jobs->c);
        free(jobs);
        jobs = next;
    }
    pthread_mutex_unlock(&lock);
    curl_global_cleanup();
}
