/*
 * route_table.h — the table of every route the API serves.
 *
 * The same table drives dispatch, the 405 answers, the metrics labels and the
 * test that checks /v1/openapi.json against what the server really serves.
 */
#ifndef EPART_API_ROUTE_TABLE_H
#define EPART_API_ROUTE_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/server.h"

/* The route matching method and path, with its {params} copied into params; NULL
 * when none does. *method_mismatch is set when the path exists with other
 * methods (a 405), whose names are then listed in allow ("GET, POST"). */
const struct route *routes_find(const char *method, const char *path,
                                char params[][128], bool *method_mismatch, char *allow,
                                size_t allow_len);

/* False for a route that does not exist in this process (the test clock's
 * paths without EPART_TEST_CLOCK=1). */
bool routes_exists(const struct route *r);

/* The whole table and its size. */
const struct route *routes_table(int *n);

#endif
