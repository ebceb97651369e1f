/*
 * auth.h — authentication and authorisation of a call before its handler.
 *
 * Order (SPEC §2): a missing or invalid token is a 401; a role the route does
 * not admit, or a partner whose organisation has no convention in force today,
 * is a 403; a partner over its organisation's rate is a 429. Scope (404) is the
 * handler's business, since only it knows which object is asked for.
 */
#ifndef EPART_API_AUTH_H
#define EPART_API_AUTH_H

#include <stdbool.h>

#include "core/server.h"

/* Authenticate and authorise c, then next(c) (or reply). */
void auth_check(struct call *c, void (*next)(struct call *c));

/* True when the caller may see an object of organisation org_id attached to
 * caisse (partner: its organisation; instructor: its caisse; admin: all). */
bool auth_in_scope(const struct call *c, const char *org_id, const char *caisse);

#endif
