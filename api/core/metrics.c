/*
 * metrics.c — lock-free counters (atomics) rendered on demand.
 */
#include "core/metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbpool.h"
#include "core/redis_link.h"
#include "core/route_table.h"

#define MAX_ROUTES 128
#define STATUS_CLASSES 6 /* 1xx..5xx, index by status / 100 */

static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                0.1,    0.25,  0.5,    1.0,   2.5,  5.0};
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))

static _Atomic uint64_t requests[MAX_ROUTES + 1][STATUS_CLASSES];
static _Atomic uint64_t hist[MAX_ROUTES + 1][NBOUNDS + 1];
static _Atomic uint64_t sum_us[MAX_ROUTES + 1];
static _Atomic uint64_t ingest[INGEST_OUTCOMES];

static int route_index(const struct route *r)
{
    int n;
    const struct route *t = routes_table(&n);

    if (r == NULL || r < t || r >= t + n || n > MAX_ROUTES)
        return MAX_ROUTES;
    return (int)(r - t);
}

void metrics_observe(const struct route *route, int status, int64_t duration_us)
{
    int i = route_index(route);
    int cls = status / 100;
    size_t b = 0;
    double secs = (double)duration_us / 1e6;

    if (cls < 0 || cls >= STATUS_CLASSES)
        cls = 0;
    atomic_fetch_add(&requests[i][cls], 1);
    while (b < NBOUNDS && secs > bounds[b])
        b++;
    atomic_fetch_add(&hist[i][b], 1);
    atomic_fetch_add(&sum_us[i], (uint64_t)(duration_us > 0 ? duration_us : 0));
}

void metrics_ingest(enum ingest_outcome o)
{
    atomic_fetch_add(&ingest[o], 1);
}

struct text {
    char *buf;
    size_t len, cap;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        t->cap = t->cap * 2 + (size_t)n;
        t->buf = realloc(t->buf, t->cap);
        if (t->buf == NULL)
            return;
    }
}

char *metrics_render(void)
{
    static const char *outcomes[] = {"accepted", "replayed", "refused_backlog", "redis_down"};
    struct text t = {malloc(8192), 0, 8192};
    int n;
    const struct route *routes = routes_table(&n);
    int inflight = 0;

    if (t.buf == NULL)
        return NULL;
    add(&t, "# HELP epart_http_requests_total HTTP requests answered, by route and status class.\n"
            "# TYPE epart_http_requests_total counter\n");
    for (int i = 0; i <= n && i <= MAX_ROUTES; i++) {
        int idx = i == n ? MAX_ROUTES : i;
        const char *m = i == n ? "" : routes[i].method;
        const char *p = i == n ? "unrouted" : routes[i].pattern;

        for (int cls = 1; cls < STATUS_CLASSES; cls++) {
            uint64_t v = atomic_load(&requests[idx][cls]);

            if (v > 0)
                add(&t, "epart_http_requests_total{method=\"%s\",route=\"%s\",code=\"%dxx\"} %llu\n",
                    m, p, cls, (unsigned long long)v);
        }
    }
    add(&t, "# HELP epart_http_request_duration_seconds Time from dispatch to reply.\n"
            "# TYPE epart_http_request_duration_seconds histogram\n");
    for (int i = 0; i < n && i < MAX_ROUTES; i++) {
        uint64_t cum = 0;

        if (atomic_load(&sum_us[i]) == 0 && atomic_load(&hist[i][0]) == 0)
            continue;
        for (size_t b = 0; b <= NBOUNDS; b++) {
            cum += atomic_load(&hist[i][b]);
            if (b < NBOUNDS)
                add(&t,
                    "epart_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
                    "le=\"%g\"} %llu\n",
                    routes[i].method, routes[i].pattern, bounds[b], (unsigned long long)cum);
            else
                add(&t,
                    "epart_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
                    "le=\"+Inf\"} %llu\n",
                    routes[i].method, routes[i].pattern, (unsigned long long)cum);
        }
        add(&t, "epart_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n",
            routes[i].method, routes[i].pattern, (double)atomic_load(&sum_us[i]) / 1e6);
        add(&t, "epart_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
            routes[i].method, routes[i].pattern, (unsigned long long)cum);
    }
    add(&t, "# HELP epart_ingest_total Partner writes by outcome.\n"
            "# TYPE epart_ingest_total counter\n");
    for (int o = 0; o < INGEST_OUTCOMES; o++)
        add(&t, "epart_ingest_total{outcome=\"%s\"} %llu\n", outcomes[o],
            (unsigned long long)atomic_load(&ingest[o]));
    for (int i = 0; i < server_thread_count(); i++) {
        struct http_thread *thr = server_thread(i);

        if (thr != NULL && thr->redis != NULL)
            inflight += redis_link_inflight(thr->redis);
    }
    add(&t, "# HELP epart_redis_inflight Redis commands sent and not yet answered.\n"
            "# TYPE epart_redis_inflight gauge\nepart_redis_inflight %d\n", inflight);
    add(&t, "# HELP epart_postgres_up Whether the last attempt to reach PostgreSQL worked.\n"
            "# TYPE epart_postgres_up gauge\nepart_postgres_up %d\n", dbpool_pg_up());
    return t.buf;
}
