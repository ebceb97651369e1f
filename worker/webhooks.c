/*
 * webhooks.c — delivery of webhook events (SPEC §6, docs/webhooks.md).
 *
 * Each sender thread loops: it claims up to CLAIM_BATCH due jobs with a lease
 * (their next_attempt_at pushed past the time it may take to try them all, the
 * try counted at once, one autocommitted statement with SKIP LOCKED so that
 * senders of every worker process share the queue without doubling a try),
 * then POSTs each event with libcurl, signed the Standard Webhooks way, and
 * records the try: a row of webhook_deliveries, the job delivered, rescheduled
 * or failed, and the health of the webhook. A sender that dies mid-batch only
 * delays its jobs until the lease ends.
 *
 * Isolation: ingest and the scanner never wait on a receiver (events are
 * rows written by their transactions; only these threads speak HTTP), and a
 * receiver costs a sender at most the timeout per batch: after a failed try,
 * the other jobs of that webhook in the batch are not tried but put back with
 * the same delay.
 *
 * Server-side request forgery: unless EPART_WEBHOOK_ALLOW_PRIVATE=1, every
 * address libcurl is about to connect to passes addr_is_private() in the
 * open-socket callback, so a name that resolved to a public address when the
 * webhook was created and to a private one now (DNS rebinding) is refused;
 * redirects are not followed, proxies from the environment are ignored and
 * only http and https are spoken.
 *
 * Resolution: the sender resolves the host itself (resolver.h), within
 * EPART_DNS_TIMEOUT_MS, and hands libcurl the addresses (CURLOPT_RESOLVE): a
 * name whose DNS server never answers costs one failed try of at most that
 * long, not libc's whole resolver timeout.
 *
 * Neither the secret nor the URL (whose query may carry a token) is ever
 * logged: lines name the webhook and the event by id.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "resolver.h"
#include "webhook_sign.h"
#include "webhook_url.h"
#include "worker.h"
#include "store/webhook_deliveries.h"
#include "store/webhook_jobs.h"
#include "store/webhooks.h"

#define CLAIM_BATCH 10
#define FAILING_AFTER 3        /* consecutive failed tries that make a webhook "failing" */
#define IDLE_POLL_MS 250       /* how often an idle sender looks for due jobs */
#define STATEMENT_TIMEOUT_MS 10000

struct job {
    char webhook_id[37];
    char event_id[37];
    int attempt;               /* the number of this try, counted at claim */
    char *url;
    char *secret;
    char *type;
    char *payload;             /* webhook_events.payload as JSON text */
    char *created;             /* RFC 3339 of the event's creation */
    bool cancel;               /* its webhook was deleted or disabled */
    bool handled;              /* given back already (see run_batch) */
};

struct outcome {
    bool ok;                   /* a 2xx answer */
    bool aborted;              /* the worker is stopping: not a try */
    long status;               /* HTTP status, 0 when none */
    int latency_ms;
    char error[200];           /* French, no secret, no URL */
};

/* ---- time and randomness ------------------------------------------------------ */

static int64_t real_us(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static int64_t mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A uniform draw in [0, 1) for the jitter (xorshift64*, one state per thread:
 * the jitter spreads retries, it protects nothing). */
static double jitter(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

/* ---- claiming ---------------------------------------------------------------- */

static void job_clear(struct job *j)
{
    if (j->secret != NULL)
        OPENSSL_cleanse(j->secret, strlen(j->secret));
    free(j->url);
    free(j->secret);
    free(j->type);
    free(j->payload);
    free(j->created);
    memset(j, 0, sizeof(*j));
}

static char *dup_value(const PGresult *res, int row, int col)
{
    return strdup(PQgetisnull(res, row, col) ? "" : PQgetvalue(res, row, col));
}

/* Claim up to max due jobs. Returns how many, or -1 when PostgreSQL failed. */
static int claim(PGconn *pg, struct job *jobs, int max)
{
    PGresult *res;
    int n;

    /* Long enough to try the whole batch, each try bounded by the timeout. */
    res = webhook_jobs_claim(pg, max * (g_config.webhook_timeout_s + 5) + 30, max);
    if (res == NULL)
        return -1;
    n = PQntuples(res);
    if (n > max)
        n = max;
    for (int i = 0; i < n; i++) {
        struct job *j = &jobs[i];

        memset(j, 0, sizeof(*j));
        snprintf(j->webhook_id, sizeof(j->webhook_id), "%s", PQgetvalue(res, i, JOB_WEBHOOK_ID));
        snprintf(j->event_id, sizeof(j->event_id), "%s", PQgetvalue(res, i, JOB_EVENT_ID));
        j->attempt = atoi(PQgetvalue(res, i, JOB_ATTEMPT));
        j->url = dup_value(res, i, JOB_URL);
        j->secret = dup_value(res, i, JOB_SECRET);
        j->cancel = PQgetvalue(res, i, JOB_CANCEL)[0] == 't';
        j->type = dup_value(res, i, JOB_TYPE);
        j->payload = dup_value(res, i, JOB_PAYLOAD);
        j->created = dup_value(res, i, JOB_CREATED_AT);
    }
    PQclear(res);
    return n;
}

/* Give a claimed job back untried: its try is not counted and it runs again
 * after delay_ms (0: at once). */
static void release(PGconn *pg, const struct job *j, int64_t delay_ms)
{
    webhook_jobs_release(pg, j->webhook_id, j->event_id, j->attempt, delay_ms);
}

static void cancel(PGconn *pg, const struct job *j)
{
    webhook_jobs_cancel(pg, j->webhook_id, j->event_id);
}

/* ---- HTTP ----------------------------------------------------------------------- */

struct xfer {
    bool refused;              /* the open-socket callback refused a private address */
};

static curl_socket_t open_socket(void *clientp, curlsocktype purpose,
                                 struct curl_sockaddr *address)
{
    struct xfer *x = clientp;

    (void)purpose;
    /* libcurl hands the very address it will connect to, after resolution:
     * checking here covers every name, every retry and DNS rebinding. */
    if (!g_config.webhook_allow_private && addr_is_private(&address->addr)) {
        x->refused = true;
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    (void)ptr;
    (void)userdata;
    return size * nmemb;
}

static int progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                    curl_off_t ulnow)
{
    (void)clientp;
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return atomic_load(&g_stop) ? 1 : 0; /* a stopping worker does not wait for a receiver */
}

static void describe_error(CURLcode rc, const struct xfer *x, struct outcome *o)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        snprintf(o->error, sizeof(o->error), "délai de %d s dépassé", g_config.webhook_timeout_s);
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        snprintf(o->error, sizeof(o->error), "nom d'hôte introuvable");
        break;
    case CURLE_COULDNT_CONNECT:
        snprintf(o->error, sizeof(o->error), "%s",
                 x->refused ? "destination interdite : adresse privée ou réservée"
                            : "connexion impossible");
        break;
    case CURLE_GOT_NOTHING:
        snprintf(o->error, sizeof(o->error), "aucune réponse du serveur");
        break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        snprintf(o->error, sizeof(o->error), "erreur TLS : %s", curl_easy_strerror(rc));
        break;
    default:
        /* libcurl's static text names no host, no URL and no header */
        snprintf(o->error, sizeof(o->error), "erreur de transfert : %s", curl_easy_strerror(rc));
        break;
    }
}

/* The body of a delivery: {"type","timestamp","data"} (malloc'd). */
static char *delivery_body(const struct job *j)
{
    json_t *data = json_loads(j->payload, JSON_DECODE_ANY, NULL);
    json_t *doc = json_pack("{s:s, s:s, s:o}", "type", j->type, "timestamp", j->created, "data",
                            data ? data : json_object());
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

    json_decref(doc);
    return text;
}

/* "host:port:addr,addr" for CURLOPT_RESOLVE: libcurl connects to what was
 * resolved here, and resolves nothing itself. */
static struct curl_slist *resolve_entry(const struct webhook_url *u,
                                        const struct resolve_result *r)
{
    char line[WEBHOOK_HOST_MAX + 16 + RESOLVE_MAX_ADDRS * 50];
    size_t off;
    int port = u->port ? u->port : (u->https ? 443 : 80);

    off = (size_t)snprintf(line, sizeof(line), "%s:%d:", u->host, port);
    for (int i = 0; i < r->n && off < sizeof(line) - 50; i++) {
        char a[INET6_ADDRSTRLEN];

        if (!resolver_addr_text(&r->addrs[i], a, sizeof(a)))
            continue;
        off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s%s%s",
                                off > 0 && line[off - 1] != ':' ? "," : "",
                                r->addrs[i].ss_family == AF_INET6 ? "[" : "", a,
                                r->addrs[i].ss_family == AF_INET6 ? "]" : "");
    }
    return curl_slist_append(NULL, line);
}

static void deliver(CURL *curl, const struct job *j, struct outcome *o)
{
    struct xfer x = {false};
    struct webhook_url u;
    struct resolve_result addrs;
    struct curl_slist *headers = NULL, *pinned = NULL;
    char h_id[64], h_ts[64], h_sig[32 + WEBHOOK_SIGNATURE_LEN], sig[WEBHOOK_SIGNATURE_LEN];
    char *body = NULL;
    int64_t ts, t0;
    CURLcode rc;

    memset(o, 0, sizeof(*o));
    if (webhook_url_parse(j->url, &u) != WURL_OK) {
        snprintf(o->error, sizeof(o->error), "URL invalide");
        return;
    }
    t0 = mono_us();
    resolver_lookup(g_config.resolv_conf, u.host, g_config.dns_timeout_ms, &addrs);
    if (addrs.status != RESOLVE_OK) {
        o->latency_ms = (int)((mono_us() - t0) / 1000);
        if (addrs.status == RESOLVE_TIMEOUT)
            snprintf(o->error, sizeof(o->error), "nom d'hôte sans réponse du DNS en %d s",
                     (g_config.dns_timeout_ms + 999) / 1000);
        else
            snprintf(o->error, sizeof(o->error), "nom d'hôte introuvable");
        return;
    }
    if (!addrs.numeric)
        pinned = resolve_entry(&u, &addrs);
    body = delivery_body(j);
    ts = real_us() / 1000000; /* the real clock, whatever the test clock says */
    if (body == NULL ||
        webhook_signature(j->secret, j->event_id, ts, body, strlen(body), sig, sizeof(sig)) < 0) {
        snprintf(o->error, sizeof(o->error), "signature impossible");
        free(body);
        curl_slist_free_all(pinned);
        return;
    }
    snprintf(h_id, sizeof(h_id), "webhook-id: %s", j->event_id);
    snprintf(h_ts, sizeof(h_ts), "webhook-timestamp: %lld", (long long)ts);
    snprintf(h_sig, sizeof(h_sig), "webhook-signature: %s", sig);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, h_id);
    headers = curl_slist_append(headers, h_ts);
    headers = curl_slist_append(headers, h_sig);
    headers = curl_slist_append(headers, "Expect:"); /* no 100-continue round trip */

    curl_easy_reset(curl); /* keeps the connection cache */
    curl_easy_setopt(curl, CURLOPT_URL, j->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROXY, ""); /* a proxy would hide the address checked */
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)g_config.webhook_timeout_s);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)g_config.webhook_timeout_s);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &x);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, progress);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "epart-webhooks/1");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    if (pinned != NULL)
        curl_easy_setopt(curl, CURLOPT_RESOLVE, pinned);

    rc = curl_easy_perform(curl);
    o->latency_ms = (int)((mono_us() - t0) / 1000);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &o->status);
        o->ok = o->status >= 200 && o->status < 300;
        if (!o->ok)
            snprintf(o->error, sizeof(o->error), "réponse HTTP %ld%s", o->status,
                     o->status >= 300 && o->status < 400 ? " (redirection non suivie)" : "");
    } else if (rc == CURLE_ABORTED_BY_CALLBACK && atomic_load(&g_stop)) {
        o->aborted = true;
    } else {
        describe_error(rc, &x, o);
    }
    /* nothing of the request may outlive it in the handle */
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(curl, CURLOPT_RESOLVE, NULL);
    curl_slist_free_all(headers);
    curl_slist_free_all(pinned);
    OPENSSL_cleanse(sig, sizeof(sig));
    OPENSSL_cleanse(h_sig, sizeof(h_sig));
    free(body);
}

/* ---- recording ------------------------------------------------------------------ */

/* Record the try of j that started at at_us, and schedule what follows:
 * delivered, retried after delay_ms, or failed after the last try. */
static int record(PGconn *pg, const struct job *j, int64_t at_us, const struct outcome *o,
                  int64_t delay_ms)
{
    bool final = !o->ok && j->attempt >= g_config.webhook_max_attempts;
    char at[40], next[40], attempt[16], status[16], latency[16], failing[8];
    const char *state = o->ok ? "delivered" : final ? "failed" : "pending";
    const char *next_at = (o->ok || final) ? NULL : db_ts(at_us + o->latency_ms * 1000LL +
                                                              delay_ms * 1000, next, sizeof(next));
    const struct webhook_deliveries_try t = {
        .webhook_id = j->webhook_id,
        .event_id = j->event_id,
        .event_type = j->type,
        .attempt = attempt,
        .at = at,
        .status = o->status > 0 ? status : NULL,
        .latency_ms = latency,
        .error = o->ok ? NULL : o->error,
        .next_attempt_at = next_at,
    };

    db_ts(at_us, at, sizeof(at));
    snprintf(attempt, sizeof(attempt), "%d", j->attempt);
    snprintf(status, sizeof(status), "%ld", o->status);
    snprintf(latency, sizeof(latency), "%d", o->latency_ms);
    snprintf(failing, sizeof(failing), "%d", FAILING_AFTER);
    if (db_begin(pg) < 0)
        return -1;
    if (webhook_deliveries_insert(pg, &t) < 0)
        goto fail;
    /* a job whose lease ran out and was tried again elsewhere has another
     * attempt count: this late answer changes nothing of it */
    if (webhook_jobs_settle(pg, j->webhook_id, j->event_id, j->attempt, state, next_at) < 0)
        goto fail;
    if (o->ok) {
        if (webhooks_delivered(pg, j->webhook_id, at, o->status > 0 ? status : NULL) < 0)
            goto fail;
    } else {
        /* failing after FAILING_AFTER failures in a row; disabled when a job
         * used every try and nothing got through since its first */
        if (webhooks_failed(pg, j->webhook_id, at, o->status > 0 ? status : NULL, o->error,
                            failing, final, j->event_id) < 0)
            goto fail;
        if (final && webhook_jobs_cancel_all(pg, j->webhook_id, true) < 0)
            goto fail;
    }
    return db_commit(pg);
fail:
    db_rollback(pg);
    return -1;
}

/* ---- the thread ------------------------------------------------------------------ */

static void run_batch(PGconn *pg, CURL *curl, struct job *jobs, int n, uint64_t *rng)
{
    for (int i = 0; i < n; i++) {
        struct job *j = &jobs[i];
        struct outcome o;
        int64_t at_us, delay_ms;

        if (j->handled)
            continue;
        if (atomic_load(&g_stop)) {
            release(pg, j, 0);
            continue;
        }
        if (j->cancel) {
            cancel(pg, j);
            continue;
        }
        at_us = real_us();
        deliver(curl, j, &o);
        if (o.aborted) {
            release(pg, j, 0);
            continue;
        }
        delay_ms = webhook_retry_delay_ms(j->attempt, g_config.webhook_backoff_base_ms,
                                          jitter(rng));
        if (record(pg, j, at_us, &o, delay_ms) < 0)
            log_warn("webhook %s event %s try %d: could not be recorded", j->webhook_id,
                     j->event_id, j->attempt);
        else if (o.ok)
            log_debug("webhook %s event %s try %d: delivered (HTTP %ld, %d ms)", j->webhook_id,
                      j->event_id, j->attempt, o.status, o.latency_ms);
        else
            log_info("webhook %s event %s try %d: failed (%s)%s", j->webhook_id, j->event_id,
                     j->attempt, o.status > 0 ? "HTTP error" : "transport error",
                     j->attempt >= g_config.webhook_max_attempts ? ", no try left" : "");
        if (!o.ok) {
            /* the rest of this webhook's jobs in the batch wait as long as this
             * one: a dead receiver costs one timeout per batch, not ten */
            for (int k = i + 1; k < n; k++)
                if (!jobs[k].handled && !jobs[k].cancel &&
                    strcmp(jobs[k].webhook_id, j->webhook_id) == 0) {
                    release(pg, &jobs[k], delay_ms);
                    jobs[k].handled = true;
                }
        }
    }
}

void *webhooks_main(void *arg)
{
    struct job jobs[CLAIM_BATCH];
    PGconn *pg = NULL;
    CURL *curl = curl_easy_init();
    uint64_t rng = (uint64_t)real_us() ^ ((uint64_t)(uintptr_t)&rng << 16) ^ 0x9E3779B97F4A7C15ULL;
    bool down_logged = false;

    (void)arg;
    if (curl == NULL) {
        log_error("webhooks: libcurl could not be initialised");
        return NULL;
    }
    while (!atomic_load(&g_stop)) {
        int n;

        if (!db_ok(pg)) {
            if (pg != NULL)
                PQfinish(pg);
            pg = db_connect(&g_config, STATEMENT_TIMEOUT_MS);
            if (pg == NULL) {
                if (!down_logged)
                    log_warn("webhooks: PostgreSQL unreachable, retrying");
                down_logged = true;
                worker_sleep_ms(1000);
                continue;
            }
            down_logged = false;
        }
        n = claim(pg, jobs, CLAIM_BATCH);
        if (n < 0) {
            worker_sleep_ms(1000);
            continue;
        }
        if (n == 0) {
            worker_sleep_ms(IDLE_POLL_MS);
            continue;
        }
        run_batch(pg, curl, jobs, n, &rng);
        for (int i = 0; i < n; i++)
            job_clear(&jobs[i]);
    }
    if (pg != NULL)
        PQfinish(pg);
    curl_easy_cleanup(curl);
    return NULL;
}
