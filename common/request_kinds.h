/*
 * request_kinds.h — the three kinds of requests of SPEC §8 as data: their path,
 * reference prefix, first status, deadline clock, body validator and allowed
 * status changes. The API and the worker read the same table.
 */
#ifndef EPART_REQUEST_KINDS_H
#define EPART_REQUEST_KINDS_H

#include <jansson.h>

#include "calendar.h"

struct request_edge {
    const char *from;
    const char *to;
};

struct request_kind {
    const char *kind;       /* "signalement", "rendez_vous", "demande_document" */
    const char *path;       /* "/v1/signalements" */
    const char *ref_prefix; /* "SG" */
    const char *initial;    /* first status */
    const char *clock;      /* deadline clock started at receipt, or NULL */
    int clock_hours;        /* its length */
    int (*validate)(const json_t *body, cal_date today, json_t *errors);
    const struct request_edge *edges; /* ends with {NULL, NULL} */
};

#define REQUEST_KIND_COUNT 3

extern const struct request_kind request_kinds[REQUEST_KIND_COUNT];

/* The kind named kind, or NULL. */
const struct request_kind *request_kind_named(const char *kind);

/* True when a request of kind k may go from status from to status to. */
bool request_edge_allowed(const struct request_kind *k, const char *from, const char *to);

/* True when s is a status of kind k. */
bool request_status_known(const struct request_kind *k, const char *s);

/* The statuses a request of kind k may move to from status from, in the order
 * of its table: the "actions" of its document, so that a page offers exactly
 * the transitions the API accepts. A new reference. */
json_t *request_next_statuses(const struct request_kind *k, const char *from);

#endif
