/*
 * dispatch.h — from a request to its route's code, as the route table says
 * (SPEC §2's order).
 *
 * A request is routed (404, 405), its token, role, convention and rate checked
 * (core/auth.h: 401, 403, 429), then its row of the table is followed
 * (struct route, core/server.h): the {id} checked (ROUTE_UUID_ID), the stored
 * object found in scope (.load), the body parsed (ROUTE_JSON), the fields
 * checked before the key (.check), the Idempotency-Key begun and ended around
 * the job (ROUTE_IDEM), If-Match read (ROUTE_IF_MATCH); then the handler on
 * the HTTP thread and/or the database job. What a route checks beyond that
 * (its other fields, 412, 409) is its own code's.
 */
#ifndef EPART_API_DISPATCH_H
#define EPART_API_DISPATCH_H

#include "core/server.h"

/* The request callback of every HTTP thread (server_run). */
void dispatch_request(struct evhttp_request *req, void *thr);

/* Submit c's route's database job with the phases its row names (load, body,
 * check, key, If-Match). For a route whose handler works on the HTTP thread
 * first and then hands over. */
void dispatch_db(struct call *c);

#endif
