/*
 * metrics.h — counters and latency histograms exposed at /metrics in the
 * Prometheus text format.
 */
#ifndef EPART_API_METRICS_H
#define EPART_API_METRICS_H

#include <stdint.h>

#include "core/server.h"

enum ingest_outcome { INGEST_ACCEPTED, INGEST_REPLAYED, INGEST_REFUSED_BACKLOG,
                      INGEST_REDIS_DOWN, INGEST_OUTCOMES };

/* Count a reply of route (NULL for unrouted) with its status and duration. */
void metrics_observe(const struct route *route, int status, int64_t duration_us);

/* Count an ingest outcome. */
void metrics_ingest(enum ingest_outcome o);

/* The Prometheus text of every metric (malloc'd). */
char *metrics_render(void);

#endif
