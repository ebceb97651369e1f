/*
 * route.h — matching request paths against route patterns such as
 * "/v1/dossiers/{id}/transitions". Pure and bounded, so that it can be fuzzed.
 */
#ifndef EPART_ROUTE_H
#define EPART_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#define ROUTE_PARAM_LEN 128

/* True when path matches pattern segment by segment; each "{name}" segment
 * matches one non-empty segment of at most ROUTE_PARAM_LEN - 1 bytes, copied in
 * order into params (up to maxp). A trailing slash is not ignored: "/v1/x/" does
 * not match "/v1/x". The query string must already be removed. */
bool route_match(const char *pattern, const char *path, char params[][ROUTE_PARAM_LEN],
                 int maxp);

#endif
